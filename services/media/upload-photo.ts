// An operator sends a photo: it is checked at the door, kept privately, recorded, and its renditions are queued.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Fit } from '../../shared/media/rendition-profiles';
import type { Actor } from '../../shared/post';
import type { MediaDeps } from './deps';
import { assertMayAuthorUnit, writablePost } from './photo-access';
import { appendPhotoEvent, nextPosition } from './photo.repository';
import { bumpPostVersion } from '../posts/post.repository';
import { type PhotoView, viewPhoto } from './photo-view';
import { receivePhoto } from './upload-intake';

export interface UploadPhotoInput {
  body: Readable;
  filename?: string | undefined;
  /** Declared length in bytes (Content-Length), when known. */
  size?: number | undefined;
  /** Attach to this post (its unit is the photo's unit). */
  postId?: string | undefined;
  /** Without a post: the unit the photo belongs to; defaults to the actor's. */
  unitId?: string | undefined;
  altText?: string | undefined;
  fit?: Fit | undefined;
}

export const ALT_TEXT_MAX = 1000;

export async function uploadPhoto(deps: MediaDeps, actor: Actor, input: UploadPhotoInput): Promise<PhotoView> {
  // Permission first: nobody streams megabytes only to be told they may not.
  let unitId = input.unitId ?? actor.unitId;
  if (input.postId) {
    unitId = (await writablePost(deps.db, actor, input.postId)).unitId;
  } else {
    await assertMayAuthorUnit(deps.db, actor, unitId);
  }

  const received = await receivePhoto(
    input.body,
    { filename: input.filename, size: input.size },
    { maxBytes: deps.maxBytes, maxPixels: deps.maxPixels, decodeBudgetBytes: deps.decodeBudgetBytes, tmpDir: deps.tmpDir, engine: deps.engine },
  );
  const id = randomUUID();
  const originalKey = `originals/${unitId}/${id}`;
  try {
    await deps.store.put(originalKey, { file: received.file }, received.mime);
  } finally {
    await fs.rm(received.file, { force: true });
  }

  const now = deps.now();
  let row;
  try {
    row = await deps.db.transaction().execute(async (trx) => {
      // Re-checked under the post's row lock: it may have been approved while the bytes arrived.
      if (input.postId) await writablePost(trx, actor, input.postId);
      const inserted = await trx
        .insertInto('photos')
        .values({
          id,
          unit_id: unitId,
          post_id: input.postId ?? null,
          uploaded_by: actor.id,
          position: await nextPosition(trx, input.postId ?? null),
          alt_text: (input.altText ?? '').slice(0, ALT_TEXT_MAX),
          fit: input.fit ?? 'crop',
          original_key: originalKey,
          mime: received.mime,
          width: received.width,
          height: received.height,
          bytes: received.bytes,
          sha256: received.sha256,
          phash: received.photoHash,
          status: 'processing',
          version: 1,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (input.postId) {
        await appendPhotoEvent(trx, {
          postId: input.postId,
          actorId: actor.id,
          type: 'photo_added',
          at: now,
          data: { photoId: id, sha256: received.sha256, width: received.width, height: received.height, altText: input.altText ?? '' },
        });
        await bumpPostVersion(trx, input.postId, now);
      }
      return inserted;
    });
  } catch (e) {
    await deps.store.delete(originalKey);
    throw e;
  }
  await deps.queue.enqueue(row.id, row.version);
  deps.log.info({ photoId: row.id, unitId, bytes: row.bytes, mime: row.mime }, 'photo received');
  return viewPhoto(row, [], deps.store, deps.signedUrlSeconds, now);
}
