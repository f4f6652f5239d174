// The chain of command: an author submits, a supervisor of the unit or above approves or rejects.
import { AppError } from '../../shared/errors';
import type { Actor } from '../../shared/post';
import { checkSchedule } from '../../shared/rules/content-rules';
import { blocks } from '../../shared/rules/finding';
import { checkApprover } from '../../shared/rules/permissions';
import { nextStatus } from '../../shared/status-machine';
import { emailQuietly } from '../notifications/deps';
import { notifyAwaitingApproval, notifyReviewed, notifySecondApprovalOwed } from '../notifications/notify';
import { settleWaitingNotices } from '../notifications/notification.repository';
import { getUnit } from '../units/unit.repository';
import { approvalRefusal, refuseApproval, assertExpectedVersion, assertMayAuthor, blockedBy, firstApprovalStanding, needsTwoApprovals, postInReach } from './access';
import type { PostDeps } from './deps';
import { appendEvent, lastSubmittedSnapshot, masked, maskedSnapshot, retargetLive, snapshotChanges, updatePostRow } from './post.repository';
import { type PostView, viewPost } from './post-view';
import { type SimilarPost, recordFingerprint, similarPosts } from './similar-posts';
import { findingsOf, liveChannelIds } from './write-post';

/**
 * Submits a draft; the answer names the posts of its Polda it is nearly the same as (a warning, never a block),
 * unless the caller shows them elsewhere (`similar: false`, the web app's post page).
 */
export async function submitPost(deps: PostDeps, actor: Actor, postId: string, opts: { similar?: boolean } = {}): Promise<PostView & { similar: SimilarPost[] }> {
  const now = deps.now();
  const { post, emails } = await deps.db.transaction().execute(async (trx) => {
    const { post, path } = await postInReach(trx, actor, postId, true);
    assertMayAuthor(actor, path);
    const status = nextStatus(post.status, 'submit');
    const unit = await getUnit(trx, post.unitId);
    const findings = await findingsOf(trx, post, unit.time_zone, now, deps);
    const blocking = blocks(findings);
    if (blocking.length > 0) blockedBy(blocking, 'post.blocked_by_findings');
    const updated = await updatePostRow(trx, post, { status, review_note: null }, now);
    await recordFingerprint(trx, updated, path, now);
    // What is submitted is recorded (masked), with what differs from the last submission: a reviewer sees
    // what changed since, however many drafts were saved in between.
    const snapshot = maskedSnapshot(post, await liveChannelIds(trx, post.id));
    const previous = await lastSubmittedSnapshot(trx, post.id);
    await appendEvent(trx, {
      postId: post.id,
      actorId: actor.id,
      type: 'submitted',
      at: now,
      data: { warnings: findings, snapshot, ...(previous ? { changes: snapshotChanges(previous, snapshot) } : {}) },
    });
    return { post: updated, emails: await notifyAwaitingApproval(trx, updated, actor.id, now) };
  });
  await emailQuietly(deps.emails, deps.log, emails);
  const view = await viewPost(deps.db, post);
  if (opts.similar === false) return { ...view, similar: [] };
  try {
    return { ...view, similar: await similarPosts(deps.db, actor, post.id, now) };
  } catch (err) {
    // The submission stands; the warning is also on the post's page and at GET /posts/:id/similar.
    deps.log.warn({ err, postId: post.id }, 'posts nearly the same could not be listed');
    return { ...view, similar: [] };
  }
}

