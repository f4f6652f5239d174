// An author changes a photo's alt text, order, fit or post, or removes it.
import { z } from 'zod';
import type { Actor } from '../../shared/post';
import type { MediaDeps } from './deps';
import { assertMayAuthorUnit, photoInReach, writablePost } from './photo-access';
import { appendPhotoEvent, renditionsOf, unreferencedKeys } from './photo.repository';
import { type PhotoView, viewPhoto } from './photo-view';
import { mediaErrors } from './media-errors';
import { bumpPostVersion } from '../posts/post.repository';
import { ALT_TEXT_MAX } from './upload-photo';

export const UpdatePhotoInput = z.strictObject({
  /** Read aloud by screen readers on every platform that takes it. */
  altText: z.string().max(ALT_TEXT_MAX).optional(),
  position: z.number().int().min(0).max(1000).optional(),
  /** How Instagram's aspect limits are met: `crop` (smart crop) or `pad` (white bars). */
  fit: z.enum(['crop', 'pad']).optional(),
  /** Attach to a post of the same unit, or `null` to detach. */
  postId: z.uuid().nullable().optional(),
});
export type UpdatePhotoInput = z.infer<typeof UpdatePhotoInput>;

export async function updatePhoto(deps: MediaDeps, actor: Actor, id: string, input: UpdatePhotoInput): Promise<PhotoView> {
  const now = deps.now();
  const { row, requeue } = await deps.db.transaction().execute(async (trx) => {
    const photo = await photoInReach(trx, actor, id, true);
    await assertMayAuthorUnit(trx, actor, photo.unit_id);
    // Both the post it leaves and the post it joins must still be open to change.
    if (photo.post_id) await writablePost(trx, actor, photo.post_id);
    if (input.postId) {
      const post = await writablePost(trx, actor, input.postId);
      if (post.unitId !== photo.unit_id) throw mediaErrors.unitMismatch();
    }
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    const note = <T>(field: string, before: T, after: T | undefined) => {
      if (after !== undefined && before !== after) changes[field] = { before, after };
    };
    note('altText', photo.alt_text, input.altText);
    note('position', photo.position, input.position);
    note('fit', photo.fit, input.fit);
    note('postId', photo.post_id, input.postId);
    if (Object.keys(changes).length === 0) return { row: photo, requeue: false };

    const pixelsChange = changes.fit !== undefined;
    const postChange = changes.postId !== undefined;
    const updated = await trx
      .updateTable('photos')
      .set({
        alt_text: input.altText ?? photo.alt_text,
        position: input.position ?? photo.position,
        fit: input.fit ?? photo.fit,
        post_id: input.postId === undefined ? photo.post_id : input.postId,
        version: pixelsChange ? photo.version + 1 : photo.version,
        status: pixelsChange ? 'processing' : photo.status,
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    for (const postId of new Set([photo.post_id, updated.post_id])) {
      if (!postId) continue;
      const type = !postChange ? 'photo_changed' : postId === updated.post_id ? 'photo_added' : 'photo_removed';
      await appendPhotoEvent(trx, { postId, actorId: actor.id, type, at: now, data: { photoId: id, changes } });
      await bumpPostVersion(trx, postId, now);
    }
    // A new post may publish on channels the photo has no rendition for yet.
    return { row: updated, requeue: pixelsChange || (postChange && updated.post_id !== null) };
  });
  if (requeue) await deps.queue.enqueue(row.id, row.version);
  return viewPhoto(row, await renditionsOf(deps.db, [row.id]), deps.store, deps.signedUrlSeconds, now);
}

export async function removePhoto(deps: MediaDeps, actor: Actor, id: string): Promise<void> {
  const now = deps.now();
  const { originalKey, renditionKeys } = await deps.db.transaction().execute(async (trx) => {
    const photo = await photoInReach(trx, actor, id, true);
    await assertMayAuthorUnit(trx, actor, photo.unit_id);
    if (photo.post_id) {
      await writablePost(trx, actor, photo.post_id);
      await appendPhotoEvent(trx, { postId: photo.post_id, actorId: actor.id, type: 'photo_removed', at: now, data: { photoId: id, altText: photo.alt_text } });
      await bumpPostVersion(trx, photo.post_id, now);
    }
    const renditions = await renditionsOf(trx, [id]);
    await trx.deleteFrom('photo_renditions').where('photo_id', '=', id).execute();
    await trx.deleteFrom('photos').where('id', '=', id).execute();
    return { originalKey: photo.original_key, renditionKeys: await unreferencedKeys(trx, renditions.map((r) => r.key)) };
  });
  // After the commit: a failed delete leaves an orphan file, never a row pointing at nothing.
  for (const key of [originalKey, ...renditionKeys]) {
    try {
      await deps.store.delete(key);
    } catch (e) {
      deps.log.warn({ err: e, key }, 'could not delete a removed photo file');
    }
  }
}
