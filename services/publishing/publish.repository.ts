// The publishing records: claims fenced by a token, outcomes, holds and checkpoints, channel health.
import { CompiledQuery, type Kysely, type Selectable, type Transaction, sql } from 'kysely';
import type { DeliveryErrorKind } from '../../shared/channels/delivery-words';
import type { ChannelKind, PostStatus, TargetStatus } from '../../shared/post';
import { notifyNeedsReconnect } from '../notifications/notify';
import { appendEvent } from '../posts/post.repository';
import { batched, oncePer } from '../storage/batched';
import { retryOnConflict } from '../storage/conflicts';
import type { DB } from '../storage/schema';
import type { PublishResult } from './platform';

type Target = Selectable<DB['post_targets']>;
type Post = Selectable<DB['posts']>;
type Channel = Selectable<DB['channels']>;
type Unit = Selectable<DB['units']>;

/** A target with everything its publish needs, read in one statement (siaran_load_target, migrations/0006). */
export interface LoadedTarget
  extends Pick<Target, 'id' | 'status' | 'generation' | 'attempts' | 'claim_token' | 'claimed_at' | 'progress_at' | 'post_id' | 'checkpoint' | 'late_released'>,
    Pick<Post, 'title' | 'body' | 'variants' | 'channel_options' | 'scheduled_at' | 'unit_id'>,
    Pick<Channel, 'kind' | 'settings' | 'secret_ciphertext' | 'credentials_version' | 'enabled' | 'health' | 'limited_until' | 'limit_reason'> {
  post_status: PostStatus;
  channel_id: string;
  channel_name: string;
  unit_slug: string;
  unit_name: string;
  time_zone: Unit['time_zone'];
  /** Publishing is paused for the post's unit or a unit above it. */
  paused: boolean;
  /** Whether the post has photos to read at all. */
  has_photos: boolean;
  /** The post's other targets, not cancelled. */
  siblings: Sibling[];
}

// The hot statements go to the database already compiled: building them cost the worker more than the database
// took to run them.
const TAKE_TARGET = 'select * from siaran_take_target($1, $2, $3, $4, $5, $6, $7, $8)';
const CLAIM_TARGET = 'select siaran_claim_target($1, $2, $3, $4, $5, $6, $7) as attempts';
const RECORD_PUBLISHED = 'select siaran_record_published($1, $2, $3, $4, $5, $6, $7, $8) as outcome';
const TAKE_TARGETS = 'select * from siaran_take_targets($1, $2, $3, $4, $5, $6, $7, $8)';
const RECORD_PUBLISHED_MANY = 'select n, outcome from siaran_record_published_many($1)';

/** Up to 32 jobs per statement, one statement of a kind in flight per process (services/storage/batched.ts). */
const BATCHES = { max: 32, inFlight: 1 };

export interface TakeOptions {
  /** Channel kinds the load may claim at once (those without pacing). */
  kinds: string[];
  /** The checkpoint each kind's attempt starts from, where its adapter names one. */
  checkpoints: Record<string, unknown>;
  lateWindowMs: number;
  webhookWaitMs: number;
}

/** A loaded target, and the attempt the load claimed it for (null when the worker has more to look at first). */
export interface TakenTarget extends LoadedTarget {
  claimed_attempt: number | null;
}

/**
 * A publish's first statement (siaran_take_target, migrations/0006): the target with everything its publish needs,
 * claimed at once when nothing is left for the worker to look at first (photos, a channel's pacing). Jobs taking
 * targets while the database is busy go together in one statement (siaran_take_targets, migrations/0007).
 */
export async function takeTarget(db: Kysely<DB>, slot: { targetId: string; generation: number }, token: string, now: Date, opts: TakeOptions): Promise<TakenTarget | undefined> {
  return takeBatcher(db, opts)({ targetId: slot.targetId, generation: slot.generation, token, now });
}

interface TakeItem {
  targetId: string;
  generation: number;
  token: string;
  now: Date;
}

type Take = (item: TakeItem) => Promise<TakenTarget | undefined>;

/**
 * Per database, per checkpoints (one object per adapter registry, see takeOptions), per windows and kinds: the
 * options a process takes with never change, so finding its batcher costs a job no serializing.
 */
