// The public news list a page at a time, and what a citizen gets for an address that names nothing:
// always a page in words (400, 404), never a 500, and every public page under a strict policy.
import { randomUUID } from 'node:crypto';
import { type Harness, type World, seedWorld, startHarness, unitSlug } from '../support/harness';
import { type HistoryItem, linkOf, listedIds, seedNewsHistory } from '../support/news-history';

let h: Harness;
let world: World;
let slug: string;
let history: HistoryItem[];
let otherUnitPost: string;

beforeAll(async () => {
  h = await startHarness();
  const db = h.siaran.database.db;
  world = await seedWorld(db);
  slug = await unitSlug(db, world.units.polres);
  // 65 items: three pages. Items 29 and 30 (the first page's last and the second's first) and 59..61 share an
  // instant, where an unsteady order would repeat or skip one across pages.
  history = await seedNewsHistory(
    db,
    { url: h.url, token: world.tokens.operator, channelId: world.newsPage.polres, unitId: world.units.polres },
    { count: 65, newestAt: new Date(Date.now() - 3600_000), sameInstant: [30, 60, 61] },
  );
  const [other] = await seedNewsHistory(
    db,
    { url: h.url, token: world.tokens.otherOperator, channelId: world.newsPage.other, unitId: world.units.other },
    { count: 1, newestAt: new Date(Date.now() - 3600_000) },
  );
  otherUnitPost = other!.postId;
}, 120_000);
afterAll(async () => {
  await h.close();
});

async function get(path: string): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await fetch(path.startsWith('http') ? path : `${h.url}${path}`);
  return { status: res.status, html: await res.text(), headers: res.headers };
}

test('the list shows 30 at a time, newest first; "Berita lebih lama" walks every item once, and "Berita lebih baru" walks back', async () => {
  const pages: string[][] = [];
  let next: string | undefined = `/u/${slug}`;
  const visited: Array<{ html: string }> = [];
  while (next) {
    const page = await get(next);
    expect(page.status).toBe(200);
    visited.push(page);
    pages.push(listedIds(page.html));
    next = linkOf(page.html, 'older');
  }
  expect(pages.map((p) => p.length)).toEqual([30, 30, 5]);
  // Newest first, none repeated, none skipped, the tied instants included.
  const expected = [...history].sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime() || (b.postId < a.postId ? -1 : 1)).map((i) => i.postId);
  expect(pages.flat()).toEqual(expected);
  // The two published at one instant straddle the first page's end, whichever of them the tie puts first.
  expect([pages[0]!.at(-1), pages[1]![0]].sort()).toEqual([history[29]!.postId, history[30]!.postId].sort());

  // The front page has no way to newer items; the second leads back to the front page itself, the third to the second.
  expect(linkOf(visited[0]!.html, 'newer')).toBeUndefined();
  expect(linkOf(visited[1]!.html, 'newer')).toBe(`${h.siaran.baseUrl()}/u/${slug}`);
  const back = await get(linkOf(visited[2]!.html, 'newer')!);
  expect(listedIds(back.html)).toEqual(pages[1]);
  expect(linkOf(back.html, 'older')).toBe(linkOf(visited[1]!.html, 'older'));
  expect(visited[0]!.html).toContain('Berita lebih lama');
  expect(visited[1]!.html).toContain('Berita lebih baru');
});

test('an item taken back leaves the list, and an old link to the page after it still opens the same place in time', async () => {
  const db = h.siaran.database.db;
  const anchor = history[29]!.postId;
  const secondBefore = listedIds((await get(`/u/${slug}?sebelum=${anchor}`)).html);
  await db.updateTable('news_items').set({ retracted_at: new Date() }).where('post_id', '=', anchor).execute();
  try {
    expect(listedIds((await get(`/u/${slug}`)).html)).not.toContain(anchor);
    const second = await get(`/u/${slug}?sebelum=${anchor}`);
    expect(second.status).toBe(200);
    expect(listedIds(second.html)).toEqual(secondBefore);
  } finally {
    await db.updateTable('news_items').set({ retracted_at: null }).where('post_id', '=', anchor).execute();
  }
});

