// Photos on the local disk under DATA_DIR/media: enough for one server.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type MediaStore, type StoredObject, mediaUrls, assertMediaKey } from './media-store';

export interface LocalMediaStoreOptions {
  /** Folder holding `originals/` and `renditions/`, e.g. `${DATA_DIR}/media`. */
  root: string;
  /** Absolute base URL the routes are reached under, without a trailing slash. */
  /** Where the API is reached; a function when the port is known only once it listens. */
  baseUrl: string | (() => string);
  signingKey: Buffer;
}

const TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
};

export function createLocalMediaStore(opts: LocalMediaStoreOptions): MediaStore {
  const root = path.resolve(opts.root);
  const urls = mediaUrls(opts.baseUrl, opts.signingKey);

  const fileOf = (key: string): string => {
    assertMediaKey(key);
    return path.join(root, key);
  };

  return {
    async put(key, source, _contentType) {
      const file = fileOf(key);
      await fs.mkdir(path.dirname(file), { recursive: true });
      // Written beside the target and renamed, so a reader never sees half a file.
      const tmp = `${file}.${randomUUID()}.part`;
      try {
        if (Buffer.isBuffer(source)) {
          await fs.writeFile(tmp, source);
          await fs.rename(tmp, file);
          return;
        }
        try {
          await fs.rename(source.file, file);
          return;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
        }
        await fs.copyFile(source.file, tmp);
        await fs.rename(tmp, file);
        await fs.rm(source.file, { force: true });
      } catch (e) {
        await fs.rm(tmp, { force: true });
        throw e;
      }
    },
    async get(key) {
      return fs.readFile(fileOf(key));
    },
    async stream(key): Promise<StoredObject | undefined> {
      const file = fileOf(key);
      let stat;
      try {
        stat = await fs.stat(file);
      } catch {
        return undefined;
      }
      return {
        stream: createReadStream(file),
        bytes: stat.size,
        contentType: TYPES[path.extname(file)] ?? 'application/octet-stream',
      };
    },
    async delete(key) {
      await fs.rm(fileOf(key), { force: true });
    },
    ...urls,
  };
}
