// A unit's admin sets the logo its renditions carry; photos not yet approved are rendered again with it.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { Actor } from '../../shared/post';
import { inReach } from '../../shared/rules/permissions';
import { getUnit, unitPath } from '../units/unit.repository';
import type { Db } from './photo.repository';
import type { MediaDeps } from './deps';
import { mediaErrors } from './media-errors';
import { PHOTO_EDITABLE } from './photo-access';
import { receivePhoto } from './upload-intake';

export const WatermarkSettings = z.strictObject({
  corner: z.enum(['top-left', 'top-right', 'bottom-left', 'bottom-right']).default('bottom-right'),
  /** 0.05..1. Default 0.6. */
  opacity: z.coerce.number().min(0.05).max(1).default(0.6),
  /** Logo width as a fraction of the photo's width, 0.03..0.5. Default 0.15. */
  scale: z.coerce.number().min(0.03).max(0.5).default(0.15),
});
export type WatermarkSettings = z.infer<typeof WatermarkSettings>;

export interface WatermarkView extends WatermarkSettings {
  unitId: string;
  enabled: boolean;
  updatedAt: string;
}

/** A logo is small: a tenth of the photo limit, and a few megapixels, is plenty. */
const LOGO_MAX_BYTES = 2 * 1024 * 1024;
const LOGO_MAX_PIXELS = 4_000_000;

async function assertAdminOf(db: Db, actor: Actor, unitId: string): Promise<void> {
  await getUnit(db, unitId);
  if (actor.role !== 'admin' || !inReach(actor, await unitPath(db, unitId))) throw mediaErrors.notAdmin();
}

export async function setUnitWatermark(
  deps: MediaDeps,
  actor: Actor,
  unitId: string,
  logo: { body: Readable; size?: number | undefined },
  settings: WatermarkSettings,
): Promise<WatermarkView> {
  await assertAdminOf(deps.db, actor, unitId);
  const received = await receivePhoto(logo.body, { size: logo.size }, {
    maxBytes: Math.min(LOGO_MAX_BYTES, deps.maxBytes),
    maxPixels: LOGO_MAX_PIXELS,
    decodeBudgetBytes: deps.decodeBudgetBytes,
    tmpDir: deps.tmpDir,
    engine: deps.engine,
  });
  const key = `originals/watermarks/${unitId}/${randomUUID()}`;
  try {
    await deps.store.put(key, { file: received.file }, received.mime);
  } finally {
    await fs.rm(received.file, { force: true });
  }
  const now = deps.now();
  const { previousKey, row } = await deps.db.transaction().execute(async (trx) => {
    const previous = await trx.selectFrom('unit_watermarks').select('logo_key').where('unit_id', '=', unitId).forUpdate().executeTakeFirst();
    const values = { logo_key: key, ...settings, enabled: true, updated_by: actor.id, updated_at: now };
    const saved = await trx
      .insertInto('unit_watermarks')
      .values({ unit_id: unitId, ...values })
      .onConflict((oc) => oc.column('unit_id').doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    return { previousKey: previous?.logo_key, row: saved };
  });
  if (previousKey) await deps.store.delete(previousKey);
  await rerenderOpenPhotos(deps, unitId);
  return { unitId, corner: row.corner, opacity: row.opacity, scale: row.scale, enabled: row.enabled, updatedAt: row.updated_at.toISOString() };
}

export async function removeUnitWatermark(deps: MediaDeps, actor: Actor, unitId: string): Promise<void> {
  await assertAdminOf(deps.db, actor, unitId);
  const row = await deps.db.deleteFrom('unit_watermarks').where('unit_id', '=', unitId).returning('logo_key').executeTakeFirst();
  if (!row) return;
  await deps.store.delete(row.logo_key);
  await rerenderOpenPhotos(deps, unitId);
}

/**
 * Photos whose post is still open to change are rendered again; approved and published ones keep
 * the renditions the supervisor saw.
 */
async function rerenderOpenPhotos(deps: MediaDeps, unitId: string): Promise<void> {
  const now = deps.now();
  const bumped = await deps.db.transaction().execute(async (trx) => {
    const photos = await trx
      .updateTable('photos')
      .set((eb) => ({ version: eb('version', '+', 1), status: 'processing', updated_at: now }))
      .where('unit_id', '=', unitId)
      .where((eb) =>
        eb.or([
          eb('post_id', 'is', null),
          eb('post_id', 'in', eb.selectFrom('posts').select('id').where('status', 'in', [...PHOTO_EDITABLE])),
        ]),
      )
      .returning(['id', 'version', 'post_id'])
      .execute();
    // A post awaiting approval now goes out with other pixels: a supervisor who opened it before must look again.
    const posts = [...new Set(photos.flatMap((p) => (p.post_id ? [p.post_id] : [])))];
    if (posts.length > 0) {
      await trx
        .updateTable('posts')
        .set((eb) => ({ version: eb('version', '+', 1), updated_at: now }))
        .where('id', 'in', posts)
        .where('status', '=', 'pending_approval')
        .execute();
    }
    return photos;
  });
  for (const p of bumped) await deps.queue.enqueue(p.id, p.version);
}
