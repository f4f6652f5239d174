// Channels whose posts are waiting, counted for /metrics.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../storage/schema';

export async function heldChannelCounts(db: Kysely<DB>, now: Date): Promise<Array<{ kind: string; reason: string; count: number }>> {
  const rows = await db
    .selectFrom('channels')
    .select([
      'kind',
      sql<string>`case when not enabled then 'disabled' when health = 'needs_reconnect' then 'channel.needs_reconnect' else coalesce(limit_reason, 'channel.rate_limited') end`.as('reason'),
      sql<string>`count(*)`.as('count'),
    ])
    .where((eb) => eb.or([eb('enabled', '=', false), eb('health', '=', 'needs_reconnect'), eb('limited_until', '>', now)]))
    .groupBy(['kind', 'reason'])
    .execute();
  return rows.map((r) => ({ kind: r.kind, reason: r.reason, count: Number(r.count) }));
}
