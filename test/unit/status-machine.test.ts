import { AppError } from '../../shared/errors';
import { PostStatus } from '../../shared/post';
import { type PostAction, canTransition, nextStatus, settledPostStatus } from '../../shared/status-machine';

const ACTIONS: PostAction[] = ['edit', 'submit', 'approve', 'reject', 'cancel', 'reschedule', 'expire', 'start-publishing'];

// Every allowed move, spelled out; anything else must be refused.
const ALLOWED: Record<string, string> = {
  'draft edit': 'draft',
  'draft submit': 'pending_approval',
  'draft cancel': 'cancelled',
  'draft reschedule': 'draft',
  'pending_approval edit': 'pending_approval',
  'pending_approval approve': 'scheduled',
  'pending_approval reject': 'rejected',
  'pending_approval cancel': 'cancelled',
  'pending_approval expire': 'expired',
  'pending_approval reschedule': 'pending_approval',
  'scheduled edit': 'pending_approval',
  'scheduled reschedule': 'pending_approval',
  'scheduled cancel': 'cancelled',
  'scheduled start-publishing': 'publishing',
  'rejected edit': 'draft',
  'rejected submit': 'pending_approval',
  'rejected cancel': 'cancelled',
  'rejected reschedule': 'draft',
  'expired edit': 'draft',
  'expired reschedule': 'draft',
  'expired cancel': 'cancelled',
};

describe('post status machine', () => {
  const cases = PostStatus.options.flatMap((from) => ACTIONS.map((action) => [from, action] as const));
  test.each(cases)('%s --%s-->', (from, action) => {
    const expected = ALLOWED[`${from} ${action}`];
    if (expected) {
      expect(canTransition(from, action)).toBe(true);
      expect(nextStatus(from, action)).toBe(expected);
    } else {
      expect(canTransition(from, action)).toBe(false);
      expect(() => nextStatus(from, action)).toThrow(AppError);
      try {
        nextStatus(from, action);
      } catch (e) {
        expect((e as AppError).kind).toBe('conflict');
        expect((e as AppError).code).toBe('post.invalid_transition');
      }
    }
  });

  test('published, cancelled and publishing posts accept no user action', () => {
    for (const s of ['published', 'cancelled', 'publishing', 'failed', 'unconfirmed'] as const) {
      for (const a of ACTIONS) expect(canTransition(s, a)).toBe(false);
    }
  });
});

describe('settled status from targets', () => {
  test.each([
    [['published', 'published'], 'published'],
    [['published', 'scheduled'], 'publishing'],
    [['published', 'publishing'], 'publishing'],
    [['published', 'failed'], 'failed'],
    [['failed', 'unconfirmed'], 'unconfirmed'],
    [['unconfirmed', 'published'], 'unconfirmed'],
    [[], 'cancelled'],
  ] as const)('%j → %s', (targets, expected) => {
    expect(settledPostStatus(targets)).toBe(expected);
  });
});