const takeBatchers = oncePer((_db: Kysely<DB>) => oncePer((_checkpoints: TakeOptions['checkpoints']) => new Map<string, Take>()));

function takeBatcher(db: Kysely<DB>, opts: TakeOptions): Take {
  const byWindows = takeBatchers(db)(opts.checkpoints);
  const key = `${String(opts.lateWindowMs)} ${String(opts.webhookWaitMs)} ${opts.kinds.join(',')}`;
  const known = byWindows.get(key);
  if (known) return known;
  const checkpoints = JSON.stringify(opts.checkpoints);
  // One statement, so a deadlock the database broke left nothing behind: it is simply run again.
  const one = async (x: TakeItem) => {
    const query = CompiledQuery.raw(TAKE_TARGET, [x.targetId, x.generation, x.token, x.now, opts.kinds, checkpoints, opts.lateWindowMs, opts.webhookWaitMs]);
    return (await retryOnConflict(() => db.executeQuery<TakenTarget>(query))).rows[0];
  };
  const many = async (xs: TakeItem[]) => {
    const query = CompiledQuery.raw(TAKE_TARGETS, [
      xs.map((x) => x.targetId),
      xs.map((x) => x.generation),
      xs.map((x) => x.token),
      xs.map((x) => x.now),
      opts.kinds,
      checkpoints,
      opts.lateWindowMs,
      opts.webhookWaitMs,
    ]);
    const r = await retryOnConflict(() => db.executeQuery<TakenTarget & { n: number }>(query));
    const found = new Map(r.rows.map(({ n, ...row }) => [n, row]));
    return xs.map((_, i) => found.get(i + 1));
  };
  const take = batched(one, many, BATCHES);
  byWindows.set(key, take);
  return take;
}

/** Another target of the same post, as a webhook sees it. */
export interface Sibling {
  status: TargetStatus;
  external_url: string | null;
  kind: ChannelKind;
}

/**
 * Takes the target for this attempt: from `scheduled` or `held`, or (`from: 'publishing'`) over an
 * abandoned claim whose token is known. Returns the attempt number, or undefined when someone else has it.
 */
export async function claim(
  db: Kysely<DB>,
  row: LoadedTarget,
  token: string,
  now: Date,
  from: 'ready' | { abandoned: string; progressAt: Date | null },
  checkpoint?: { data: unknown },
): Promise<number | undefined> {
  // One statement (see migrations/0006): the target taken, the attempt opened and the post marked publishing, or
  // nothing at all. An abandoned claim is taken over only if its worker has shown no progress since it was judged
  // abandoned. `checkpoint` is saved with the claim; without it the target keeps the one it has.
  const abandoned = from === 'ready' ? null : from;
  const query = CompiledQuery.raw(CLAIM_TARGET, [
    row.id,
    row.generation,
    token,
    now,
    abandoned?.abandoned ?? null,
    abandoned?.progressAt ?? null,
    checkpoint ? JSON.stringify(checkpoint.data ?? null) : null,
  ]);
  const r = await retryOnConflict(() => db.executeQuery<{ attempts: number | null }>(query));
  return r.rows[0]?.attempts ?? undefined;
}

/**
 * Saves a multi-step publish's progress, which also shows its worker alive; false when the claim was lost
 * (the work belongs to someone else now). A claim judged unconfirmed while its worker was in fact still at
 * work keeps its token, so that worker may still finish and record what it did.
 */
