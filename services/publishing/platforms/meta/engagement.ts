// Reading what Meta counts of a published Page post or Instagram medium. Each post is read alone: Meta answers
// an error for the whole request when one object of a multi-id read is gone, and a deleted post must not hide
// the figures of the others. Views come from the insights edge, which Meta gives only to some accounts (a Page
// with 100 likes or more; an Instagram medium with enough viewers): where it refuses, views stay unknown and
// the other figures still count.
import type { Engagement, EngagementTarget } from '../../platform';
import { GraphError, type GraphClient, classifyGraphError } from './graph';

interface InsightsAnswer {
  data?: Array<{ name?: string; values?: Array<{ value?: unknown }>; total_value?: { value?: unknown } }>;
}

/** A metric's lifetime value from an insights answer; undefined when Meta left it out. */
export function insightValue(answer: InsightsAnswer, name: string): number | undefined {
  const metric = answer.data?.find((m) => m.name === name);
  return count(metric?.values?.[0]?.value ?? metric?.total_value?.value) ?? undefined;
}

/** Meta's answer for an object that no longer exists (or that this token can no longer see). */
export function isGone(err: unknown): boolean {
  return err instanceof GraphError && err.code === 100 && err.subcode === 33;
}

/**
 * Insights Meta declines to give for this object (too few viewers or likes, a metric this kind of post lacks):
 * not a failure of the collection. A token, permission or throttling error is one, and is thrown.
 */
function insightsDeclined(err: unknown): boolean {
  if (!(err instanceof GraphError)) return false;
  if (err.code === 10 && /enough viewers|not enough/i.test(err.message)) return true;
  // (#100) for a metric this object does not support; subcode 33 (the object is gone) is told apart by the caller.
  return err.code === 100 && err.subcode !== 33;
}

/**
 * Reads each target with `read`; a throttle or a token error stops the channel's run. Meta answers "does not exist"
 * also for an object the token may no longer see: a post is marked gone only when the account itself still reads
 * (`accountReads`, asked once), so that a lost permission does not freeze a month of posts.
 */
export async function readEach(
  targets: EngagementTarget[],
  read: (t: EngagementTarget) => Promise<Engagement>,
  accountReads: () => Promise<void>,
): Promise<Map<string, Engagement | 'gone'>> {
  const out = new Map<string, Engagement | 'gone'>();
  let accountChecked = false;
  for (const t of targets) {
    try {
      out.set(t.targetId, await read(t));
    } catch (err) {
      if (!isGone(err)) throw classifyGraphError(err, new Date());
      if (!accountChecked) {
        try {
          await accountReads();
        } catch (accountErr) {
          throw classifyGraphError(accountErr, new Date());
        }
        accountChecked = true;
      }
      out.set(t.targetId, 'gone');
    }
  }
  return out;
}

/** An object's insights, or an empty answer where Meta declines to give them. */
export async function insightsOrNone(g: GraphClient, objectId: string, token: string, metrics: string[]): Promise<InsightsAnswer> {
  try {
    return await g.get<InsightsAnswer>(`${objectId}/insights`, token, { metric: metrics.join(',') });
  } catch (err) {
    if (insightsDeclined(err)) return {};
    throw err;
  }
}

/** A count Meta sent as a whole number the database keeps, else null. */
export function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= 2_147_483_647 ? v : null;
}
