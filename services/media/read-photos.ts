// Reading photos: for the editor and the supervisor (signed preview URLs), and for the publishers.
import { ALL_PROFILES, primaryRenditionName, profilesFor, renditionsFor } from '../../shared/media/rendition-profiles';
import type { Actor, PlatformKind } from '../../shared/post';
import { inReach } from '../../shared/rules/permissions';
import { unitPath } from '../units/unit.repository';
import type { MediaDeps } from './deps';
import type { MediaStore } from './media-store';
import { photoInReach } from './photo-access';
import { type Db, channelKindsOfPost, photosOfPost, renditionsOf } from './photo.repository';
import { type PhotoView, viewPhoto } from './photo-view';
import { AppError } from '../../shared/errors';
import { isUuid } from '../../shared/ids';

export async function getPhoto(deps: MediaDeps, actor: Actor, id: string): Promise<PhotoView> {
  const photo = await photoInReach(deps.db, actor, id);
  return viewPhoto(photo, await renditionsOf(deps.db, [id]), deps.store, deps.signedUrlSeconds, deps.now());
}

export async function listPostPhotos(deps: MediaDeps, actor: Actor, postId: string): Promise<PhotoView[]> {
  const post = isUuid(postId)
    ? await deps.db.selectFrom('posts').select(['id', 'unit_id']).where('id', '=', postId).executeTakeFirst()
    : undefined;
  if (!post || !inReach(actor, await unitPath(deps.db, post.unit_id))) {
    throw new AppError('not-found', 'post.not_found', { id: `Pos ${postId} tidak ditemukan.`, en: `Post ${postId} not found.` });
  }
  const photos = await photosOfPost(deps.db, postId);
  const renditions = await renditionsOf(deps.db, photos.map((p) => p.id));
  const now = deps.now();
  return photos.map((p) => viewPhoto(p, renditions, deps.store, deps.signedUrlSeconds, now));
}

/**
 * Queues renditions for every photo of the post. The posts backbone calls this after a post's
 * channels change, so a newly chosen platform gets its renditions before approval.
 */
export async function queuePostRenditions(deps: Pick<MediaDeps, 'db' | 'queue'>, postId: string): Promise<void> {
  for (const photo of await photosOfPost(deps.db, postId)) await deps.queue.enqueue(photo.id, photo.version);
}

export interface PublishablePhoto {
  photoId: string;
  altText: string;
  key: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  /** Signed, expiring: what a platform fetching by URL (Instagram) is given. */
  url: string;
  /**
   * Unsigned and lasting: served to anyone from the moment the post goes out (services/media/serve-media.ts)
   * until it is taken back; what a receiver that keeps the link (a webhook) is given.
   */
  publicUrl: string;
}

export type PhotosForChannel =
  | { ready: true; photos: PublishablePhoto[] }
  /** Some photo has no current rendition for this channel yet (or its rendering failed): do not publish without it. */
  | { ready: false; missing: string[] };

/** The photos a publisher sends to one channel, in the post's order; read bytes with `store.get(key)`. */
export async function photosForChannel(
  db: Db,
  store: MediaStore,
  postId: string,
  kind: PlatformKind,
  ttlSeconds: number,
  now: Date = new Date(),
): Promise<PhotosForChannel> {
  const name = primaryRenditionName(kind);
  // One query: each photo with its current rendition for this channel, if there is one yet.
  const rows = await db
    .selectFrom('photos as p')
    .leftJoin('photo_renditions as r', (j) => j.onRef('r.photo_id', '=', 'p.id').on('r.name', '=', name).onRef('r.photo_version', '=', 'p.version'))
    .select(['p.id', 'p.alt_text', 'r.key', 'r.mime', 'r.width', 'r.height', 'r.bytes'])
    .where('p.post_id', '=', postId)
    .orderBy('p.position')
    .orderBy('p.created_at')
    .execute();
  const out: PublishablePhoto[] = [];
  const missing: string[] = [];
  for (const r of rows) {
    if (r.key === null || r.mime === null || r.width === null || r.height === null || r.bytes === null) {
      missing.push(r.id);
      continue;
    }
    out.push({
      photoId: r.id,
      altText: r.alt_text,
      key: r.key,
      mime: r.mime,
      width: r.width,
      height: r.height,
      bytes: r.bytes,
      url: store.signedUrl(r.key, ttlSeconds, now),
      publicUrl: store.publicUrl(r.key),
    });
  }
  return missing.length > 0 ? { ready: false, missing } : { ready: true, photos: out };
}

/** Rendition names the photo needs now: those of its post's channels, or every profile while unattached. */
export async function neededRenditionNames(db: Db, postId: string | null): Promise<string[]> {
  const profiles = postId ? profilesFor(await channelKindsOfPost(db, postId)) : undefined;
  return renditionsFor(profiles ?? ALL_PROFILES).map((r) => r.name);
}