export async function approvePost(
  deps: PostDeps,
  actor: Actor,
  postId: string,
  input: { note?: string | undefined; expectedVersion: number; overrides?: ReadonlyArray<{ code: string; reason: string }> | undefined },
): Promise<PostView> {
  const now = deps.now();
  const { post, slots, emails } = await deps.db.transaction().execute(async (trx) => {
    const { post, path } = await postInReach(trx, actor, postId, true);
    refuseApproval(await approvalRefusal(trx, actor, post, path, now));
    const status = nextStatus(post.status, 'approve');
    assertExpectedVersion(post, input.expectedVersion);
    const unit = await getUnit(trx, post.unitId);
    // Approval may come late in the lead time, but never after the moment itself.
    const late = checkSchedule(post.scheduledAt, { now, minLeadSeconds: 0, zone: unit.time_zone });
    if (late.length > 0) {
      throw new AppError('conflict', 'schedule.passed', {
        id: 'Waktu terbit sudah lewat. Jadwalkan ulang lalu ajukan lagi.',
        en: 'The publish time has passed. Reschedule it and submit again.',
      });
    }
    const findings = await findingsOf(trx, post, unit.time_zone, now, { ...deps, minLeadSeconds: 0 });
    const blocking = blocks(findings);
    if (blocking.length > 0) blockedBy(blocking, 'post.blocked_by_findings');
    // A warning is the supervisor's call: going ahead takes a reason, which the history keeps.
    const overrides = input.overrides ?? [];
    const unanswered = findings.filter((f) => f.severity === 'warn' && !overrides.some((o) => o.code === f.code));
    if (unanswered.length > 0) {
      throw new AppError('validation', 'approval.warnings_need_reason', {
        id: `Pos ini punya peringatan yang perlu alasan untuk tetap disetujui: ${unanswered.map((f) => f.message.id).join(' ')}`,
        en: `This post has warnings that need a reason to approve it anyway: ${unanswered.map((f) => f.message.en).join(' ')}`,
      }, { findings: unanswered });
    }
    const decision = {
      note: input.note === undefined ? null : masked(input.note),
      version: post.version,
      scheduledAt: post.scheduledAt.toISOString(),
      overrides: findings.filter((f) => f.severity === 'warn').map((f) => ({ code: f.code, field: f.field ?? null, reason: masked(overrides.find((o) => o.code === f.code)!.reason) })),
    };
    // A sensitive post, where the unit tree asks for two approvals: the first keeps it waiting for a supervisor
    // of a unit above (approvalRefusal checked who may give the second), bound to the version it saw.
    const first = await firstApprovalStanding(trx, post, path);
    if (first === undefined && (await needsTwoApprovals(trx, post, path))) {
      const waiting = await updatePostRow(
        trx,
        post,
        { first_approved_by: actor.id, first_approved_unit_id: actor.unitId, first_approved_at: now, first_approved_version: post.version + 1, review_note: input.note ?? null },
        now,
      );
      await appendEvent(trx, { postId: post.id, actorId: actor.id, type: 'approved_first', at: now, data: decision });
      // Those who were asked for the first approval have been answered; those above are asked next.
      await settleWaitingNotices(trx, post.id, now);
      return { post: waiting, slots: [], emails: await notifySecondApprovalOwed(trx, waiting, actor, now) };
    }
    const moved = await retargetLive(trx, post.id, 'scheduled', now);
    const updated = await updatePostRow(
      trx,
      post,
      { status, approved_by: actor.id, approved_at: now, review_note: input.note ?? null },
      now,
    );
    await appendEvent(trx, {
      postId: post.id,
      actorId: actor.id,
      type: 'approved',
      at: now,
      data: { ...decision, ...(first ? { secondOf: { by: first.by, at: first.at.toISOString() } } : {}) },
    });
    await settleWaitingNotices(trx, post.id, now);
    return { post: updated, slots: moved.after, emails: await notifyReviewed(trx, updated, 'approved', input.note ?? null, now) };
  });
  await scheduleQuietly(deps, slots.map((s) => ({ ...s, at: post.scheduledAt })));
  await emailQuietly(deps.emails, deps.log, emails);
  return viewPost(deps.db, post);
}

export async function rejectPost(deps: PostDeps, actor: Actor, postId: string, input: { note: string }): Promise<PostView> {
  const now = deps.now();
  const { post, emails } = await deps.db.transaction().execute(async (trx) => {
    const { post, path } = await postInReach(trx, actor, postId, true);
    const denied = checkApprover(actor, post, path);
    if (denied.length > 0) blockedBy(denied, 'approval.forbidden', 'forbidden');
    const status = nextStatus(post.status, 'reject');
    // A rejection at either step of two voids a first approval: the next submission starts over.
    const updated = await updatePostRow(trx, post, { status, review_note: input.note, first_approved_by: null, first_approved_unit_id: null, first_approved_at: null, first_approved_version: null }, now);
    await appendEvent(trx, { postId: post.id, actorId: actor.id, type: 'rejected', at: now, data: { note: masked(input.note) } });
    await settleWaitingNotices(trx, post.id, now);
    return { post: updated, emails: await notifyReviewed(trx, updated, 'rejected', input.note, now) };
  });
  await emailQuietly(deps.emails, deps.log, emails);
  return viewPost(deps.db, post);
}

export async function scheduleQuietly(
  deps: PostDeps,
  slots: Array<{ targetId: string; generation: number; at: Date }>,
): Promise<void> {
  if (slots.length === 0) return;
  try {
    await deps.scheduler.schedule(slots);
  } catch (err) {
    // The database already says "scheduled"; the reconciler queues what Redis did not take.
    deps.log.warn({ err, slots: slots.length }, 'could not queue publish jobs now; the reconciler will');
  }
}