export async function saveCheckpoint(db: Kysely<DB>, targetId: string, token: string, data: unknown, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('post_targets')
    .set({ checkpoint: JSON.stringify(data ?? null), progress_at: now })
    .where('id', '=', targetId)
    .where('claim_token', '=', token)
    .where('status', 'in', ['publishing', 'unconfirmed'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * 'retract' when the post was taken back while this target was on its way out: what just went out is
 * marked for retraction too, for the caller to take back now.
 */
export async function recordPublished(
  db: Kysely<DB>,
  row: LoadedTarget,
  token: string,
  result: PublishResult,
  now: Date,
): Promise<'recorded' | 'lost' | 'retract'> {
  // One round trip (see migrations/0005-publishing.ts): the post locked, the target, its attempt and the event
  // fenced by the claim token, the post settled. Outcomes recorded while the database is busy go together
  // (siaran_record_published_many, migrations/0007).
  const event = { targetId: row.id, channelId: row.channel_id, channelKind: row.kind, externalId: result.externalId, url: result.url };
  return recordBatcher(db)({ target: row.id, token, post: row.post_id, at: now, external_id: result.externalId, url: result.url, ids: result.ids, event });
}

type Recorded = 'recorded' | 'lost' | 'retract';

interface RecordItem {
  target: string;
  token: string;
  post: string;
  at: Date;
  external_id: string;
  url: string | null;
  ids: unknown;
  event: unknown;
}

const recordBatcher = oncePer((db: Kysely<DB>) => {
  const one = (x: RecordItem) =>
    retryOnConflict(async () => {
      const r = await db.executeQuery<{ outcome: Recorded }>(
        CompiledQuery.raw(RECORD_PUBLISHED, [x.target, x.token, x.post, x.at, x.external_id, x.url, JSON.stringify(x.ids), JSON.stringify(x.event)]),
      );
      return r.rows[0]!.outcome;
    });
  const many = async (xs: RecordItem[]) => {
    const query = CompiledQuery.raw(RECORD_PUBLISHED_MANY, [JSON.stringify(xs.map((x, i) => ({ ...x, item: i + 1 })))]);
    const r = await retryOnConflict(() => db.executeQuery<{ n: number; outcome: Recorded }>(query));
    const found = new Map(r.rows.map((row) => [row.n, row.outcome]));
    return xs.map((_, i) => {
      const outcome = found.get(i + 1);
      if (outcome === undefined) throw new Error('a batch of outcomes left one unrecorded');
      return outcome;
    });
  };
  return batched(one, many, BATCHES);
});

/** Moves a claimed target to failed, unconfirmed, or back to scheduled for a retry. */
export async function recordFailure(
  db: Kysely<DB>,
  row: LoadedTarget,
  token: string,
  to: 'failed' | 'unconfirmed' | 'scheduled',
  errorKind: DeliveryErrorKind,
  reason: string,
  now: Date,
): Promise<boolean> {
  return retryOnConflict(() =>
    db.transaction().execute(async (trx) => {
      const postStatus = await lockPost(trx, row.post_id);
      // A post taken back while this attempt ran is not tried again.
      const next = to === 'scheduled' && postStatus === 'retracted' ? 'cancelled' : to;
      const moved = await trx
        .updateTable('post_targets')
        .set({ status: next, last_error: reason, last_error_kind: errorKind, claim_token: next === 'unconfirmed' ? token : null, updated_at: now })
        .where('id', '=', row.id)
        .where('status', '=', 'publishing')
        .where('claim_token', '=', token)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return false;
      await finishAttempt(trx, row.id, token, now, to === 'scheduled' ? 'retry' : to, errorKind, reason);
      // A post taken back meanwhile: what may have gone out is taken back too (the reconciler queues it).
      if (to === 'unconfirmed' && postStatus === 'retracted') await markForRetraction(trx, row.id, now);
      if (to !== 'scheduled') {
        await appendEvent(trx, {
          postId: row.post_id,
          actorId: null,
          type: to === 'failed' ? 'target.failed' : 'target.unconfirmed',
          at: now,
          data: { targetId: row.id, channelId: row.channel_id, channelKind: row.kind, errorKind, reason },
        });
        await settleLocked(trx, row.post_id, now);
      }
      return true;
    }),
  );
}

/**
 * Puts a target on hold for its channel. A claimed one (`token`) gives its claim back (see giveBack): a hold is
 * the channel's doing, never the target's.
 */
export async function holdTarget(
  db: Kysely<DB>,
  row: LoadedTarget,
  hold: { reason: string; until: Date | null; error?: string | undefined },
  now: Date,
  token?: string,
): Promise<boolean> {
  return token ? giveBack(db, row, token, now, hold) : moveUnclaimed(db, row, hold, now);
}

async function moveUnclaimed(db: Kysely<DB>, row: LoadedTarget, hold: { reason: string; until: Date | null; error?: string | undefined }, now: Date): Promise<boolean> {
  return retryOnConflict(() =>
    db.transaction().execute(async (trx) => {
      await lockPost(trx, row.post_id);
      const moved = await trx
        .updateTable('post_targets')
        .set({ status: 'held', held_reason: hold.reason, held_until: hold.until, ...(hold.error !== undefined ? { last_error: hold.error, last_error_kind: null } : {}), updated_at: now })
        .where('id', '=', row.id)
        .where('generation', '=', row.generation)
        .where('status', 'in', ['scheduled', 'held'])
        .executeTakeFirst();
      return Number(moved.numUpdatedRows) === 1;
    }),
  );
}

/**
 * Gives back a claim under which nothing was sent: the target goes on hold (`hold`) or back to scheduled, its
 * attempt is returned, and a post that the claim marked publishing is scheduled again while none of its targets
 * has gone further.
 */
export async function giveBack(
  db: Kysely<DB>,
  row: LoadedTarget,
  token: string,
  now: Date,
  hold?: { reason: string; until: Date | null; error?: string | undefined },
): Promise<boolean> {
  return retryOnConflict(() =>
    db.transaction().execute(async (trx) => {
      // A post taken back while the claim was held is not tried again: the target is cancelled, as a retry's is.
      const retracted = (await lockPost(trx, row.post_id)) === 'retracted';
      const moved = await trx
        .updateTable('post_targets')
        .set({
          status: retracted ? 'cancelled' : hold ? 'held' : 'scheduled',
          held_reason: retracted ? null : (hold?.reason ?? null),
          held_until: retracted ? null : (hold?.until ?? null),
          // A hold's words are the channel's matter (its held reason explains them), not an attempt's error kind.
          ...(hold?.error !== undefined ? { last_error: hold.error, last_error_kind: null } : {}),
          claim_token: null,
          attempts: sql`greatest(attempts - 1, 0)`,
          updated_at: now,
        })
        .where('id', '=', row.id)
        .where('generation', '=', row.generation)
        .where('status', '=', 'publishing')
        .where('claim_token', '=', token)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return false;
      await finishAttempt(trx, row.id, token, now, hold ? 'held' : 'retry', hold ? hold.reason : 'given-back', hold?.error ?? null);
      await sql`
        update posts p set status = 'scheduled', updated_at = ${now}
         where p.id = ${row.post_id} and p.status = 'publishing'
           and not exists (select 1 from post_targets t
                            where t.post_id = p.id and t.status not in ('pending', 'scheduled', 'held', 'cancelled'))`.execute(trx);
      return true;
    }),
  );
}

async function finishAttempt(
  trx: Transaction<DB>,
  targetId: string,
  token: string,
  now: Date,
  outcome: 'published' | 'failed' | 'retry' | 'unconfirmed' | 'held',
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

/** The platform limits this channel until `until`: all its due targets wait for it. */
export async function limitChannel(db: Kysely<DB>, channelId: string, until: Date, reason: string, error: string, now: Date): Promise<void> {
  await db
    .updateTable('channels')
    .set({ limited_until: until, limit_reason: reason, last_error: error, last_error_at: now })
    .where('id', '=', channelId)
    .where((eb) => eb.or([eb('limited_until', 'is', null), eb('limited_until', '<', until)]))
    .execute();
}

/** The platform refused the channel's credentials: an admin must reconnect it. */
/** False when the credentials were replaced since `credentialsVersion` was read: those are not the ones that failed. */
export async function flagNeedsReconnect(db: Kysely<DB>, channelId: string, credentialsVersion: number, error: string, now: Date): Promise<boolean> {
  // The unit's admins are told in the same transaction (their e-mail is queued by the workers' sweep): a refusal
  // flagged is never one nobody hears of. Not the success path: a publish that goes out pays nothing for it.
  return db.transaction().execute(async (trx) => {
    const flagged = await trx
      .updateTable('channels')
      .set({ health: 'needs_reconnect', last_error: error, last_error_at: now })
      .where('id', '=', channelId)
      .where('credentials_version', '=', credentialsVersion)
      .returning(['id', 'unit_id', 'name', 'kind', 'credentials_version'])
      .executeTakeFirst();
    if (!flagged) return false;
    await notifyNeedsReconnect(trx, { id: flagged.id, unitId: flagged.unit_id, name: flagged.name, kind: flagged.kind, credentialsVersion: flagged.credentials_version }, error, now);
    return true;
  });
}

export async function noteChannelError(db: Kysely<DB>, channelId: string, error: string, now: Date): Promise<void> {
  await db.updateTable('channels').set({ last_error: error, last_error_at: now }).where('id', '=', channelId).execute();
}

/** Attempts on this channel that started since `since` (holds excluded: they sent nothing). */
export async function attemptsSince(db: Kysely<DB>, channelId: string, since: Date): Promise<Date[]> {
  const rows = await db
    .selectFrom('publish_attempts as a')
    .innerJoin('post_targets as t', 't.id', 'a.target_id')
    .select('a.started_at')
    .where('t.channel_id', '=', channelId)
    .where('a.started_at', '>=', since)
    .where((eb) => eb.or([eb('a.outcome', 'is', null), eb('a.outcome', '!=', 'held')]))
    .orderBy('a.started_at')
    .execute();
  return rows.map((r) => r.started_at);
}

/**
 * Held targets of a channel whose hold the channel's recovery lifts, oldest time first. They stay `held`
 * with no reason until their job runs, so that one held past its window is still told apart from one due now.
 */
export async function releaseHeld(
  db: Kysely<DB>,
  channelId: string,
  reasons: readonly string[],
  now: Date,
): Promise<Array<{ targetId: string; generation: number; at: Date }>> {
  // It locks many targets in no order of their posts: a batch of claims locking post by post may deadlock with it.
  return retryOnConflict(() => db.transaction().execute(async (trx) => {
    const rows = await trx
      .updateTable('post_targets')
      .set({ generation: sql`generation + 1`, held_reason: null, held_until: null, updated_at: now })
      .where('channel_id', '=', channelId)
      .where('status', '=', 'held')
      // Also those the reconciler lifted a moment ago (it saw the channel connected before this release ran):
      // they are released by this act too, and their new generation fences the reconciler's job.
      .where((eb) => eb.or([eb('held_reason', 'in', [...reasons]), eb.and([eb('held_reason', 'is', null), eb('held_until', 'is', null)])]))
      .returning(['id', 'generation', 'post_id'])
      .execute();
    if (rows.length === 0) return [];
    const times = await trx.selectFrom('posts').select(['id', 'scheduled_at']).where('id', 'in', rows.map((r) => r.post_id)).execute();
    const at = new Map(times.map((p) => [p.id, p.scheduled_at]));
    return rows
      .map((r) => ({ targetId: r.id, generation: r.generation, at: at.get(r.post_id) ?? now }))
      .sort((a, b) => a.at.getTime() - b.at.getTime());
  }));
}

/**
 * Every transaction that touches a post's targets takes the post's row lock first. Without one
 * order, two targets of one post finishing together deadlock: each inserts an event (a key-share
 * lock on the post) and then wants the post for its status.
 */
async function markForRetraction(trx: Transaction<DB>, targetId: string, now: Date): Promise<void> {
  await trx
    .updateTable('post_targets')
    .set({ retraction: 'pending', retraction_error: null, updated_at: now })
    .where('id', '=', targetId)
    .where('retraction', 'is', null)
    .execute();
}

async function lockPost(trx: Transaction<DB>, postId: string): Promise<PostStatus | undefined> {
  const post = await trx.selectFrom('posts').select('status').where('id', '=', postId).forNoKeyUpdate().executeTakeFirst();
  return post?.status;
}

// Once its targets have spoken, the post's status is theirs.

/** `settlePost` for a transaction that already holds the post's lock (see migrations/0005-publishing.ts). */
async function settleLocked(trx: Transaction<DB>, postId: string, now: Date): Promise<void> {
  await sql`select siaran_settle_post(${postId}::uuid, ${now})`.execute(trx);
}
