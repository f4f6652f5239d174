// A unit's news page with a long history, quickly: posts are written through the API, and their news items
// are recorded as published earlier (as the news page channel records them), without waiting on the workers.
import type { Kysely } from 'kysely';
import type { DB } from '../../services/storage/schema';
import { client, inSeconds } from './harness';

export interface HistoryItem {
  postId: string;
  title: string;
  publishedAt: Date;
}

/**
 * `count` items, the newest `newestAt` and each older by ten minutes, except the pairs at `sameInstant`
 * (indexes from the newest), published at one instant as two channels' jobs can be.
 */
export async function seedNewsHistory(
  db: Kysely<DB>,
  site: { url: string; token: string; channelId: string; unitId: string },
  opts: { count: number; newestAt: Date; sameInstant?: number[]; label?: string },
): Promise<HistoryItem[]> {
  const operator = client(site.url, site.token);
  const items: HistoryItem[] = [];
  let at = opts.newestAt.getTime();
  for (let n = 0; n < opts.count; n++) {
    if (n > 0 && !(opts.sameInstant ?? []).includes(n)) at -= 10 * 60_000;
    const title = `${opts.label ?? 'Kegiatan'} ke-${String(opts.count - n)}`;
    const created = await operator('POST', '/api/v1/posts', { title, body: `Laporan ${title.toLowerCase()} Humas.`, channelIds: [site.channelId], scheduledAt: inSeconds(3600) });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
    const postId: string = created.body.id;
    const target = await db.selectFrom('post_targets').select('id').where('post_id', '=', postId).where('channel_id', '=', site.channelId).executeTakeFirstOrThrow();
    const publishedAt = new Date(at);
    await db.insertInto('news_items').values({ post_id: postId, unit_id: site.unitId, target_id: target.id, title, body: `Laporan ${title.toLowerCase()} Humas.`, published_at: publishedAt }).execute();
    items.push({ postId, title, publishedAt });
  }
  return items;
}

/** The posts a list page shows, in its order. */
export function listedIds(html: string): string[] {
  return [...html.matchAll(/<article class="story" id="post-([0-9a-f-]{36})"/g)].map((m) => m[1]!);
}

/** The href of the link with this class (`older`, `newer`), entities undone. */
export function linkOf(html: string, cls: string): string | undefined {
  const m = new RegExp(`<a class="${cls}"[^>]* href="([^"]+)"`).exec(html);
  return m?.[1]?.replace(/&#38;/g, '&');
}
