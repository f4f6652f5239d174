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
  const raw = metric?.values?.[0]?.value ?? metric?.total_value?.value;
  return typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined;
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

/** Reads each target with `read`; a gone post is marked, a throttle or a token error stops the channel's run. */
export async function readEach(
  targets: EngagementTarget[],
  read: (t: EngagementTarget) => Promise<Engagement>,
): Promise<Map<string, Engagement | 'gone'>> {
  const out = new Map<string, Engagement | 'gone'>();
  for (const t of targets) {
    try {
      out.set(t.targetId, await read(t));
    } catch (err) {
      if (isGone(err)) {
        out.set(t.targetId, 'gone');
        continue;
      }
      throw classifyGraphError(err, new Date());
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

/** A count Meta sent as a number, else null. */
export function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
