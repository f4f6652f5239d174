// Publishing one target: claim it in the database before any outside call, record exactly what happened.
// A target found claimed with no recorded outcome is never retried blindly.
import { randomUUID } from 'node:crypto';
import { type Kysely, type Transaction, sql } from 'kysely';
import type { Logger } from 'pino';
import type { ChannelKind } from '../../shared/post';
import { PUBLISHABLE, settledPostStatus } from '../../shared/status-machine';
import type { SecretBox } from '../../services/channels/secret-box';
import { appendEvent } from '../../services/posts/post.repository';
import type { PublishSlot } from '../../services/posts/deps';
import type { DB } from '../../services/storage/schema';
import type { MediaStore } from '../../services/media/media-store';
import { photosForChannel } from '../../services/media/read-photos';
import { unitPath } from '../../services/units/unit.repository';
import { PublishError, type PublishedRef, type Publisher, type PublishRequest } from '../platforms/publisher';

export interface PublishDeps {
  db: Kysely<DB>;
  publishers: Partial<Record<ChannelKind, Publisher>>;
  box: SecretBox;
  log: Logger;
  now: () => Date;
  maxAttempts: number;
  publicBaseUrl: () => string;
  /** Where the photos' renditions are; without it posts go out as text only. */
  photos?: { store: MediaStore; signedUrlSeconds: number };
}

export type PublishOutcome =
  | { kind: 'stale' }
  | { kind: 'skipped'; reason: string }
  | { kind: 'not-yet'; until: Date }
  | { kind: 'published' }
  | { kind: 'retry'; delayMs?: number | undefined; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'unconfirmed'; reason: string };

/** How long a paused unit's due posts wait before looking again. */
const PAUSE_RECHECK_MS = 60_000;

export function postPageUrl(base: string, unitSlug: string, postId: string): string {
  return `${base}/u/${encodeURIComponent(unitSlug)}/p/${postId}`;
}

async function loadTarget(db: Kysely<DB>, targetId: string) {
  return db
    .selectFrom('post_targets as t')
    .innerJoin('posts as p', 'p.id', 't.post_id')
    .innerJoin('channels as c', 'c.id', 't.channel_id')
    .innerJoin('units as u', 'u.id', 'p.unit_id')
    .select([
      't.id', 't.status', 't.generation', 't.attempts', 't.claim_token', 't.post_id',
      'p.status as post_status', 'p.title', 'p.body', 'p.variants', 'p.scheduled_at', 'p.unit_id',
      'c.id as channel_id', 'c.kind', 'c.settings', 'c.secret_ciphertext', 'c.enabled',
      'u.slug as unit_slug', 'u.name as unit_name', 'u.time_zone',
    ])
    .where('t.id', '=', targetId)
    .executeTakeFirst();
}
type Loaded = NonNullable<Awaited<ReturnType<typeof loadTarget>>>;

function requestFor(deps: PublishDeps, row: Loaded, attempt: number, photos: PublishRequest['photos'] = []): PublishRequest {
  return {
    photos,
    targetId: row.id,
    attempt,
    post: {
      id: row.post_id,
      title: row.title,
      text: row.variants[row.channel_id] ?? row.body,
      scheduledAt: row.scheduled_at,
      unit: { id: row.unit_id, slug: row.unit_slug, name: row.unit_name, timeZone: row.time_zone },
      pageUrl: postPageUrl(deps.publicBaseUrl(), row.unit_slug, row.post_id),
    },
    channel: {
      id: row.channel_id,
      kind: row.kind,
      settings: row.settings,
      secret: row.secret_ciphertext ? deps.box.open(row.secret_ciphertext) : null,
    },
  };
}

export async function publishTarget(deps: PublishDeps, slot: PublishSlot): Promise<PublishOutcome> {
  const row = await loadTarget(deps.db, slot.targetId);
  if (!row || row.generation !== slot.generation) return { kind: 'stale' };
  const publisher = deps.publishers[row.kind];

  if (row.status === 'publishing') return resolveAbandonedClaim(deps, row, publisher);
  if (row.status !== 'scheduled') return { kind: 'skipped', reason: `target is ${row.status}` };
  if (!PUBLISHABLE.includes(row.post_status)) return { kind: 'skipped', reason: `post is ${row.post_status}` };

  const now = deps.now();
  if (row.scheduled_at.getTime() > now.getTime() + 1000) return { kind: 'not-yet', until: row.scheduled_at };
  if (await publishingPaused(deps.db, row.unit_id)) {
    return { kind: 'not-yet', until: new Date(now.getTime() + PAUSE_RECHECK_MS) };
  }

  const token = randomUUID();
  const attempt = await claim(deps.db, row, token, now);
  if (attempt === undefined) return { kind: 'skipped', reason: 'claimed elsewhere' };

  if (!publisher || !row.enabled) {
    const reason = !publisher ? `no publisher for ${row.kind} channels in this version` : 'channel is disabled';
    await recordFailure(deps, row, token, 'failed', 'rejected', reason);
    return { kind: 'failed', reason };
  }

  let ref: PublishedRef;
  try {
    ref = await publisher.publish(requestFor(deps, row, attempt, await photosOf(deps, row)));
  } catch (err) {
    return recordError(deps, row, token, attempt, err);
  }
  await recordPublished(deps, row, token, ref);
  return { kind: 'published' };
}

