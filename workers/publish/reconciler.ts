// The database is the truth and Redis the engine: this puts back into Redis whatever the database says is due.
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import { appendEvent } from '../../services/posts/post.repository';
import { expireOverdue } from '../../services/posts/schedule-post';
import type { DB } from '../../services/storage/schema';
import { retryOnConflict } from '../../services/storage/conflicts';
import type { PublishQueue } from '../queue/publish-queue';

export interface ReconcileDeps {
  db: Kysely<DB>;
  queue: PublishQueue;
  log: Logger;
  now: () => Date;
  /** Scheduled targets due within this window are made sure of; later ones wait for a later pass. */
  horizonMs: number;
  /** A claimed target older than this with no job left is handed back to the publish job to resolve. */
  claimStaleMs: number;
  /** Other periodic chores that ride on the same schedule (expired sessions, ...). */
  housekeeping?: ReadonlyArray<(now: Date) => Promise<void>>;
}

export interface ReconcileReport {
  expired: number;
  requeued: number;
  staleClaims: number;
}

const BATCH = 200;

export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  const now = deps.now();
  const expired = await expireOverdue(deps.db, now);

  const due = await deps.db
    .selectFrom('post_targets as t')
    .innerJoin('posts as p', 'p.id', 't.post_id')
    .select(['t.id', 't.generation', 'p.scheduled_at'])
    .where('t.status', '=', 'scheduled')
    .where('p.status', 'in', ['scheduled', 'publishing'])
    .where('p.scheduled_at', '<=', new Date(now.getTime() + deps.horizonMs))
    .execute();
  // A hold for a channel that has recovered since (a hold written just after its release) is lifted here. It locks
  // many targets in no order of their posts: a batch of claims locking post by post may deadlock with it.
  await retryOnConflict(() => deps.db
    .updateTable('post_targets')
    .set({ held_reason: null, generation: sql`generation + 1`, updated_at: now })
    .where('status', '=', 'held')
    .where('held_reason', 'in', ['channel.needs_reconnect', 'channel.disabled'])
    .where('channel_id', 'in', (eb) => eb.selectFrom('channels').select('id').where('health', '=', 'connected').where('enabled', '=', true))
    .execute());

  // Held targets with an end to their hold, or released by their channel's recovery, need their job too.
  const held = await deps.db
    .selectFrom('post_targets as t')
    .innerJoin('posts as p', 'p.id', 't.post_id')
    .select(['t.id', 't.generation', 't.held_until'])
    .where('t.status', '=', 'held')
    .where('p.status', 'in', ['scheduled', 'publishing'])
    .where((eb) =>
      eb.or([
        eb('t.held_until', '<=', new Date(now.getTime() + deps.horizonMs)),
        eb.and([eb('t.held_until', 'is', null), eb('t.held_reason', 'is', null)]),
      ]),
    )
    .execute();
  const requeued = await ensureJobs(deps, [
    ...due.map((t) => ({ targetId: t.id, generation: t.generation, at: t.scheduled_at })),
    ...held.map((t) => ({ targetId: t.id, generation: t.generation, at: t.held_until ?? now })),
  ]);

  const stale = await deps.db
    .selectFrom('post_targets')
    .select(['id', 'generation'])
    .where('status', '=', 'publishing')
    .where(sql<Date>`coalesce(progress_at, claimed_at)`, '<', new Date(now.getTime() - deps.claimStaleMs))
    .execute();
  // The publish job itself decides what an abandoned claim means (verify, or unconfirmed); it only needs to run.
  const staleClaims = await ensureJobs(deps, stale.map((t) => ({ targetId: t.id, generation: t.generation, at: now })));

  // A retraction whose worker stopped mid-way may or may not have deleted: a supervisor checks the platform.
  const stuck = await deps.db
    .updateTable('post_targets')
    .set({ retraction: 'unconfirmed', retraction_error: 'the worker stopped while taking the post back; check the platform', claim_token: null, updated_at: now })
    .where('retraction', '=', 'retracting')
    .where('updated_at', '<', new Date(now.getTime() - deps.claimStaleMs))
    .returning(['id', 'post_id'])
    .execute();
  for (const t of stuck) {
    await appendEvent(deps.db, {
      postId: t.post_id,
      actorId: null,
      type: 'target.retraction_failed',
      at: now,
      data: { targetId: t.id, outcome: 'unconfirmed', reason: 'the worker stopped while taking the post back' },
    });
  }

  // Retractions decided while Redis was away, or lost with it.
  const retracting = await deps.db.selectFrom('post_targets').select('id').where('retraction', '=', 'pending').limit(BATCH).execute();
  const missing: string[] = [];
  for (const t of retracting) if (!(await deps.queue.hasRetractJob(t.id))) missing.push(t.id);
  if (missing.length > 0) await deps.queue.retract(missing);

  for (const chore of deps.housekeeping ?? []) {
    // A failing chore must not stop publishing from being reconciled next time.
    await chore(now).catch((err: unknown) => deps.log.warn({ err }, 'housekeeping failed'));
  }

  const report = { expired: expired.length, requeued, staleClaims };
  if (report.expired + report.requeued + report.staleClaims > 0) deps.log.info(report, 'reconciled');
  return report;
}

async function ensureJobs(deps: ReconcileDeps, slots: Array<{ targetId: string; generation: number; at: Date }>): Promise<number> {
  let added = 0;
  for (let i = 0; i < slots.length; i += BATCH) {
    const batch = slots.slice(i, i + BATCH);
    const present = await Promise.all(batch.map((s) => deps.queue.hasJob(s)));
    const missing = batch.filter((_, j) => !present[j]);
    if (missing.length > 0) {
      await deps.queue.schedule(missing);
      added += missing.length;
    }
  }
  return added;
}
