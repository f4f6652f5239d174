// Who may touch which photo: the same chain of command as the post the photo belongs to.
import { AppError } from '../../shared/errors';
import type { Actor, PostStatus } from '../../shared/post';
import { inReach, mayAuthor } from '../../shared/rules/permissions';
import { unitPath } from '../units/unit.repository';
import type { PhotoRow } from '../storage/schema';
import { mediaErrors } from './media-errors';
import { type Db, getPhotoRow } from './photo.repository';
import { isUuid } from '../../shared/ids';

/**
 * Statuses in which a post's photos may change. An approved post is not among them: its photos are
 * what the supervisor approved, and only editing the post (which sends it back) may reopen them.
 */
export const PHOTO_EDITABLE: readonly PostStatus[] = ['draft', 'pending_approval', 'rejected', 'expired'];

export async function assertMayAuthorUnit(db: Db, actor: Actor, unitId: string): Promise<void> {
  if (!mayAuthor(actor, await unitPath(db, unitId))) throw mediaErrors.notAuthor();
}

/** A photo the actor may see; others' photos answer as if they did not exist. */
export async function photoInReach(db: Db, actor: Actor, id: string, forUpdate = false): Promise<PhotoRow> {
  const photo = await getPhotoRow(db, id, forUpdate);
  if (!inReach(actor, await unitPath(db, photo.unit_id))) throw mediaErrors.notFound(id);
  return photo;
}

/** The post a photo is attached to, checked writable by the actor; the row is locked for the transaction. */
export async function writablePost(db: Db, actor: Actor, postId: string): Promise<{ id: string; unitId: string }> {
  if (!isUuid(postId)) throw postNotFound(postId);
  const post = await db
    .selectFrom('posts')
    .select(['id', 'unit_id', 'status'])
    .where('id', '=', postId)
    .forUpdate()
    .executeTakeFirst();
  const path = post ? await unitPath(db, post.unit_id) : [];
  if (!post || !inReach(actor, path)) {
    throw postNotFound(postId);
  }
  if (!mayAuthor(actor, path)) throw mediaErrors.notAuthor();
  if (!PHOTO_EDITABLE.includes(post.status)) throw mediaErrors.postLocked(post.status);
  return { id: post.id, unitId: post.unit_id };
}

function postNotFound(id: string): AppError {
  return new AppError('not-found', 'post.not_found', { id: `Pos ${id} tidak ditemukan.`, en: `Post ${id} not found.` });
}