/** The post's photos as rendered for this channel; a post never goes out without the photos it was approved with. */
async function photosOf(deps: PublishDeps, row: Loaded): Promise<PublishRequest['photos']> {
  if (!deps.photos) return [];
  const found = await photosForChannel(deps.db, deps.photos.store, row.post_id, row.kind, deps.photos.signedUrlSeconds, deps.now());
  if (!found.ready) throw new PublishError('transient', `photos not rendered yet: ${found.missing.join(', ')}`);
  return found.photos;
}

/** The job ran before and claimed the target, then vanished (crash, kill, lost lock) without an outcome. */
async function resolveAbandonedClaim(deps: PublishDeps, row: Loaded, publisher: Publisher | undefined): Promise<PublishOutcome> {
  const token = row.claim_token ?? '';
  if (publisher?.verify) {
    const v = await publisher.verify(requestFor(deps, row, row.attempts)).catch(() => ({ published: 'unknown' as const }));
    if (v.published === true) {
      await recordPublished(deps, row, token, v.ref);
      return { kind: 'published' };
    }
    if (v.published === false) {
      await recordFailure(deps, row, token, 'scheduled', 'transient', 'an earlier attempt stopped before publishing');
      return { kind: 'retry', reason: 'earlier attempt verified as not published' };
    }
  }
  const reason = 'an earlier attempt stopped after claiming this target and before recording an outcome; check the channel';
  await recordFailure(deps, row, token, 'unconfirmed', 'unknown-outcome', reason);
  return { kind: 'unconfirmed', reason };
}

async function publishingPaused(db: Kysely<DB>, unitId: string): Promise<boolean> {
  const path = await unitPath(db, unitId);
  const paused = await db.selectFrom('units').select('id').where('id', 'in', path).where('publishing_paused', '=', true).executeTakeFirst();
  return paused !== undefined;
}

async function claim(db: Kysely<DB>, row: Loaded, token: string, now: Date): Promise<number | undefined> {
  return db.transaction().execute(async (trx) => {
    await lockPost(trx, row.post_id);
    const claimed = await trx
      .updateTable('post_targets')
      .set({ status: 'publishing', claim_token: token, claimed_at: now, attempts: sql`attempts + 1`, updated_at: now })
      .where('id', '=', row.id)
      .where('status', '=', 'scheduled')
      .where('generation', '=', row.generation)
      .returning('attempts')
      .executeTakeFirst();
    if (!claimed) return undefined;
    await trx
      .insertInto('publish_attempts')
      .values({ target_id: row.id, attempt: claimed.attempts, claim_token: token, started_at: now })
      .execute();
    await trx.updateTable('posts').set({ status: 'publishing', updated_at: now }).where('id', '=', row.post_id).where('status', '=', 'scheduled').execute();
    return claimed.attempts;
  });
}

async function recordPublished(deps: PublishDeps, row: Loaded, token: string, ref: PublishedRef): Promise<void> {
  const now = deps.now();
  await retryOnConflict(() => deps.db.transaction().execute(async (trx) => {
    await lockPost(trx, row.post_id);
    const done = await trx
      .updateTable('post_targets')
      .set({ status: 'published', published_at: now, external_id: ref.externalId, external_url: ref.url, last_error: null, claim_token: null, updated_at: now })
      .where('id', '=', row.id)
      .where('claim_token', '=', token)
      .where('status', 'in', ['publishing', 'unconfirmed'])
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) === 0) return;
    await finishAttempt(trx, row.id, token, now, 'published', null, null);
    await appendEvent(trx, {
      postId: row.post_id,
      actorId: null,
      type: 'target.published',
      at: now,
      data: { targetId: row.id, channelId: row.channel_id, channelKind: row.kind, externalId: ref.externalId, url: ref.url },
    });
    await settlePost(trx, row.post_id, now);
  }));
  deps.log.info({ targetId: row.id, postId: row.post_id, channel: row.kind }, 'published');
}

