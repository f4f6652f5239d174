// Credentials that die unless renewed (Instagram Login's 60-day token) are renewed on a schedule, not only
// when a post goes out: a Polsek that posts once a month must not find its account disconnected. One
// process at a time renews a channel (the credentials' lease); a refusal flags the channel for an admin.
import type { ChannelKind } from '../../shared/post';
import type { PlatformAdapter } from './platform';
import { PlatformError } from './platform';
import { type PublishDeps, channelHandleFor } from './publish-target';
import { flagNeedsReconnect } from './publish.repository';

/** Channels renewed per run: the chore rides on the reconciler's minute and must stay short. */
const BATCH = 5;

export async function keepCredentialsAlive(deps: Pick<PublishDeps, 'db' | 'adapters' | 'box' | 'log' | 'now'>, now: Date): Promise<number> {
  let renewed = 0;
  for (const kind of Object.keys(deps.adapters) as ChannelKind[]) {
    const adapter = deps.adapters[kind] as PlatformAdapter;
    const keepAlive = adapter.keepAlive;
    if (!keepAlive) continue;
    const rows = await deps.db
      .selectFrom('channels')
      .select(['id as channel_id', 'kind', 'name as channel_name', 'settings', 'secret_ciphertext', 'credentials_version'])
      .where('kind', '=', kind)
      .where('enabled', '=', true)
      .where('health', '!=', 'needs_reconnect')
      .where('token_expires_at', '<', new Date(now.getTime() + keepAlive.renewWithinMs))
      .orderBy('token_expires_at')
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      const handle = channelHandleFor(deps, row, adapter);
      if (!handle) continue;
      try {
        await keepAlive.renew(handle, adapter.timeoutMs);
        renewed++;
      } catch (err) {
        if (err instanceof PlatformError && err.kind === 'auth-expired') {
          await flagNeedsReconnect(deps.db, row.channel_id, row.credentials_version, err.message, now);
        }
        deps.log.warn({ channelId: row.channel_id, kind, err: err instanceof Error ? err.message : String(err) }, 'could not renew channel credentials');
      }
    }
  }
  return renewed;
}
