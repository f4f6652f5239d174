import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ImageEngine } from '../../workers/media/sharp-engine';
import type { DB } from '../storage/schema';
import type { MediaStore } from './media-store';

/** What the use cases need of the job engine: ask for a photo's renditions, at most once per version. */
export interface RenditionQueue {
  enqueue(photoId: string, version: number): Promise<void>;
}

export interface MediaDeps {
  db: Kysely<DB>;
  store: MediaStore;
  queue: RenditionQueue;
  engine: ImageEngine;
  log: Logger;
  now: () => Date;
  /** MEDIA_MAX_UPLOAD_BYTES */
  maxBytes: number;
  /** MEDIA_MAX_PIXELS */
  maxPixels: number;
  /** MEDIA_DECODE_MB in bytes: the memory one photo's decoding may hold. */
  decodeBudgetBytes: number;
  /** Folder for uploads in flight, e.g. `${DATA_DIR}/tmp/uploads`. */
  tmpDir: string;
  /** MEDIA_SIGNED_URL_SECONDS */
  signedUrlSeconds: number;
  /** From mediaSigningKey(secret key): checks the signatures of rendition URLs. */
  signingKey: Buffer;
}
