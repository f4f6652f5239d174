// Who is told what, written in the transaction of the state change it tells of: never lost, never twice.
import { type Kysely, sql } from 'kysely';
import type { Post } from '../../shared/post';
import type { DB } from '../storage/schema';
import { unitPath } from '../units/unit.repository';
import { masked } from '../posts/post.repository';
import { adminsOver, notifyUsers, supervisorsOver } from './notification.repository';

/**
 * A post waits for approval (submitted, or sent back by an edit or a new time): the supervisors who may approve it
 * are told, all but the one who made it wait. One notification per version that waits.
 */
export async function notifyAwaitingApproval(trx: Kysely<DB>, post: Post, actorId: string, at: Date): Promise<string[]> {
  const path = await unitPath(trx, post.unitId);
  const supervisors = await supervisorsOver(trx, path, [actorId, post.authorId]);
  return notifyUsers(trx, supervisors, { kind: 'post.submitted', postId: post.id, eventKey: `${post.id}:v${String(post.version)}`, data: { title: post.title, scheduledAt: post.scheduledAt.toISOString() } }, at);
}

/**
 * The first of two approvals is given: the supervisors who may give the second (above the first approver's unit,
 * or that unit at the top of the tree) are told the post now waits for them.
 */
export async function notifySecondApprovalOwed(trx: Kysely<DB>, post: Post, approver: { id: string; unitId: string }, at: Date): Promise<string[]> {
  const approverPath = await unitPath(trx, approver.unitId);
  const above = approverPath.length > 1 ? approverPath.slice(0, -1) : approverPath;
  const supervisors = await supervisorsOver(trx, above, [approver.id, post.authorId]);
  return notifyUsers(trx, supervisors, { kind: 'post.submitted', postId: post.id, eventKey: `${post.id}:v${String(post.version)}`, data: { title: post.title, scheduledAt: post.scheduledAt.toISOString() } }, at);
}

/** The author hears the supervisor's decision, with the note masked as the history keeps it (a note may quote a NIK). */
export async function notifyReviewed(trx: Kysely<DB>, post: Post, decision: 'approved' | 'rejected', note: string | null, at: Date): Promise<string[]> {
  return notifyUsers(
    trx,
    [post.authorId],
    { kind: decision === 'approved' ? 'post.approved' : 'post.rejected', postId: post.id, eventKey: `${post.id}:v${String(post.version)}`, data: { title: post.title, note: note === null ? null : masked(note), scheduledAt: post.scheduledAt.toISOString() } },
    at,
  );
}

/**
 * The platform refused a channel's credentials: the admins who can reconnect it are told, once per set of
 * credentials (a reconnection gives the channel new ones, and a later refusal tells them again).
 */
export async function notifyNeedsReconnect(
  trx: Kysely<DB>,
  channel: { id: string; unitId: string; name: string; kind: string; credentialsVersion: number },
  error: string,
  at: Date,
): Promise<string[]> {
  const admins = await adminsOver(trx, await unitPath(trx, channel.unitId));
  return notifyUsers(trx, admins, { kind: 'channel.needs_reconnect', channelId: channel.id, eventKey: `${channel.id}:c${String(channel.credentialsVersion)}`, data: { name: channel.name, channelKind: channel.kind, error } }, at);
}

/**
 * Posts still waiting for approval whose time comes within `windowMs`: a post nobody approves by its time expires
 * (services/posts/schedule-post.ts `expireOverdue`), so its supervisors are reminded once per version before then.
 */
export async function remindBeforeExpiry(db: Kysely<DB>, now: Date, windowMs: number): Promise<string[]> {
  const due = await db
    .selectFrom('posts')
    .select(['id', 'unit_id', 'author_id', 'title', 'scheduled_at', 'version'])
    .where('status', '=', 'pending_approval')
    .where('scheduled_at', '>', now)
    .where('scheduled_at', '<=', new Date(now.getTime() + windowMs))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('notifications as n').select('n.id').whereRef('n.post_id', '=', 'posts.id').where('n.kind', '=', 'post.expiring').where('n.event_key', '=', sql<string>`posts.id::text || ':v' || posts.version::text`))))
    .limit(200)
    .execute();
  const owed: string[] = [];
  for (const p of due) {
    const supervisors = await supervisorsOver(db, await unitPath(db, p.unit_id), [p.author_id]);
    owed.push(...(await notifyUsers(db, supervisors, { kind: 'post.expiring', postId: p.id, eventKey: `${p.id}:v${String(p.version)}`, data: { title: p.title, scheduledAt: p.scheduled_at.toISOString() } }, now)));
  }
  return owed;
}