test("a public page carries a validator and answers 304 to it; the API's answers, never stored, carry none", async () => {
  const first = await fetch(`${h.url}/u/${slug}`);
  const etag = first.headers.get('etag');
  expect(first.status).toBe(200);
  expect(etag).toMatch(/^W\/"/);
  // fetch() adds "Cache-Control: no-cache" to a conditional request unless it carries one (a browser's revalidation).
  expect((await fetch(`${h.url}/u/${slug}`, { headers: { 'if-none-match': etag!, 'cache-control': 'max-age=0' } })).status).toBe(304);
  const api = await fetch(`${h.url}/api/v1/me`, { headers: { authorization: `Bearer ${world.tokens.operator}` } });
  expect(api.status).toBe(200);
  expect(api.headers.get('cache-control')).toBe('no-store');
  expect(api.headers.get('etag')).toBeNull();
  expect(api.headers.get('x-powered-by')).toBeNull();
  // A conditional request gets the answer: nothing of the API is kept to be revalidated.
  const conditional = await fetch(`${h.url}/api/v1/me`, { headers: { authorization: `Bearer ${world.tokens.operator}`, 'if-none-match': '*', 'cache-control': 'max-age=0' } });
  expect(conditional.status).toBe(200);
  expect(((await conditional.json()) as { id: string }).id).toBe(world.users.operator);
  // A path the API does not serve still reaches the routers below it, and its 404 is the API's, in words.
  const none = await fetch(`${h.url}/api/v1/tidak-ada`, { headers: { authorization: `Bearer ${world.tokens.operator}` } });
  expect(none.status).toBe(404);
  expect(((await none.json()) as { error: { code: string } }).error.code).toBe('route.not_found');
});

test('a unit that has published nothing shows a friendly empty page, not an error', async () => {
  const polsek = await unitSlug(h.siaran.database.db, world.units.polsek);
  const page = await get(`/u/${polsek}`);
  expect(page.status).toBe(200);
  expect(page.html).toContain('class="empty"');
  expect(page.html).toContain('Polsek Tumijajar belum menerbitkan berita');
  expect(page.html).not.toContain('class="pager"');
});

test.each([
  { what: 'a page id that is not an id', query: '?sebelum=abc', status: 400 },
  { what: 'an empty page id', query: '?sebelum=', status: 400 },
  { what: 'a page id given twice', query: `?sebelum=${randomUUID()}&sebelum=${randomUUID()}`, status: 400 },
  { what: 'both directions at once', query: `?sebelum=${randomUUID()}&sesudah=${randomUUID()}`, status: 400 },
  { what: 'a page id with SQL in it', query: "?sesudah=1'%20or%201=1--", status: 400 },
  { what: 'a very long page id', query: `?sebelum=${'a'.repeat(5000)}`, status: 400 },
  { what: 'a page id that names no item', query: `?sebelum=${randomUUID()}`, status: 404 },
  { what: 'a page id of another unit\'s item', query: 'OTHER', status: 404 },
])('the list with $what answers $status with a page in words', async ({ query, status }) => {
  const q = query === 'OTHER' ? `?sebelum=${otherUnitPost}` : query;
  const page = await get(`/u/${slug}${q}`);
  expect(page.status).toBe(status);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.html).toContain('<html lang="id">');
  expect(page.html).toContain('Buka halaman pertama');
  expect(page.html).toContain(`href="${h.siaran.baseUrl()}/u/${slug}"`);
  expect(page.html).toContain('<meta name="robots" content="noindex">');
});

test('what a share link carries besides (tracking tags, an unknown page word) is ignored', async () => {
  const page = await get(`/u/${slug}?fbclid=abc&utm_source=whatsapp&halaman=2`);
  expect(page.status).toBe(200);
  expect(listedIds(page.html)).toHaveLength(30);
});

test.each([
  { what: 'an unknown unit', path: () => '/u/polres-tidak-ada', status: 404 },
  { what: 'a unit name in capitals and spaces', path: () => '/u/Polres%20Besar', status: 404 },
  { what: 'a permalink id that is not an id', path: () => `/u/${slug}/p/123`, status: 404 },
  { what: 'a permalink of another unit', path: () => `/u/${slug}/p/${otherUnitPost}`, status: 404 },
  { what: 'a permalink that names nothing', path: () => `/u/${slug}/p/${randomUUID()}`, status: 404 },
  { what: 'a path under the unit that does not exist', path: () => `/u/${slug}/foto`, status: 404 },
  { what: 'the feed of an unknown unit', path: () => '/u/polres-tidak-ada/feed.xml', status: 404 },
])('$what answers $status with a page in words', async ({ path, status }) => {
  const page = await get(path());
  expect(page.status).toBe(status);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.html).toContain('<html lang="id">');
  expect(page.html).toMatch(/tidak ditemukan/i);
});

