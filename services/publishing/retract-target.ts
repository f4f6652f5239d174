// Taking one published target back, once: claimed like a publish, the platform asked to delete it (or a
// receiver told), the outcome recorded. A platform that cannot take a post back says so on the post page.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { appendEvent } from '../posts/post.repository';
import { PlatformError, type PlatformAdapter, type RetractInput } from './platform';
import { type PublishDeps, channelHandleFor, contextWithoutSteps, postPageUrl } from './publish-target';

export type RetractOutcome = 'done' | 'retry' | 'failed' | 'unconfirmed' | 'unsupported' | 'skipped';

export async function retractTarget(deps: PublishDeps, targetId: string): Promise<RetractOutcome> {
  const row = await deps.db
    .selectFrom('post_targets as t')
    .innerJoin('channels as c', 'c.id', 't.channel_id')
    .innerJoin('posts as p', 'p.id', 't.post_id')
    .innerJoin('units as u', 'u.id', 'p.unit_id')
    .select([
      't.id', 't.post_id', 't.retraction', 't.external_ids', 'c.id as channel_id', 'c.kind', 'c.name as channel_name', 'c.settings',
      'c.secret_ciphertext', 'c.credentials_version', 'u.slug as unit_slug',
    ])
    .where('t.id', '=', targetId)
    .executeTakeFirst();
  if (!row || row.retraction !== 'pending') return 'skipped';
  const adapter = deps.adapters[row.kind] as PlatformAdapter;
  const now = deps.now();
  const record = async (to: 'done' | 'failed' | 'unconfirmed' | 'unsupported', error: string | null, token: string | null) => {
    await deps.db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('post_targets')
        .set({ retraction: to, retraction_error: error, retracted_at: to === 'done' ? now : null, claim_token: null, updated_at: now })
        .where('id', '=', row.id)
        .where('retraction', '=', token ? 'retracting' : 'pending')
        .where((eb) => (token ? eb('claim_token', '=', token) : eb.val(true)))
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return;
      await appendEvent(trx, {
        postId: row.post_id,
        actorId: null,
        type: to === 'done' ? 'target.retracted' : 'target.retraction_failed',
        at: now,
        data: { targetId: row.id, channelId: row.channel_id, channelKind: row.kind, outcome: to, reason: error },
      });
    });
  };
  if (!adapter.retract) {
    await record('unsupported', 'this platform cannot take a post back; remove it by hand', null);
    return 'unsupported';
  }
  const handle = channelHandleFor(deps, row, adapter);
  if (!handle) {
    await record('failed', 'the channel credentials cannot be read; reconnect the channel and remove the post by hand', null);
    return 'failed';
  }
  const token = randomUUID();
  const claimed = await deps.db
    .updateTable('post_targets')
    .set({ retraction: 'retracting', claim_token: token, updated_at: now })
    .where('id', '=', row.id)
    .where('retraction', '=', 'pending')
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) return 'skipped';
  const reason = await deps.db
    .selectFrom('post_events')
    .select(sql<string>`data->>'reason'`.as('reason'))
    .where('post_id', '=', row.post_id)
    .where('type', '=', 'retracted')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const input: RetractInput = {
    targetId: row.id,
    post: { id: row.post_id, pageUrl: postPageUrl(deps.publicBaseUrl(), row.unit_slug, row.post_id) },
    ids: row.external_ids,
    reason: reason?.reason ?? '',
    retractedAt: now,
  };
  try {
    await adapter.retract(input, contextWithoutSteps(deps, adapter, handle, { targetId: row.id }));
  } catch (err) {
    const e = err instanceof PlatformError ? err : new PlatformError('unknown-outcome', err instanceof Error ? err.message : String(err));
    switch (e.kind) {
      case 'transient':
      case 'rate-limited':
        // Back to pending, for the job's next try.
        await deps.db.updateTable('post_targets').set({ retraction: 'pending', claim_token: null, retraction_error: e.message }).where('id', '=', row.id).where('claim_token', '=', token).execute();
        return 'retry';
      case 'unknown-outcome':
        await record('unconfirmed', e.message, token);
        return 'unconfirmed';
      case 'auth-expired':
      case 'rejected':
        await record('failed', e.message, token);
        return 'failed';
    }
  }
  await record('done', null, token);
  deps.log.info({ targetId: row.id, postId: row.post_id, channel: row.kind }, 'retracted');
  return 'done';
}
