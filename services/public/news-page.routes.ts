// The unit's own public news page and its Atom feed: what was published, newest first, for anyone.
import { type ErrorRequestHandler, type Request, type Response, Router } from 'express';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { isUuid } from '../../shared/ids';
import { formatInZone } from '../../shared/time';
import type { DB, UnitRow } from '../storage/schema';
import { findUnitBySlug } from '../units/unit.repository';
import { escapeXml } from './xml';
import { type Site, articlePage, feedUrl, listPage, noticePage, permalink, sharePage, unitHome } from './news-page.view';
import { type NewsItem, type NewsPhoto, type NewsPosition, findNewsItem, newsItems, newsPage, newsPhotos } from './news.repository';
import { whatsappText } from '../../shared/channels/whatsapp-text';
import type { AmplificationKind } from '../storage/schema';
import { countAmplification } from './amplification.repository';
import { NOT_A_READER, OncePerClient } from './once-per-client';
import { SHARE_PAGE_POLICY, publicHeaders } from './public-headers';
import type { UnitLogos } from './unit-logo';

const PAGE_SIZE = 30;
const FEED_SIZE = 50;

export interface NewsPageDeps {
  db: Kysely<DB>;
  /** The public base URL: links on the pages, in shares and in the feed are absolute on it. */
  baseUrl: () => string;
  /** Public URL of a stored rendition; without it the pages show no photos. */
  photoUrl?: ((key: string) => string) | undefined;
  /** URL of the news stylesheet (content-hashed, same origin). */
  stylesheet: () => string;
  log: Logger;
  /** The units' logos; without it the pages show the unit's initials. */
  logos?: UnitLogos | undefined;
  /** URL of the share page's script (its copy button). */
  shareScript: () => string;
  now: () => Date;
}

