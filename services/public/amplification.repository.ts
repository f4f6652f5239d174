// Counting amplification: one row per post, day and kind, incremented in one statement (concurrent visits add up).
import { type Kysely, sql } from 'kysely';
import type { AmplificationKind, DB } from '../storage/schema';

export async function countAmplification(db: Kysely<DB>, event: { postId: string; unitId: string; kind: AmplificationKind }, now: Date): Promise<void> {
  await db
    .insertInto('amplification_counts')
    .values({ post_id: event.postId, unit_id: event.unitId, day: now.toISOString().slice(0, 10), kind: event.kind, count: 1 })
    .onConflict((oc) => oc.columns(['post_id', 'day', 'kind']).doUpdateSet({ count: sql<number>`amplification_counts.count + 1` }))
    .execute();
}

export type AmplificationTotals = Record<AmplificationKind, number>;
export const NO_AMPLIFICATION: AmplificationTotals = { visit: 0, share_whatsapp: 0, share_copy: 0, photo: 0 };

/** Each post's totals over all days. */
export async function amplificationOf(db: Kysely<DB>, postIds: readonly string[]): Promise<Map<string, AmplificationTotals>> {
  const out = new Map<string, AmplificationTotals>();
  if (postIds.length === 0) return out;
  const rows = await db
    .selectFrom('amplification_counts')
    .select(['post_id', 'kind', (eb) => eb.fn.sum<string>('count').as('n')])
    .where('post_id', 'in', [...postIds])
    .groupBy(['post_id', 'kind'])
    .execute();
  for (const r of rows) {
    const totals = out.get(r.post_id) ?? { ...NO_AMPLIFICATION };
    totals[r.kind] = Number(r.n);
    out.set(r.post_id, totals);
  }
  return out;
}
