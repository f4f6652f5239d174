// Channels whose posts are waiting, counted for /metrics. Which state a channel is in is decided by
// channelState, as everywhere else; the query only narrows the rows to those that may be held.
import type { Kysely } from 'kysely';
import { channelState } from '../channels/channel.repository';
import type { DB } from '../storage/schema';

export async function heldChannelCounts(db: Kysely<DB>, now: Date): Promise<Array<{ kind: string; reason: string; count: number }>> {
  const rows = await db
    .selectFrom('channels')
    .select(['kind', 'enabled', 'health', 'limited_until', 'limit_reason'])
    .where((eb) => eb.or([eb('enabled', '=', false), eb('health', '=', 'needs_reconnect'), eb('limited_until', '>', now)]))
    .execute();
  const counts = new Map<string, { kind: string; reason: string; count: number }>();
  for (const row of rows) {
    const { state } = channelState(row, now);
    const reason = state === 'disabled' ? 'disabled' : state === 'needs_reconnect' ? 'channel.needs_reconnect' : (row.limit_reason ?? 'channel.rate_limited');
    const key = `${row.kind} ${reason}`;
    const entry = counts.get(key) ?? { kind: row.kind, reason, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()];
}