test('the public pages answer under their own strict policy, with no inline style or script to allow', async () => {
  for (const path of [`/u/${slug}`, `/u/${slug}?sebelum=${history[29]!.postId}`, `/u/${slug}/p/${history[0]!.postId}`, `/u/${slug}/p/${randomUUID()}`, '/u/polres-tidak-ada']) {
    const page = await get(path);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('script-src');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.html).not.toMatch(/<style|<script|\sstyle=/i);
    const sheet = /<link rel="stylesheet" href="(\/assets\/news\.[0-9a-f]{12}\.css)">/.exec(page.html)?.[1];
    expect(sheet).toBeDefined();
    const css = await fetch(`${h.url}${sheet!}`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.headers.get('cache-control')).toMatch(/immutable/);
  }
});

test('the site icon and the web app manifest answer with their types, and every page links them', async () => {
  for (const path of ['/favicon.ico', '/icon.svg']) {
    const icon = await fetch(`${h.url}${path}`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await icon.text()).toMatch(/^<svg /);
  }
  const manifest = await fetch(`${h.url}/manifest.webmanifest`);
  expect(manifest.status).toBe(200);
  expect(manifest.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
  const body = await manifest.json();
  expect(body).toMatchObject({ name: 'Siaran', lang: 'id', theme_color: expect.stringMatching(/^#[0-9a-f]{6}$/), icons: expect.arrayContaining([expect.objectContaining({ src: '/icon.svg' })]) });
  for (const path of [`/u/${slug}`, '/login']) {
    const html = await (await fetch(`${h.url}${path}`)).text();
    expect(html).toContain('<link rel="icon" href="/icon.svg" type="image/svg+xml">');
    expect(html).toContain('<link rel="manifest" href="/manifest.webmanifest">');
  }
});

test('a permalink without a photo carries its Open Graph card with a summary, and the list its own', async () => {
  const item = history[0]!;
  const page = await get(`/u/${slug}/p/${item.postId}`);
  const base = h.siaran.baseUrl();
  expect(page.html).toContain('<meta property="og:type" content="article">');
  expect(page.html).toContain(`<meta property="og:title" content="${item.title}">`);
  expect(page.html).toContain(`<meta property="og:url" content="${base}/u/${slug}/p/${item.postId}">`);
  expect(page.html).toContain('<meta property="og:site_name" content="Polres Tulangbawang Barat">');
  expect(page.html).toContain('<meta property="og:locale" content="id_ID">');
  expect(page.html).toContain('<meta name="twitter:card" content="summary">');
  expect(page.html).not.toContain('og:image');
  expect(page.html).toContain(`<link rel="canonical" href="${base}/u/${slug}/p/${item.postId}">`);
  const list = await get(`/u/${slug}`);
  expect(list.html).toContain('<meta property="og:type" content="website">');
  expect(list.html).toContain(`<meta property="og:url" content="${base}/u/${slug}">`);
  expect(list.html).toContain(`<link rel="alternate" type="application/atom+xml" title="Polres Tulangbawang Barat" href="${base}/u/${slug}/feed.xml">`);
  expect(list.html).toMatch(/<a class="feed" href="[^"]+\/feed\.xml"/);
});

test("the unit's logo, set by its admin for the watermark, heads its pages small; a unit without one shows its initials", async () => {
  const sharp = (await import('sharp')).default;
  const before = await get(`/u/${slug}`);
  expect(before.html).not.toContain('/logo.png');
  expect((await get(`/u/${slug}/logo.png`)).status).toBe(404);
  const logo = await sharp({ create: { width: 800, height: 400, channels: 4, background: '#c8102e' } }).png().toBuffer();
  const set = await fetch(`${h.url}/api/v1/units/${world.units.polres}/watermark`, { method: 'PUT', headers: { authorization: `Bearer ${world.tokens.admin}`, 'content-type': 'image/png' }, body: logo });
  expect(set.status).toBe(200);
  const page = await get(`/u/${slug}`);
  const src = /<img src="([^"]+\/logo\.png\?v=[0-9a-f]{12})"/.exec(page.html)?.[1];
  expect(src).toBeDefined();
  const res = await fetch(src!);
  expect([res.status, res.headers.get('content-type'), res.headers.get('cache-control')]).toEqual([200, 'image/png', 'public, max-age=31536000, immutable']);
  const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
  expect([meta.width, meta.height]).toEqual([192, 96]);
  // A story without a photo shares the logo as its preview picture.
  const plain = history[0]!;
  expect((await get(`/u/${slug}/p/${plain.postId}`)).html).toMatch(/<meta property="og:image" content="[^"]+\/logo\.png\?v=[0-9a-f]{12}">/);
  // Another unit keeps its initials.
  expect((await get(`/u/${await unitSlug(h.siaran.database.db, world.units.other)}`)).html).not.toContain('/logo.png');
});
