// The unit's logo on its public pages: the one its admin set for the photo watermark, made small once and kept.
// The original never leaves the store (originals are never served); the page gets a 192-pixel PNG of it.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { MediaStore } from '../media/media-store';
import type { DB } from '../storage/schema';
import type { ImageEngine } from '../../workers/media/sharp-engine';

export interface UnitLogos {
  /** A short version of the unit's logo (it changes when the admin sets another), or undefined when it has none. */
  versionOf(unitId: string): Promise<string | undefined>;
  png(unitId: string): Promise<{ body: Buffer; version: string } | undefined>;
}

const SIZE = 192;
/** Small PNGs of a few kilobytes each: a bounded number of units' logos kept in memory. */
const KEPT = 64;

export function unitLogos(db: Kysely<DB>, store: MediaStore, engine: ImageEngine): UnitLogos {
  const kept = new Map<string, Buffer>();
  const keyOf = async (unitId: string) =>
    (await db.selectFrom('unit_watermarks').select('logo_key').where('unit_id', '=', unitId).executeTakeFirst())?.logo_key;
  const version = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 12);
  return {
    async versionOf(unitId) {
      const key = await keyOf(unitId);
      return key === undefined ? undefined : version(key);
    },
    async png(unitId) {
      const key = await keyOf(unitId);
      if (key === undefined) return undefined;
      let body = kept.get(key);
      if (!body) {
        // The logo passed the upload's checks (size, pixels, decodes) when it was set; its limit still applies.
        const out = await engine
          .open(await store.get(key), { limitInputPixels: 4_000_000, failOn: 'error' })
          .autoOrient()
          .resize({ width: SIZE, height: SIZE, fit: 'inside', withoutEnlargement: true })
          .png({ compressionLevel: 9 })
          .toBuffer({ resolveWithObject: true });
        body = out.data;
        if (kept.size >= KEPT) kept.delete(kept.keys().next().value!);
        kept.set(key, body);
      }
      return { body, version: version(key) };
    },
  };
}
