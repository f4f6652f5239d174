import { randomUUID } from 'node:crypto';
import { CompiledQuery, type Kysely, sql } from 'kysely';
import { AppError } from '../../shared/errors';
import type { TimeZone } from '../../shared/time';
import type { DB, UnitRow } from '../storage/schema';

export type Unit = UnitRow;

const UNIT_PATH = 'select siaran_unit_path($1) as path';

export async function findUnitBySlug(db: Kysely<DB>, slug: string): Promise<Unit | undefined> {
  return db.selectFrom('units').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function getUnit(db: Kysely<DB>, id: string): Promise<Unit> {
  const unit = await db.selectFrom('units').selectAll().where('id', '=', id).executeTakeFirst();
  if (!unit) throw unitNotFound(id);
  return unit;
}

export function unitNotFound(ref: string): AppError {
  return new AppError('not-found', 'unit.not_found', {
    id: `Satuan "${ref}" tidak ditemukan.`,
    en: `Unit "${ref}" not found.`,
  });
}

/**
 * A unit's path never changes: units are never moved, and the database refuses to change a unit's parent
 * (migrations/0006). So each process keeps the paths it has read; nearly every request asks for one.
 */
const paths = new Map<string, readonly string[]>();
/** Indonesia's police have about 6,000 units; the bound only keeps a runaway from growing without end. */
const PATHS_MAX = 50_000;

/** The unit's id and its ancestors' ids, root first; empty for an unknown unit. */
export async function unitPath(db: Kysely<DB>, unitId: string): Promise<string[]> {
  const known = paths.get(unitId);
  if (known) return [...known];
  const result = await db.executeQuery<{ path: string[] }>(CompiledQuery.raw(UNIT_PATH, [unitId]));
  const path = result.rows[0]?.path ?? [];
  if (path.length > 0) {
    if (paths.size >= PATHS_MAX) paths.clear();
    paths.set(unitId, path);
  }
  return [...path];
}

/** The unit's id and every unit below it. */
export async function unitAndDescendants(db: Kysely<DB>, unitId: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    with recursive down(id) as (
      select id from units where id = ${unitId}
      union all
      select u.id from units u join down on u.parent_id = down.id
    )
    select id from down`.execute(db);
  return result.rows.map((r) => r.id);
}

export async function addUnit(
  db: Kysely<DB>,
  input: { slug: string; name: string; parentSlug?: string | undefined; timeZone: TimeZone },
): Promise<Unit> {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(input.slug) || input.slug.length > 64) {
    throw new AppError('validation', 'unit.bad_slug', {
      id: 'Slug hanya boleh huruf kecil, angka dan tanda hubung.',
      en: 'A slug may hold lowercase letters, digits and hyphens only.',
    });
  }
  // Inside a caller's transaction (the first run's set-up) it joins it; otherwise it is its own.
  const inTransaction = <T>(work: (trx: Kysely<DB>) => Promise<T>) => (db.isTransaction ? work(db) : db.transaction().execute(work));
  return inTransaction(async (trx) => {
    if (await findUnitBySlug(trx, input.slug)) {
      throw new AppError('conflict', 'unit.slug_taken', {
        id: `Slug "${input.slug}" sudah dipakai.`,
        en: `Slug "${input.slug}" is taken.`,
      });
    }
    let parentId: string | null = null;
    if (input.parentSlug) {
      const parent = await findUnitBySlug(trx, input.parentSlug);
      if (!parent) throw unitNotFound(input.parentSlug);
      parentId = parent.id;
    }
    const unit = await trx
      .insertInto('units')
      .values({ id: randomUUID(), slug: input.slug, name: input.name, parent_id: parentId, time_zone: input.timeZone })
      .returningAll()
      .executeTakeFirstOrThrow();
    // Every unit owns its public news page from the start.
    await trx
      .insertInto('channels')
      .values({
        id: randomUUID(),
        unit_id: unit.id,
        kind: 'news_page',
        name: `Berita ${input.name}`,
        settings: JSON.stringify({}),
      })
      .execute();
    return unit;
  });
}

/** A slug from a unit's name: "Polda Lampung" → "polda-lampung". */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug === '' ? 'satuan' : slug;
}

/** The slug of a name that no unit holds yet: `polres-serang`, else `polres-serang-2`, and so on. */
export async function freeSlugFor(db: Kysely<DB>, name: string): Promise<string> {
  const base = slugOf(name);
  let slug = base;
  for (let n = 2; await findUnitBySlug(db, slug); n++) slug = `${base.slice(0, 60)}-${String(n)}`;
  return slug;
}
