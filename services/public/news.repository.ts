// What the public news pages read: a unit's published items a page at a time, one item, and their photos.
import type { Kysely, Selectable } from 'kysely';
import type { DB, NewsItemsTable } from '../storage/schema';

export type NewsItem = Selectable<NewsItemsTable>;

/** Where a page of the list starts: just older than the anchor, or just newer (and then read backwards). */
export type NewsPosition = { kind: 'newest' } | { kind: 'older' | 'newer'; anchor: NewsItem };

export interface NewsPage {
  items: NewsItem[];
  /** Some item is older than the last one shown. */
  hasOlder: boolean;
  /**
   * How the newer items are reached: none, the front page (the first page holds them all), or a page
   * just newer than the first item shown.
   */
  newer: 'none' | 'front' | 'page';
}

export interface Rendition {
  key: string;
  width: number;
  height: number;
  mime: string;
}

export interface NewsPhoto {
  id: string;
  postId: string;
  alt: string;
  /** The news page's renditions, narrowest first. */
  renditions: Rendition[];
}

/** Any item of the unit, taken back or not: an old link to a later page keeps its place in time. */
export function findNewsItem(db: Kysely<DB>, unitId: string, postId: string): Promise<NewsItem | undefined> {
  return db.selectFrom('news_items').selectAll().where('post_id', '=', postId).where('unit_id', '=', unitId).executeTakeFirst();
}

/**
 * A page of what the unit published, newest first. Keyset on (published_at, post_id) rather than an offset:
 * a page costs the same however deep, and an item published meanwhile does not shift the older pages by one.
 */
export async function newsPage(db: Kysely<DB>, unitId: string, position: NewsPosition, size: number): Promise<NewsPage> {
  const live = db.selectFrom('news_items').where('unit_id', '=', unitId).where('retracted_at', 'is', null);
  const olderThan = (item: NewsItem) => live.where((eb) => eb(eb.refTuple('published_at', 'post_id'), '<', eb.tuple(item.published_at, item.post_id)));
  const newerThan = (item: NewsItem) => live.where((eb) => eb(eb.refTuple('published_at', 'post_id'), '>', eb.tuple(item.published_at, item.post_id)));

  let items: NewsItem[];
  if (position.kind === 'newer') {
    const rows = await newerThan(position.anchor).selectAll().orderBy('published_at', 'asc').orderBy('post_id', 'asc').limit(size).execute();
    items = rows.reverse();
  } else {
    const from = position.kind === 'older' ? olderThan(position.anchor) : live;
    items = await from.selectAll().orderBy('published_at', 'desc').orderBy('post_id', 'desc').limit(size).execute();
  }
  const first = items[0];
  const last = items.at(-1);
  if (!first || !last) {
    // Nothing on this page (everything after the anchor was taken back): offer the way home when there was an anchor.
    return { items, hasOlder: false, newer: position.kind === 'newest' ? 'none' : 'front' };
  }
  const [older, newer] = await Promise.all([
    olderThan(last).select('post_id').limit(1).execute(),
    // One more than a page tells whether the front page holds every newer item.
    newerThan(first).select('post_id').limit(size + 1).execute(),
  ]);
  return { items, hasOlder: older.length > 0, newer: newer.length === 0 ? 'none' : newer.length <= size ? 'front' : 'page' };
}

export async function newsItems(db: Kysely<DB>, unitId: string, limit: number): Promise<NewsItem[]> {
  return db.selectFrom('news_items').selectAll().where('unit_id', '=', unitId).where('retracted_at', 'is', null).orderBy('published_at', 'desc').orderBy('post_id', 'desc').limit(limit).execute();
}

/** Each post's photos in their order, with the renditions made for the news page. */
export async function newsPhotos(db: Kysely<DB>, postIds: string[]): Promise<Map<string, NewsPhoto[]>> {
  const out = new Map<string, NewsPhoto[]>();
  if (postIds.length === 0) return out;
  const rows = await db
    .selectFrom('photos as p')
    .innerJoin('photo_renditions as r', (j) => j.onRef('r.photo_id', '=', 'p.id').onRef('r.photo_version', '=', 'p.version'))
    .select(['p.id', 'p.post_id', 'p.position', 'p.alt_text', 'r.key', 'r.width', 'r.height', 'r.mime'])
    .where('p.post_id', 'in', postIds)
    .where('r.profile', '=', 'news_page')
    .orderBy('p.position')
    .orderBy('p.id')
    .orderBy('r.width')
    .execute();
  const byPhoto = new Map<string, NewsPhoto>();
  for (const r of rows) {
    if (!r.post_id) continue;
    let photo = byPhoto.get(r.id);
    if (!photo) {
      photo = { id: r.id, postId: r.post_id, alt: r.alt_text, renditions: [] };
      byPhoto.set(r.id, photo);
      out.set(r.post_id, [...(out.get(r.post_id) ?? []), photo]);
    }
    photo.renditions.push({ key: r.key, width: r.width, height: r.height, mime: r.mime });
  }
  return out;
}