async function recordError(deps: PublishDeps, row: Loaded, token: string, attempt: number, err: unknown): Promise<PublishOutcome> {
  if (!(err instanceof PublishError)) {
    // An adapter that threw something unclassified may have sent the post already.
    const reason = `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
    await recordFailure(deps, row, token, 'unconfirmed', 'unknown-outcome', reason);
    return { kind: 'unconfirmed', reason };
  }
  switch (err.kind) {
    case 'transient':
    case 'rate-limited':
      if (attempt >= deps.maxAttempts) {
        const reason = `gave up after ${attempt} attempts: ${err.message}`;
        await recordFailure(deps, row, token, 'failed', err.kind, reason);
        return { kind: 'failed', reason };
      }
      await recordFailure(deps, row, token, 'scheduled', err.kind, err.message);
      return { kind: 'retry', delayMs: err.retryAfterMs, reason: err.message };
    case 'rejected':
    case 'auth-expired':
      await recordFailure(deps, row, token, 'failed', err.kind, err.message);
      return { kind: 'failed', reason: err.message };
    case 'unknown-outcome':
      await recordFailure(deps, row, token, 'unconfirmed', err.kind, err.message);
      return { kind: 'unconfirmed', reason: err.message };
  }
}

/** Moves a claimed target to failed, unconfirmed, or back to scheduled for a retry. */
async function recordFailure(
  deps: PublishDeps,
  row: Loaded,
  token: string,
  to: 'failed' | 'unconfirmed' | 'scheduled',
  errorKind: string,
  reason: string,
): Promise<void> {
  const now = deps.now();
  await retryOnConflict(() => deps.db.transaction().execute(async (trx) => {
    await lockPost(trx, row.post_id);
    const moved = await trx
      .updateTable('post_targets')
      .set({ status: to, last_error: reason, claim_token: to === 'unconfirmed' ? token : null, updated_at: now })
      .where('id', '=', row.id)
      .where('status', '=', 'publishing')
      .where((eb) => (token ? eb('claim_token', '=', token) : eb('claim_token', 'is', null)))
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 0) return;
    await finishAttempt(trx, row.id, token, now, to === 'scheduled' ? 'retry' : to, errorKind, reason);
    if (to !== 'scheduled') {
      await appendEvent(trx, {
        postId: row.post_id,
        actorId: null,
        type: to === 'failed' ? 'target.failed' : 'target.unconfirmed',
        at: now,
        data: { targetId: row.id, channelId: row.channel_id, channelKind: row.kind, errorKind, reason },
      });
      await settlePost(trx, row.post_id, now);
    }
  }));
  deps.log[to === 'scheduled' ? 'info' : 'warn']({ targetId: row.id, postId: row.post_id, channel: row.kind, errorKind, reason }, `publish ${to === 'scheduled' ? 'will retry' : to}`);
}

async function finishAttempt(
  trx: Transaction<DB>,
  targetId: string,
  token: string,
  now: Date,
  outcome: 'published' | 'failed' | 'retry' | 'unconfirmed',
  errorKind: string | null,
  error: string | null,
): Promise<void> {
  await trx
    .updateTable('publish_attempts')
    .set({ finished_at: now, outcome, error_kind: errorKind, error })
    .where('target_id', '=', targetId)
    .where('claim_token', '=', token)
    .execute();
}

/**
 * Every transaction that touches a post's targets takes the post's row lock first. Without one
 * order, two targets of one post finishing together deadlock: each inserts an event (a key-share
 * lock on the post) and then wants the post for its status.
 */
async function lockPost(trx: Transaction<DB>, postId: string): Promise<void> {
  await trx.selectFrom('posts').select('id').where('id', '=', postId).forNoKeyUpdate().execute();
}

const RETRYABLE_SQLSTATE = new Set(['40P01', '40001']);

/** Recording an outcome is idempotent (it is fenced by the claim token), so a lost race is simply run again. */
async function retryOnConflict<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (attempt >= 4 || typeof code !== 'string' || !RETRYABLE_SQLSTATE.has(code)) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

/** Once its targets have spoken, the post's status is theirs. */
export async function settlePost(trx: Transaction<DB>, postId: string, now: Date): Promise<void> {
  const post = await trx.selectFrom('posts').select('status').where('id', '=', postId).forNoKeyUpdate().executeTakeFirst();
  if (!post || !['scheduled', 'publishing', 'published', 'failed', 'unconfirmed'].includes(post.status)) return;
  const targets = await trx.selectFrom('post_targets').select('status').where('post_id', '=', postId).where('status', '!=', 'cancelled').execute();
  const status = settledPostStatus(targets.map((t) => t.status));
  if (status !== post.status) {
    await trx.updateTable('posts').set({ status, updated_at: now }).where('id', '=', postId).execute();
    if (status !== 'publishing') {
      await appendEvent(trx, { postId, actorId: null, type: `post.${status}`, at: now, data: {} });
    }
  }
}