export function newsPageRoutes(deps: NewsPageDeps): Router {
  const { db } = deps;
  const router = Router();
  const once = new OncePerClient();
  /** Counts a visit or a share of a published post, once per client and day; link previews and crawlers are no readers. */
  const counted = async (req: Request, item: NewsItem, kind: AmplificationKind) => {
    if (NOT_A_READER.test(req.get('user-agent') ?? '')) return;
    const now = deps.now();
    if (!once.first(req.ip ?? '', `${item.post_id}\n${kind}`, now)) return;
    try {
      await countAmplification(db, { postId: item.post_id, unitId: item.unit_id, kind }, now);
    } catch (err) {
      // A count lost is better than a reader turned away.
      deps.log.warn({ err, postId: item.post_id, kind }, 'amplification not counted');
    }
  };
  router.use('/u', publicHeaders(deps.baseUrl));
  // Each unit read for a request, with its logo's version when it has one (a new logo is a new URL).
  const logoVersion = new WeakMap<UnitRow, string>();
  const site = (): Site => ({
    base: deps.baseUrl().replace(/\/+$/, ''),
    stylesheet: deps.stylesheet(),
    photoUrl: deps.photoUrl ?? (() => ''),
    logo: (unit) => logoVersion.get(unit),
  });
  const photosOf = async (postIds: string[]) => (deps.photoUrl ? newsPhotos(db, postIds) : new Map<string, NewsPhoto[]>());
  const notice = (res: Response, status: number, unit: UnitRow | undefined, heading: string, text: string) => {
    res.status(status).type('html').set('Cache-Control', 'public, max-age=60').send(noticePage(site(), unit, heading, text));
  };
  const unitOr404 = async (req: Request, res: Response): Promise<UnitRow | undefined> => {
    const slug = String(req.params.slug);
    const unit = /^[a-z0-9-]{1,64}$/.test(slug) ? await findUnitBySlug(db, slug) : undefined;
    if (!unit) notice(res, 404, undefined, 'Satuan tidak ditemukan', 'Alamat ini tidak menunjuk halaman berita satuan mana pun. Periksa kembali tautannya.');
    else {
      const version = await deps.logos?.versionOf(unit.id);
      if (version !== undefined) logoVersion.set(unit, version);
    }
    return unit;
  };

  router.get('/u/:slug', async (req: Request, res: Response) => {
    const unit = await unitOr404(req, res);
    if (!unit) return;
    const asked = pagePosition(req.query);
    if (asked === 'bad') {
      notice(res, 400, unit, 'Alamat halaman tidak sah', 'Tautan halaman berita ini rusak atau terpotong. Buka halaman pertama untuk membaca berita terbaru.');
      return;
    }
    let position: NewsPosition = { kind: 'newest' };
    if (asked) {
      const anchor = await findNewsItem(db, unit.id, asked.postId);
      if (!anchor) {
        notice(res, 404, unit, 'Halaman tidak ditemukan', 'Halaman berita yang diminta tidak ada. Buka halaman pertama untuk membaca berita terbaru.');
        return;
      }
      position = { kind: asked.kind, anchor };
    }
    const page = await newsPage(db, unit.id, position, PAGE_SIZE);
    const photos = await photosOf(page.items.map((i) => i.post_id));
    const s = site();
    const self = asked ? `${unitHome(s, unit)}?${asked.kind === 'older' ? 'sebelum' : 'sesudah'}=${asked.postId}` : unitHome(s, unit);
    res.type('html').set('Cache-Control', 'public, max-age=60').send(listPage(s, unit, page, photos, self, !asked));
  });

  /**
   * The unit's news item the address names, or an answer already sent: 404 for none, `gone` for one taken back.
   * The permalink and the share page and its buttons read it alike.
   */
  const itemOr404 = async (req: Request, res: Response, gone: (unit: UnitRow, item: NewsItem & { retracted_at: Date }) => void): Promise<{ unit: UnitRow; item: NewsItem } | undefined> => {
    const unit = await unitOr404(req, res);
    if (!unit) return undefined;
    const postId = String(req.params.postId);
    const item = isUuid(postId) ? await findNewsItem(db, unit.id, postId) : undefined;
    if (!item) {
      notice(res, 404, unit, 'Berita tidak ditemukan', `Berita ini tidak ada di halaman ${unit.name}. Mungkin tautannya salah ketik.`);
      return undefined;
    }
    if (item.retracted_at) {
      gone(unit, { ...item, retracted_at: item.retracted_at });
      return undefined;
    }
    return { unit, item };
  };

  router.get('/u/:slug/p/:postId', async (req: Request, res: Response) => {
    const found = await itemOr404(req, res, (unit, item) => {
      // Taken back by the unit: gone for good, and said so, so that search engines and readers drop it.
      res
        .status(410)
        .type('html')
        .set('Cache-Control', 'public, max-age=300')
        .send(noticePage(site(), unit, 'Berita ditarik', `Berita ini telah ditarik oleh ${unit.name} pada ${formatInZone(item.retracted_at, unit.time_zone)}.`));
    });
    if (!found) return;
    const { unit, item } = found;
    const photos = (await photosOf([item.post_id])).get(item.post_id) ?? [];
    await counted(req, item, 'visit');
    res.type('html').set('Cache-Control', 'public, max-age=300').send(articlePage(site(), unit, item, photos));
  });

  // The amplification kit: the share page, and its buttons, each counted once per client and day.
  const shareItem = (req: Request, res: Response) =>
    itemOr404(req, res, (unit) => notice(res, 410, unit, 'Berita ditarik', `Berita ini telah ditarik oleh ${unit.name}; jangan dibagikan lagi.`));
  const textOf = (unit: UnitRow, item: NewsItem) => whatsappText(item, permalink(site(), unit, item.post_id));
  router.get('/u/:slug/p/:postId/bagikan', async (req: Request, res: Response) => {
    const found = await shareItem(req, res);
    if (!found) return;
    const photos = (await photosOf([found.item.post_id])).get(found.item.post_id) ?? [];
    // The one public page with a script (ours, for the copy button) and a request back (its count).
    res.set('Content-Security-Policy', SHARE_PAGE_POLICY(deps.baseUrl));
    res.type('html').set('Cache-Control', 'no-store').send(sharePage(site(), found.unit, found.item, photos, textOf(found.unit, found.item), deps.shareScript()));
  });
  router.get('/u/:slug/p/:postId/bagikan/wa', async (req: Request, res: Response) => {
    const found = await shareItem(req, res);
    if (!found) return;
    await counted(req, found.item, 'share_whatsapp');
    res.set('Cache-Control', 'no-store').redirect(303, `https://wa.me/?text=${encodeURIComponent(textOf(found.unit, found.item))}`);
  });
  router.post('/u/:slug/p/:postId/bagikan/salin', async (req: Request, res: Response) => {
    const found = await shareItem(req, res);
    if (!found) return;
    await counted(req, found.item, 'share_copy');
    res.status(204).end();
  });
  router.get('/u/:slug/p/:postId/bagikan/foto', async (req: Request, res: Response) => {
    const found = await shareItem(req, res);
    if (!found) return;
    const cover = (await photosOf([found.item.post_id])).get(found.item.post_id)?.[0];
    const jpeg = cover?.renditions.filter((r) => r.mime === 'image/jpeg').at(-1);
    if (!jpeg || !deps.photoUrl) {
      notice(res, 404, found.unit, 'Foto tidak ada', 'Berita ini tidak memuat foto untuk diunduh.');
      return;
    }
    await counted(req, found.item, 'photo');
    // Saved to the phone under a name that says whose photo it is, to be forwarded, rather than opened in the browser.
    const name = `${found.unit.slug}-${found.item.post_id.slice(0, 8)}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 80);
    res.set('Cache-Control', 'no-store').redirect(303, `${deps.photoUrl(jpeg.key)}?download=${name}`);
  });

  router.get('/u/:slug/logo.png', async (req: Request, res: Response) => {
    const unit = await unitOr404(req, res);
    if (!unit) return;
    const logo = await deps.logos?.png(unit.id);
    if (!logo) {
      notice(res, 404, unit, 'Logo tidak ada', 'Satuan ini belum memasang logo.');
      return;
    }
    // The page names the version in the URL, so a new logo is a new address and this one may be kept long.
    const immutable = req.query.v === logo.version;
    res.type('png').set({ 'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300', ETag: `"${logo.version}"` }).send(logo.body);
  });

  router.get('/u/:slug/feed.xml', async (req: Request, res: Response) => {
    const unit = await unitOr404(req, res);
    if (!unit) return;
    const items = await newsItems(db, unit.id, FEED_SIZE);
    const s = site();
    const updated = (items[0]?.published_at ?? unit.created_at).toISOString();
    const entries = items
      .map(
        (i) => `  <entry>
    <title>${escapeXml(i.title)}</title>
    <id>urn:uuid:${i.post_id}</id>
    <link rel="alternate" type="text/html" href="${escapeXml(permalink(s, unit, i.post_id))}"/>
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
  <link rel="self" type="application/atom+xml" href="${escapeXml(feedUrl(s, unit))}"/>
  <link rel="alternate" type="text/html" href="${escapeXml(unitHome(s, unit))}"/>
  <updated>${updated}</updated>
  <author><name>${escapeXml(`Humas ${unit.name}`)}</name></author>
  <generator>Siaran</generator>
${entries}
</feed>
`;
    res.type('application/atom+xml; charset=utf-8').set('Cache-Control', 'public, max-age=60').send(xml);
  });

  // Any other address under /u/ (a link cut short, an old path) is a page too, not the framework's bare text.
  router.use('/u', (_req: Request, res: Response) => notice(res, 404, undefined, 'Halaman tidak ditemukan', 'Alamat ini tidak menunjuk halaman berita mana pun. Periksa kembali tautannya.'));
  router.use(
    '/u',
    publicErrors(deps.log, (res, clientError) =>
      clientError
        ? notice(res, 400, undefined, 'Alamat tidak sah', 'Alamat ini rusak atau terpotong. Periksa kembali tautannya.')
        : notice(res, 500, undefined, 'Terjadi gangguan', 'Halaman ini tidak dapat ditampilkan saat ini. Coba lagi beberapa saat lagi.'),
    ),
  );
  return router;
}

/**
 * Which page of the list: the first, or the one just older (`?sebelum=<id>`) or just newer (`?sesudah=<id>`)
 * than an item. Anything else the address carries (a share's tracking tags) is ignored; a page parameter
 * that is repeated, empty, not an id, or both at once is refused.
 */
export function pagePosition(query: Record<string, unknown>): { kind: 'older' | 'newer'; postId: string } | undefined | 'bad' {
  const before = query.sebelum;
  const after = query.sesudah;
  if (before === undefined && after === undefined) return undefined;
  if (before !== undefined && after !== undefined) return 'bad';
  const value = before ?? after;
  if (typeof value !== 'string' || !isUuid(value.toLowerCase())) return 'bad';
  return { kind: before !== undefined ? 'older' : 'newer', postId: value.toLowerCase() };
}

/** A failure on a public page answers as a page in words; the details go to the log, not to the reader. */
function publicErrors(log: Logger, answer: (res: Response, clientError: boolean) => void): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    // An address the router could not even read (`%ED%A0%80`, half of a character) is the reader's, not ours.
    const status = (err as { status?: unknown } | null)?.status;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    if (!clientError) log.error({ err, path: req.path }, 'public news page failed');
    answer(res, clientError);
  };
}
