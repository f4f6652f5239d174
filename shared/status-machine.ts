// Which action may move a post from which status; anything not listed is a conflict.
import { AppError } from './errors';
import type { PostStatus, TargetStatus } from './post';
import { ACTION_LABELS, POST_STATUS_LABELS } from './words';

export type PostAction =
  | 'edit'
  | 'submit'
  | 'approve'
  | 'reject'
  | 'cancel'
  | 'reschedule'
  | 'expire'
  | 'start-publishing';

type Table = Partial<Record<PostStatus, Partial<Record<PostAction, PostStatus>>>>;

/**
 * `reschedule` of a scheduled post lands in pending_approval here; a reschedule by someone who could
 * approve the post now keeps it scheduled (services/posts/access.ts `approvalRefusal`).
 */
const TRANSITIONS: Table = {
  draft: { edit: 'draft', submit: 'pending_approval', cancel: 'cancelled', reschedule: 'draft' },
  pending_approval: {
    edit: 'pending_approval',
    approve: 'scheduled',
    reject: 'rejected',
    cancel: 'cancelled',
    expire: 'expired',
    reschedule: 'pending_approval',
  },
  scheduled: {
    edit: 'pending_approval',
    reschedule: 'pending_approval',
    cancel: 'cancelled',
    'start-publishing': 'publishing',
  },
  rejected: { edit: 'draft', submit: 'pending_approval', cancel: 'cancelled', reschedule: 'draft' },
  expired: { edit: 'draft', reschedule: 'draft', cancel: 'cancelled' },
};

export function canTransition(from: PostStatus, action: PostAction): boolean {
  return TRANSITIONS[from]?.[action] !== undefined;
}

export function nextStatus(from: PostStatus, action: PostAction): PostStatus {
  const to = TRANSITIONS[from]?.[action];
  if (to === undefined) {
    throw new AppError('conflict', 'post.invalid_transition', {
      id: `${ACTION_LABELS[action].id} tidak bisa dilakukan: pos ini berstatus "${POST_STATUS_LABELS[from].id}". Muat ulang halaman untuk melihat keadaannya sekarang.`,
      en: `${ACTION_LABELS[action].en} is not possible: this post's status is "${POST_STATUS_LABELS[from].en}". Reload the page to see where it stands now.`,
    }, { from, action });
  }
  return to;
}

/** Statuses in which the post's content may still be changed by its authors. */
export const EDITABLE: readonly PostStatus[] = ['draft', 'pending_approval', 'scheduled', 'rejected', 'expired'];

/**
 * Statuses in which the post still waits on a person's decision, so the rules' findings tell someone what to
 * fix. Once a supervisor approved the post its text and time are settled: telling a scheduled or published post
 * that its time is too soon, or that it reads wrong, is a false alarm nobody can act on.
 */
export const UNDER_REVIEW: readonly PostStatus[] = ['draft', 'pending_approval', 'rejected', 'expired'];

/** Whether the worker may publish targets of a post in this status. */
export const PUBLISHABLE: readonly PostStatus[] = ['scheduled', 'publishing'];

/**
 * Once publishing has begun, the post's status is read off its targets:
 * any unconfirmed needs a human first, then any failure, else all went out.
 */
export function settledPostStatus(targets: readonly TargetStatus[]): PostStatus {
  if (targets.some((t) => t === 'scheduled' || t === 'held' || t === 'publishing' || t === 'pending')) return 'publishing';
  if (targets.some((t) => t === 'unconfirmed')) return 'unconfirmed';
  if (targets.some((t) => t === 'failed')) return 'failed';
  if (targets.some((t) => t === 'published')) return 'published';
  return 'cancelled';
}
