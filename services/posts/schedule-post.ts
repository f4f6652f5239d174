// Moving a post in time, or taking it off the schedule.
import { type Kysely, sql } from 'kysely';
import type { Actor, Post } from '../../shared/post';
import { checkSchedule } from '../../shared/rules/content-rules';
import { nextStatus } from '../../shared/status-machine';
import type { DB } from '../storage/schema';
import { retryOnConflict } from '../storage/conflicts';
import { emailQuietly } from '../notifications/deps';
import { notifyAwaitingApproval } from '../notifications/notify';
import { getUnit, unitAndDescendants } from '../units/unit.repository';
import { approvalRefusal, assertMayAuthor, blockedBy, needsTwoApprovals, postInReach } from './access';
import type { PostDeps } from './deps';
import { appendEvent, masked, retargetLive, toPost, updatePostRow } from './post.repository';
import { type PostView, viewPost } from './post-view';
import { scheduleQuietly } from './review-post';
import { settleWaitingNotices } from '../notifications/notification.repository';
import { readTime, unscheduleQuietly } from './write-post';

export async function cancelPost(deps: PostDeps, actor: Actor, postId: string, input: { note?: string | undefined }): Promise<PostView> {
  const now = deps.now();
  const { post, stale } = await deps.db.transaction().execute(async (trx) => {
    const { post, path } = await postInReach(trx, actor, postId, true);
    assertMayAuthor(actor, path);
    const status = nextStatus(post.status, 'cancel');
    const moved = await retargetLive(trx, post.id, 'cancelled', now);
    const updated = await updatePostRow(trx, post, { status }, now);
    await settleWaitingNotices(trx, post.id, now);
    await appendEvent(trx, { postId: post.id, actorId: actor.id, type: 'cancelled', at: now, data: { note: input.note === undefined ? null : masked(input.note), statusBefore: post.status } });
    return { post: updated, stale: moved.before };
  });
  await unscheduleQuietly(deps, stale);
  return viewPost(deps.db, post);
}

export async function reschedulePost(deps: PostDeps, actor: Actor, postId: string, input: { scheduledAt: string }): Promise<PostView> {
  const now = deps.now();
  const result = await deps.db.transaction().execute(async (trx) => {
    const { post, path } = await postInReach(trx, actor, postId, true);
    assertMayAuthor(actor, path);
    const unit = await getUnit(trx, post.unitId);
    const at = readTime(input.scheduledAt, unit.time_zone, now);
    const tooSoon = checkSchedule(at, { now, minLeadSeconds: deps.minLeadSeconds, zone: unit.time_zone });
    if (tooSoon.length > 0) blockedBy(tooSoon, 'schedule.too_soon');
    // Only someone who could approve it now keeps the approval with the new time; anyone else's change goes back for
    // review. A post that needed two approvals needs both again: one person's say cannot stand for two.
    const keeps =
      post.status === 'scheduled' && (await approvalRefusal(trx, actor, post, path, now)).length === 0 && !(await needsTwoApprovals(trx, post, path));
    const status = keeps ? 'scheduled' : nextStatus(post.status, 'reschedule');
    const moved = post.status === 'scheduled' ? await retargetLive(trx, post.id, keeps ? 'scheduled' : 'pending', now) : { before: [], after: [] };
    const updated = await updatePostRow(
      trx,
      post,
      { scheduled_at: at, status, ...(keeps || post.status !== 'scheduled' ? {} : { approved_by: null, approved_at: null }) },
      now,
    );
    await appendEvent(trx, {
      postId: post.id,
      actorId: actor.id,
      type: 'rescheduled',
      at: now,
      data: { before: post.scheduledAt.toISOString(), after: at.toISOString(), statusBefore: post.status, statusAfter: status },
    });
    // An approval the new time did not keep goes back to the supervisors, who are told so.
    const emails = post.status === 'scheduled' && status === 'pending_approval' ? await notifyAwaitingApproval(trx, updated, actor.id, now) : [];
    return { post: updated, stale: moved.before, fresh: keeps ? moved.after : [], emails };
  });
  await unscheduleQuietly(deps, result.stale);
  await emailQuietly(deps.emails, deps.log, result.emails);
  await scheduleQuietly(deps, result.fresh.map((s) => ({ ...s, at: result.post.scheduledAt })));
  return viewPost(deps.db, result.post);
}

/** A post nobody approved by its time is never published late: it expires. */
export async function expireOverdue(db: Kysely<DB>, now: Date): Promise<Post[]> {
  const due = await db
    .selectFrom('posts')
    .select('id')
    .where('status', '=', 'pending_approval')
    .where('scheduled_at', '<=', now)
    .limit(500)
    .execute();
  const expired: Post[] = [];
  for (const { id } of due) {
    await db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('posts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row || row.status !== 'pending_approval' || row.scheduled_at > now) return;
      const post = toPost(row);
      const updated = await updatePostRow(trx, post, { status: nextStatus(post.status, 'expire') }, now);
      await settleWaitingNotices(trx, post.id, now);
      await appendEvent(trx, { postId: id, actorId: null, type: 'expired', at: now, data: { scheduledAt: post.scheduledAt.toISOString() } });
      expired.push(updated);
    });
  }
  return expired;
}

/**
 * Publishing resumes for a unit and those below it: what came due while it was paused is looked at now
 * (and held as late, if it is), instead of at the paused jobs' next look.
 */
export async function resumeUnitPublishing(deps: PostDeps, unitId: string): Promise<void> {
  const now = deps.now();
  const unitIds = await unitAndDescendants(deps.db, unitId);
  // It locks many targets in no order of their posts: a batch of claims locking post by post may deadlock with it.
  const due = await retryOnConflict(() => deps.db
    .updateTable('post_targets as t')
    .set({ generation: sql`t.generation + 1`, updated_at: now })
    .from('posts as p')
    .whereRef('p.id', '=', 't.post_id')
    .where('p.unit_id', 'in', unitIds)
    .where('p.scheduled_at', '<=', now)
    .where('t.status', '=', 'scheduled')
    .returning(['t.id', 't.generation'])
    .execute());
  await scheduleQuietly(deps, due.map((t) => ({ targetId: t.id, generation: t.generation, at: now })));
}
