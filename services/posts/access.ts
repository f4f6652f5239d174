import { AppError } from '../../shared/errors';
import type { Actor, Post } from '../../shared/post';
import type { Finding } from '../../shared/rules/finding';
import { checkApprover, checkSecondApprover, inReach, mayAuthor } from '../../shared/rules/permissions';
import { formatInZone } from '../../shared/time';
import { getUnit, unitPath } from '../units/unit.repository';
import { type Db, contributorsOf, getPost, postNotFound, versionConflict } from './post.repository';

/** A post the actor may see; others' posts answer as if they did not exist. */
export async function postInReach(
  db: Db,
  actor: Actor,
  postId: string,
  forUpdate = false,
): Promise<{ post: Post; path: string[] }> {
  const post = await getPost(db, postId, forUpdate);
  const path = await unitPath(db, post.unitId);
  if (!inReach(actor, path)) throw postNotFound(postId);
  return { post, path };
}

export function assertMayAuthor(actor: Actor, path: readonly string[]): void {
  if (!mayAuthor(actor, path)) {
    throw new AppError('forbidden', 'post.not_author', {
      id: 'Anda tidak berwenang menulis atau mengubah pos satuan ini.',
      en: 'You may not write or change posts of this unit.',
    });
  }
}

export function assertExpectedVersion(post: Post, expected: number | undefined): void {
  if (expected !== undefined && expected !== post.version) {
    throw versionConflict({ expected, actual: post.version });
  }
}

export function blockedBy(findings: Finding[], code: string, kind: 'validation' | 'forbidden' = 'validation'): never {
  throw new AppError(kind, code, {
    id: findings.map((f) => f.message.id).join(' '),
    en: findings.map((f) => f.message.en).join(' '),
  }, { findings });
}

/**
 * Why the actor may not give this post its go-ahead now (approve it, or keep or renew an approval: a new
 * time, a late release, a retry); empty when they may.
 */
export async function approvalRefusal(db: Db, actor: Actor, post: Post, path: readonly string[], now: Date): Promise<Finding[]> {
  const findings = checkApprover(actor, { authorId: post.authorId, contributors: await contributorsOf(db, post.id) }, path);
  const first = await firstApprovalStanding(db, post, path);
  if (first) findings.push(...checkSecondApprover(actor, { by: first.by, unitPath: await unitPath(db, first.unitId) }));
  const hold = await db.selectFrom('users').select('approval_hold_until').where('id', '=', actor.id).executeTakeFirst();
  if (hold?.approval_hold_until && hold.approval_hold_until.getTime() > now.getTime()) {
    const unit = await getUnit(db, post.unitId);
    findings.push({
      code: HANDED_PASSWORD,
      severity: 'block',
      message: {
        id: `Kata sandi akun ini baru diberikan oleh admin, jadi akun ini belum dapat menyetujui pos sampai ${formatInZone(hold.approval_hold_until, unit.time_zone, 'id')}.`,
        en: `An admin handed this account its password recently, so it cannot approve posts until ${formatInZone(hold.approval_hold_until, unit.time_zone, 'en')}.`,
      },
    });
  }
  return findings;
}

const HANDED_PASSWORD = 'approval.after_handed_password';

/** Refuses the go-ahead for the reasons `approvalRefusal` gave. */
export function refuseApproval(findings: Finding[]): void {
  if (findings.length === 0) return;
  blockedBy(findings, findings.every((f) => f.code === HANDED_PASSWORD) ? HANDED_PASSWORD : 'approval.forbidden', 'forbidden');
}

/** Whether the post, where it sits in the unit tree, needs two approvals: marked sensitive, under a unit that asks for it. */
export async function needsTwoApprovals(db: Db, post: Post, path: readonly string[]): Promise<boolean> {
  if (!post.sensitive) return false;
  const row = await db.selectFrom('units').select((eb) => eb.fn.count<string>('id').as('n')).where('id', 'in', [...path]).where('two_approvals_for_sensitive', '=', true).executeTakeFirst();
  return Number(row?.n ?? 0) > 0;
}

/**
 * The first of two approvals, while it stands: given to the version the post has now, on a post still waiting
 * and still needing two. Any change since (a new version) voids it.
 */
export async function firstApprovalStanding(db: Db, post: Post, path: readonly string[]): Promise<{ by: string; at: Date; unitId: string } | undefined> {
  const first = post.firstApproval;
  if (post.status !== 'pending_approval' || first?.version !== post.version || !(await needsTwoApprovals(db, post, path))) return undefined;
  // A first approval counts while its giver still may approve: one demoted or disabled since no longer stands.
  const giver = await db.selectFrom('users').select(['role', 'disabled']).where('id', '=', first.by).executeTakeFirst();
  if (giver?.role !== 'supervisor' || giver.disabled) return undefined;
  return { by: first.by, at: first.at, unitId: first.unitId };
}
