import type { Kysely, Transaction } from 'kysely';
import type { PlatformKind } from '../../shared/post';
import type { DB, PhotoRenditionRow, PhotoRow } from '../storage/schema';
import { mediaErrors } from './media-errors';
import { appendEvent, masked } from '../posts/post.repository';
import { isUuid } from '../../shared/ids';

export type Db = Kysely<DB> | Transaction<DB>;

export async function getPhotoRow(db: Db, id: string, forUpdate = false): Promise<PhotoRow> {
  if (!isUuid(id)) throw mediaErrors.notFound(id);
  let q = db.selectFrom('photos').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw mediaErrors.notFound(id);
  return row;
}

export async function photosOfPost(db: Db, postId: string): Promise<PhotoRow[]> {
  return db.selectFrom('photos').selectAll().where('post_id', '=', postId).orderBy('position').orderBy('created_at').execute();
}

export async function renditionsOf(db: Db, photoIds: readonly string[]): Promise<PhotoRenditionRow[]> {
  if (photoIds.length === 0) return [];
  return db.selectFrom('photo_renditions').selectAll().where('photo_id', 'in', photoIds).orderBy('name').execute();
}

/** Kinds of the channels the post still goes out on. */
export async function channelKindsOfPost(db: Db, postId: string): Promise<PlatformKind[]> {
  const rows = await db
    .selectFrom('post_targets as t')
    .innerJoin('channels as c', 'c.id', 't.channel_id')
    .select('c.kind')
    .distinct()
    .where('t.post_id', '=', postId)
    .where('t.status', '!=', 'cancelled')
    .execute();
  return rows.map((r) => r.kind);
}

export async function nextPosition(db: Db, postId: string | null): Promise<number> {
  if (postId === null) return 0;
  const row = await db
    .selectFrom('photos')
    .select((eb) => eb.fn.max<number | null>('position').as('max'))
    .where('post_id', '=', postId)
    .executeTakeFirst();
  return row?.max == null ? 0 : row.max + 1;
}

/** Store keys no row refers to any more, out of those given: safe to delete. */
export async function unreferencedKeys(db: Db, keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const used = await db.selectFrom('photo_renditions').select('key').where('key', 'in', keys).execute();
  const usedSet = new Set(used.map((r) => r.key));
  return [...new Set(keys)].filter((k) => !usedSet.has(k));
}

/** A photo's change in the post's history; its alt texts are kept masked, like every text there. */
export async function appendPhotoEvent(
  db: Db,
  e: { postId: string; actorId: string; type: string; at: Date; data: Record<string, unknown> },
): Promise<void> {
  const data = { ...e.data } as Record<string, unknown> & { altText?: unknown; changes?: Record<string, { before: unknown; after: unknown }> };
  if (typeof data.altText === 'string') data.altText = masked(data.altText);
  const alt = data.changes?.altText;
  if (alt) data.changes = { ...data.changes, altText: { before: typeof alt.before === 'string' ? masked(alt.before) : alt.before, after: typeof alt.after === 'string' ? masked(alt.after) : alt.after } };
  await appendEvent(db, { postId: e.postId, actorId: e.actorId, type: e.type, at: e.at, data });
}
