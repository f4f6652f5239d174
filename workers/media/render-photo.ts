// One photo's renditions: the ones its post's channels need and it lacks, at the photo's current version.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { RENDITIONS } from '../../shared/media/rendition-profiles';
import type { MediaStore } from '../../services/media/media-store';
import { renditionsOf, unreferencedKeys } from '../../services/media/photo.repository';
import { neededRenditionNames } from '../../services/media/read-photos';
import type { DB } from '../../services/storage/schema';
import { type Watermark, decodeBase, renderRenditions } from './image-processor';
import type { ImageEngine } from './sharp-engine';

export interface RenderDeps {
  db: Kysely<DB>;
  store: MediaStore;
  engine: ImageEngine;
  log: Logger;
  maxPixels: number;
}

export type RenderOutcome = 'rendered' | 'up-to-date' | 'stale';

const EXT = { jpeg: 'jpg', png: 'png', webp: 'webp' } as const;

export async function renderPhoto(deps: RenderDeps, photoId: string, version: number): Promise<RenderOutcome> {
  const photo = await deps.db.selectFrom('photos').selectAll().where('id', '=', photoId).executeTakeFirst();
  // Removed, or changed since the job was queued: the newer version has its own job.
  if (!photo || photo.version !== version) return 'stale';

  const needed = new Set(await neededRenditionNames(deps.db, photo.post_id));
  const have = new Set(
    (await renditionsOf(deps.db, [photoId])).filter((r) => r.photo_version === version).map((r) => r.name),
  );
  const todo = RENDITIONS.filter((s) => needed.has(s.name) && !have.has(s.name));
  if (todo.length === 0) {
    await deps.db.updateTable('photos').set({ status: 'ready', error: null }).where('id', '=', photoId).where('version', '=', version).execute();
    return 'up-to-date';
  }

  const original = await deps.store.get(photo.original_key);
  const watermark = await unitWatermark(deps, photo.unit_id);
  const base = await decodeBase(deps.engine, original, todo, photo.fit, deps.maxPixels);
  const rendered = await renderRenditions(deps.engine, base, todo, photo.fit, watermark);

  const made = rendered.map((r) => {
    const hash = createHash('sha256').update(r.data).digest('hex').slice(0, 32);
    return { ...r, key: `renditions/${hash}.${EXT[r.format]}`, hash };
  });
  // A small photo gives identical bytes for several widths: one file serves them all.
  const unique = new Map(made.map((m) => [m.key, m]));
  await Promise.all([...unique.values()].map((m) => deps.store.put(m.key, m.data, m.mime)));

  const result = await deps.db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('photos').select('version').where('id', '=', photoId).forUpdate().executeTakeFirst();
    if (!current || current.version !== version) return { outcome: 'stale' as const, dropped: made.map((m) => m.key) };
    const before = await renditionsOf(trx, [photoId]);
    const replaced = before.filter((b) => b.photo_version !== version || made.some((m) => m.name === b.name));
    if (replaced.length > 0) {
      await trx
        .deleteFrom('photo_renditions')
        .where('photo_id', '=', photoId)
        .where('name', 'in', replaced.map((b) => b.name))
        .execute();
    }
    await trx
      .insertInto('photo_renditions')
      .values(
        made.map((m) => ({
          photo_id: photoId,
          name: m.name,
          profile: RENDITIONS.find((s) => s.name === m.name)!.profile,
          photo_version: version,
          key: m.key,
          mime: m.mime,
          width: m.width,
          height: m.height,
          bytes: m.data.length,
          content_hash: m.hash,
        })),
      )
      .execute();
    await trx.updateTable('photos').set({ status: 'ready', error: null }).where('id', '=', photoId).execute();
    return { outcome: 'rendered' as const, dropped: replaced.map((b) => b.key) };
  });

  for (const key of await unreferencedKeys(deps.db, result.dropped)) await deps.store.delete(key);
  deps.log.debug({ photoId, version, renditions: made.map((m) => m.name), outcome: result.outcome }, 'photo rendered');
  return result.outcome;
}

export async function markRenderFailed(db: Kysely<DB>, photoId: string, version: number, error: string): Promise<void> {
  await db
    .updateTable('photos')
    .set({ status: 'failed', error: error.slice(0, 500) })
    .where('id', '=', photoId)
    .where('version', '=', version)
    .execute();
}

async function unitWatermark(deps: RenderDeps, unitId: string): Promise<Watermark | undefined> {
  const row = await deps.db
    .selectFrom('unit_watermarks')
    .selectAll()
    .where('unit_id', '=', unitId)
    .where('enabled', '=', true)
    .executeTakeFirst();
  if (!row) return undefined;
  return { logo: await deps.store.get(row.logo_key), corner: row.corner, opacity: row.opacity, scale: row.scale };
}
