// The unit's own public news page and its Atom feed: what was published, newest first, for anyone.
import { type Request, type Response, Router } from 'express';
import type { Kysely } from 'kysely';
import { formatInZone } from '../../shared/time';
import type { DB, UnitRow } from '../storage/schema';
import { findUnitBySlug } from '../units/unit.repository';
import { escapeHtml, escapeXml, paragraphs } from './html';
import { isUuid } from '../../shared/ids';

const PAGE_SIZE = 30;
const FEED_SIZE = 50;

export function newsPageRoutes(db: Kysely<DB>, baseUrl: () => string, photoUrl?: (key: string) => string): Router {
  const router = Router();
  const figures = async (postIds: string[]) => (photoUrl ? pictures(db, postIds, photoUrl) : new Map<string, string>());

  router.get('/u/:slug', async (req: Request, res: Response) => {
    const unit = await unitOr404(db, req, res);
    if (!unit) return;
    const items = await latest(db, unit.id, PAGE_SIZE);
    const base = baseUrl();
    const photos = await figures(items.map((i) => i.post_id));
    const list = items
      .map(
        (i) => `<article id="post-${i.post_id}">
  <h2><a href="${base}/u/${escapeHtml(unit.slug)}/p/${i.post_id}">${escapeHtml(i.title)}</a></h2>
  <p class="when"><time datetime="${i.published_at.toISOString()}">${escapeHtml(formatInZone(i.published_at, unit.time_zone))}</time></p>
  ${photos.get(i.post_id) ?? ''}
  ${paragraphs(i.body)}
</article>`,
      )
      .join('\n');
    res.type('html').set('Cache-Control', 'public, max-age=60').send(page(unit, base, unit.name, list || '<p class="empty">Belum ada berita.</p>'));
  });

  router.get('/u/:slug/p/:postId', async (req: Request, res: Response) => {
    const unit = await unitOr404(db, req, res);
    if (!unit) return;
    const postId = String(req.params.postId);
    const item = isUuid(postId)
      ? await db.selectFrom('news_items').selectAll().where('post_id', '=', postId).where('unit_id', '=', unit.id).executeTakeFirst()
      : undefined;
    if (!item) {
      res.status(404).type('html').send(page(unit, baseUrl(), 'Tidak ditemukan', '<p>Berita ini tidak ada.</p>'));
      return;
    }
    if (item.retracted_at) {
      // Taken back by the unit: gone for good, and said so, so that search engines and readers drop it.
      res
        .status(410)
        .type('html')
        .set('Cache-Control', 'public, max-age=300')
        .send(page(unit, baseUrl(), 'Berita ditarik', `<p>Berita ini telah ditarik oleh ${escapeHtml(unit.name)} pada ${escapeHtml(formatInZone(item.retracted_at, unit.time_zone))}.</p>`));
      return;
    }
    const photos = await figures([item.post_id]);
    const body = `<article>
  <h2>${escapeHtml(item.title)}</h2>
  <p class="when"><time datetime="${item.published_at.toISOString()}">${escapeHtml(formatInZone(item.published_at, unit.time_zone))}</time></p>
  ${photos.get(item.post_id) ?? ''}
  ${paragraphs(item.body)}
</article>`;
    res.type('html').set('Cache-Control', 'public, max-age=300').send(page(unit, baseUrl(), item.title, body));
  });

  router.get('/u/:slug/feed.xml', async (req: Request, res: Response) => {
    const unit = await unitOr404(db, req, res);
    if (!unit) return;
    const items = await latest(db, unit.id, FEED_SIZE);
    const base = baseUrl();
    const self = `${base}/u/${encodeURIComponent(unit.slug)}/feed.xml`;
    const home = `${base}/u/${encodeURIComponent(unit.slug)}`;
    const updated = (items[0]?.published_at ?? unit.created_at).toISOString();
    const entries = items
      .map(
        (i) => `  <entry>
    <title>${escapeXml(i.title)}</title>
    <id>urn:uuid:${i.post_id}</id>
    <link rel="alternate" type="text/html" href="${escapeXml(`${home}/p/${i.post_id}`)}"/>
    <published>${i.published_at.toISOString()}</published>
    <updated>${i.published_at.toISOString()}</updated>
    <content type="text">${escapeXml(i.body)}</content>
  </entry>`,
      )
      .join('\n');
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="id">
  <title>${escapeXml(unit.name)}</title>
  <subtitle>${escapeXml(`Berita resmi ${unit.name}`)}</subtitle>
  <id>urn:uuid:${unit.id}</id>
  <link rel="self" type="application/atom+xml" href="${escapeXml(self)}"/>
  <link rel="alternate" type="text/html" href="${escapeXml(home)}"/>
  <updated>${updated}</updated>
  <author><name>${escapeXml(`Humas ${unit.name}`)}</name></author>
  <generator>Siaran</generator>
${entries}
</feed>
`;
    res.type('application/atom+xml; charset=utf-8').set('Cache-Control', 'public, max-age=60').send(xml);
  });

  return router;
}

async function unitOr404(db: Kysely<DB>, req: Request, res: Response): Promise<UnitRow | undefined> {
  const slug = String(req.params.slug);
  const unit = /^[a-z0-9-]{1,64}$/.test(slug) ? await findUnitBySlug(db, slug) : undefined;
  if (!unit) res.status(404).type('text').send('Satuan tidak ditemukan / unit not found');
  return unit;
}

/** Each post's photos as responsive pictures: WebP where the browser takes it, JPEG otherwise. */
async function pictures(db: Kysely<DB>, postIds: string[], photoUrl: (key: string) => string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (postIds.length === 0) return out;
  const rows = await db
    .selectFrom('photos as p')
    .innerJoin('photo_renditions as r', (j) => j.onRef('r.photo_id', '=', 'p.id').onRef('r.photo_version', '=', 'p.version'))
    .select(['p.id', 'p.post_id', 'p.position', 'p.alt_text', 'r.name', 'r.key', 'r.width', 'r.height', 'r.mime'])
    .where('p.post_id', 'in', postIds)
    .where('r.profile', '=', 'news_page')
    .orderBy('p.position')
    .orderBy('r.width')
    .execute();
  const byPhoto = new Map<string, typeof rows>();
  for (const r of rows) byPhoto.set(r.id, [...(byPhoto.get(r.id) ?? []), r]);
  for (const renditions of byPhoto.values()) {
    const first = renditions[0]!;
    const srcset = (mime: string) =>
      renditions.filter((r) => r.mime === mime).map((r) => `${photoUrl(r.key)} ${r.width}w`).join(', ');
    const jpegs = renditions.filter((r) => r.mime === 'image/jpeg');
    const fallback = jpegs[Math.min(1, jpegs.length - 1)] ?? first;
    const html = `<figure><picture>
    <source type="image/webp" srcset="${escapeHtml(srcset('image/webp'))}" sizes="(max-width: 42rem) 100vw, 42rem">
    <img src="${escapeHtml(photoUrl(fallback.key))}" srcset="${escapeHtml(srcset('image/jpeg'))}" sizes="(max-width: 42rem) 100vw, 42rem" width="${fallback.width}" height="${fallback.height}" alt="${escapeHtml(first.alt_text)}" loading="lazy" decoding="async">
  </picture></figure>`;
    out.set(first.post_id!, (out.get(first.post_id!) ?? '') + html);
  }
  return out;
}

function latest(db: Kysely<DB>, unitId: string, limit: number) {
  return db.selectFrom('news_items').selectAll().where('unit_id', '=', unitId).where('retracted_at', 'is', null).orderBy('published_at', 'desc').limit(limit).execute();
}

function page(unit: UnitRow, base: string, title: string, main: string): string {
  const feed = `${base}/u/${encodeURIComponent(unit.slug)}/feed.xml`;
  return `<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="alternate" type="application/atom+xml" title="${escapeHtml(unit.name)}" href="${escapeHtml(feed)}">
<style>
body{font-family:system-ui,sans-serif;max-width:42rem;margin:0 auto;padding:1rem;line-height:1.5;color:#1a1a1a}
header{border-bottom:3px solid #7a1f1f;margin-bottom:1rem}
h1{font-size:1.4rem;margin:.2rem 0}
article{border-bottom:1px solid #ddd;padding:.5rem 0 1rem}
h2{font-size:1.15rem;margin:.5rem 0 .2rem}
a{color:#7a1f1f}
figure{margin:.5rem 0}img{max-width:100%;height:auto;border-radius:4px}
.when{color:#555;font-size:.9rem;margin:0}
</style>
</head>
<body>
<header><h1><a href="${escapeHtml(`${base}/u/${unit.slug}`)}">${escapeHtml(unit.name)}</a></h1><p><a href="${escapeHtml(feed)}">Feed Atom</a></p></header>
<main>
${main}
</main>
</body>
</html>
`;
}
