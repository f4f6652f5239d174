import { AppError } from '../../shared/errors';
import type { Actor, Post } from '../../shared/post';
import type { Finding } from '../../shared/rules/finding';
import { inReach, mayAuthor } from '../../shared/rules/permissions';
import { unitPath } from '../units/unit.repository';
import { type Db, getPost, postNotFound, versionConflict } from './post.repository';

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
