import type { Fit } from '../../shared/media/rendition-profiles';
import type { PhotoRenditionRow, PhotoRow } from '../storage/schema';
import type { MediaStore } from './media-store';

export interface RenditionView {
  name: string;
  profile: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  /** Signed and expiring: works before the post is public. */
  url: string;
}

export interface PhotoView {
  id: string;
  unitId: string;
  postId: string | null;
  position: number;
  altText: string;
  fit: Fit;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  status: 'processing' | 'ready' | 'failed';
  error: string | null;
  version: number;
  createdAt: string;
  /** Only renditions of the current version: what the supervisor sees is what goes out. */
  renditions: RenditionView[];
}

export function viewPhoto(
  photo: PhotoRow,
  renditions: readonly PhotoRenditionRow[],
  store: MediaStore,
  ttlSeconds: number,
  now: Date,
): PhotoView {
  return {
    id: photo.id,
    unitId: photo.unit_id,
    postId: photo.post_id,
    position: photo.position,
    altText: photo.alt_text,
    fit: photo.fit,
    mime: photo.mime,
    width: photo.width,
    height: photo.height,
    bytes: photo.bytes,
    status: photo.status,
    error: photo.error,
    version: photo.version,
    createdAt: photo.created_at.toISOString(),
    renditions: renditions
      .filter((r) => r.photo_id === photo.id && r.photo_version === photo.version)
      .map((r) => ({
        name: r.name,
        profile: r.profile,
        mime: r.mime,
        width: r.width,
        height: r.height,
        bytes: r.bytes,
        url: store.signedUrl(r.key, ttlSeconds, now),
      })),
  };
}
