// The only screens citizens see, in a real browser on a phone and on a desk: the unit's news list and its
// second page, a permalink with a photo and its share card, a link that names nothing (404) and a post taken
// back (410). Any console error or warning, script error, CSP violation, failed request or error answer
// (other than the page's own expected 404 or 410) fails the test.
import type { Browser, Page, Request } from 'playwright-core';
import { droppedIconFetch, launchChromium } from '../support/browser';
import { type Harness, type World, client, seedWorld, startHarness, unitSlug, waitFor } from '../support/harness';
import { signIn } from '../support/web-session';
import { listedIds, seedNewsHistory } from '../support/news-history';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { photo, publishSoon, scheduledPost, settled } from '../support/platforms';

const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 800 } };

let h: Harness;
let world: World;
let browser: Browser;
let slug: string;
let withPhoto: string;
let retracted: string;

beforeAll(async () => {
  h = await startHarness();
  const db = h.siaran.database.db;
  world = await seedWorld(db);
  slug = await unitSlug(db, world.units.polres);
  const site = { h, world };
  // Two posts through the whole product (one with a photo, one later taken back), after a history of 35.
  await seedNewsHistory(db, { url: h.url, token: world.tokens.operator, channelId: world.newsPage.polres, unitId: world.units.polres }, { count: 35, newestAt: new Date(Date.now() - 86_400_000) });
  withPhoto = await scheduledPost(site, {
    title: 'Jumat Curhat bersama warga Panaragan',
    body: 'Kapolres Tulangbawang Barat mendengar keluhan warga tentang penerangan jalan di Panaragan dan berjanji menindaklanjutinya bersama pemerintah kabupaten.\n\nWarga menyambut baik kegiatan ini dan berharap Jumat Curhat digelar setiap pekan di setiap kampung agar keluhan cepat ditangani.',
    channelIds: [world.newsPage.polres],
    photos: [{ data: await photo(1600, 1000), alt: 'Kapolres berbincang dengan warga di balai desa' }],
  });
  retracted = await scheduledPost(site, { title: 'Pengumuman yang ditarik', body: 'Informasi yang kemudian ditarik.', channelIds: [world.newsPage.polres] });
  await publishSoon(site, withPhoto);
  await publishSoon(site, retracted);
  expect((await settled(site, withPhoto, 40_000)).status).toBe('published');
  expect((await settled(site, retracted, 40_000)).status).toBe('published');
  const r = await client(h.url, world.tokens.supervisor)('POST', `/api/v1/posts/${retracted}/retract`, { reason: 'Informasi sudah tidak berlaku.' });
  expect(r.status).toBe(200);
  await waitFor('the taken-back page', async () => (await fetch(`${h.url}/u/${slug}/p/${retracted}`)).status === 410);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser.close();
  await h.close();
});

interface Watched {
  page: Page;
  problems: string[];
  /** Opens a public page and expects its status; any other error answer on the way is a problem. */
  open(path: string, status?: number): Promise<void>;
  close(): Promise<void>;
}

async function watched(device: typeof PHONE | typeof DESKTOP, extra: { userAgent?: string; permissions?: string[] } = {}): Promise<Watched> {
  const ctx = await browser.newContext({ ...device, ...extra });
  // Before any page script: CSP violations are collected by the page itself (the console line is also caught).
  // (Page code is given as text: the tests are compiled without the browser's types.)
  await ctx.addInitScript(`window.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));`);
  const page = await ctx.newPage();
  const problems: string[] = [];
  let expected: { url: string; status: number } | undefined;
  page.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    // Chromium logs the page's own expected 404/410 as a failed load; that one is the test's, nothing else is.
    if (expected && expected.status >= 400 && m.text().includes(`status of ${String(expected.status)}`) && m.location().url === expected.url) return;
    problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // A navigation that turns into a download (the photo saved) ends, for the page, as an aborted request.
  const becameDownload = (r: Request) => r.failure()?.errorText === 'net::ERR_ABORTED' && r.isNavigationRequest() && new URL(r.url()).searchParams.has('download');
  page.on('requestfailed', (r) => droppedIconFetch(r) || becameDownload(r) || problems.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() < 400) return;
    if (expected && r.url() === expected.url && r.status() === expected.status) return;
    problems.push(`answer ${String(r.status())}: ${r.url()}`);
  });
  return {
    page,
    problems,
    async open(path, status = 200) {
      const url = `${h.url}${path}`;
      expected = { url, status };
      const res = await page.goto(url, { waitUntil: 'load' });
      expect(res?.status()).toBe(status);
      // Photos below the fold load lazily: bring them in, so that their answers are checked too.
      await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
      await page.waitForLoadState('networkidle');
      expect(await page.evaluate<string[]>('window.violations')).toEqual([]);
      expect(problems).toEqual([]);
    },
    async close() {
      await ctx.close();
    },
  };
}

/** The style sheet really applied: the masthead has its colour and the body lost the browser's margin. */
async function expectStyled(page: Page): Promise<void> {
  const look = await page.evaluate<{ bodyMargin: string; masthead: string; sheets: number }>(`({
    bodyMargin: getComputedStyle(document.body).marginTop,
    masthead: getComputedStyle(document.querySelector('.masthead')).backgroundColor,
    sheets: document.styleSheets.length,
  })`);
  expect(look).toEqual({ bodyMargin: '0px', masthead: 'rgb(11, 37, 69)', sheets: 1 });
  expect(await page.locator('.masthead .unit-name').textContent()).toBe('Polres Tulangbawang Barat');
  expect(await page.locator('html').getAttribute('lang')).toBe('id');
  expect(await page.locator('link[rel=icon]').getAttribute('href')).toBe('/icon.svg');
  expect(await page.locator('link[rel=manifest]').getAttribute('href')).toBe('/manifest.webmanifest');
}

/** Nothing wider than the screen: no sideways scrolling on a phone. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  // The screen's width, not the window's: a phone zooms out to fit a page too wide, and its window grows with it.
  const widths = await page.evaluate<{ page: number; viewport: number; wide: string[] }>(`({
    page: document.documentElement.scrollWidth,
    viewport: Math.min(window.innerWidth, screen.width),
    wide: [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > Math.min(window.innerWidth, screen.width) + 0.5).map((e) => e.tagName + '.' + e.className),
  })`);
  expect(widths.wide).toEqual([]);
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
}

describe.each([
  ['a 360 px phone', PHONE],
  ['a 1280 px desk', DESKTOP],
] as const)('on %s', (_name, device) => {
  test('the news list and its second page are styled, readable and fit the screen', async () => {
    const w = await watched(device);
    await w.open(`/u/${slug}`);
    await expectStyled(w.page);
    await expectNoSidewaysScroll(w.page);
    const first = listedIds(await w.page.content());
    expect(first).toHaveLength(30);
    expect(first[0]).toBe(withPhoto);
    expect(first).not.toContain(retracted);
    // Dates in the unit's zone, with its label.
    expect(await w.page.locator('.story .when').first().textContent()).toMatch(/ WIB$/);
    expect(await w.page.locator('a.feed').getAttribute('href')).toBe(`${h.siaran.baseUrl()}/u/${slug}/feed.xml`);
    if (device === DESKTOP) {
      // A readable measure: the column does not run across a wide screen.
      const column = await w.page.evaluate<number>(`document.querySelector('main').getBoundingClientRect().width`);
      expect(column).toBeLessThanOrEqual(44 * 16);
    }

    const older = w.page.locator('a.older');
    expect(await older.textContent()).toContain('Berita lebih lama');
    const href = await older.getAttribute('href');
    expect(href).toMatch(/\?sebelum=[0-9a-f-]{36}$/);
    await w.open(new URL(href!).pathname + new URL(href!).search);
    await expectStyled(w.page);
    await expectNoSidewaysScroll(w.page);
    const second = listedIds(await w.page.content());
    expect(second).toHaveLength(35 + 1 - 30);
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    expect(await w.page.locator('a.older').count()).toBe(0);
    expect(await w.page.locator('a.newer').textContent()).toContain('Berita lebih baru');
    await w.close();
  });

  test('a permalink with a photo shows it for the screen and carries a share card whose image answers', async () => {
    const w = await watched(device);
    await w.open(`/u/${slug}/p/${withPhoto}`);
    await expectStyled(w.page);
    await expectNoSidewaysScroll(w.page);
    expect(await w.page.locator('article h1').textContent()).toBe('Jumat Curhat bersama warga Panaragan');
    const img = w.page.locator('article picture img');
    expect(await img.getAttribute('alt')).toBe('Kapolres berbincang dengan warga di balai desa');
    const shown = await w.page.evaluate<{ natural: number; width: number }>(`(() => {
      const e = document.querySelector('article picture img');
      return { natural: e.naturalWidth, width: e.getBoundingClientRect().width };
    })()`);
    expect(shown.natural).toBeGreaterThan(0);
    expect(shown.width).toBeLessThanOrEqual(device.viewport.width);

    const meta = await w.page.evaluate<Record<string, string>>(
      `Object.fromEntries([...document.querySelectorAll('meta[property], meta[name^="twitter:"]')].map((m) => [m.getAttribute('property') ?? m.getAttribute('name'), m.getAttribute('content')]))`,
    );
    const base = h.siaran.baseUrl();
    const permalink = `${base}/u/${slug}/p/${withPhoto}`;
    expect(meta).toMatchObject({
      'og:type': 'article',
      'og:title': 'Jumat Curhat bersama warga Panaragan',
      'og:url': permalink,
      'og:site_name': 'Polres Tulangbawang Barat',
      'og:locale': 'id_ID',
      'og:image:type': 'image/jpeg',
      'og:image:alt': 'Kapolres berbincang dengan warga di balai desa',
      'twitter:card': 'summary_large_image',
    });
    expect(meta['og:description']).toMatch(/^Kapolres Tulangbawang Barat mendengar keluhan warga/);
    expect(meta['og:description']!.length).toBeLessThanOrEqual(200);
    expect(meta['og:description']).toMatch(/…$/);
    expect(Number(meta['og:image:width'])).toBe(1600);
    expect(Number(meta['og:image:height'])).toBe(1000);
    expect(meta['og:image']).toMatch(new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/media/[0-9a-f]{32}\\.jpg$`));
    expect(meta['twitter:image']).toBe(meta['og:image']);
    expect(await w.page.locator('link[rel=canonical]').getAttribute('href')).toBe(permalink);

    // What a platform's preview fetches: the image, as an image, to anyone.
    const image = await w.page.request.get(meta['og:image']!);
    expect(image.status()).toBe(200);
    expect(image.headers()['content-type']).toBe('image/jpeg');
    await w.close();
  });

  test('a link that names nothing answers 404 and a post taken back answers 410, both as styled pages in words', async () => {
    const w = await watched(device);
    await w.open(`/u/${slug}/p/00000000-0000-4000-8000-000000000000`, 404);
    await expectStyled(w.page);
    await expectNoSidewaysScroll(w.page);
    expect(await w.page.locator('main h1').textContent()).toBe('Berita tidak ditemukan');
    expect(await w.page.locator(`main a[href="${h.siaran.baseUrl()}/u/${slug}"]`).count()).toBe(1);

    await w.open(`/u/${slug}/p/${retracted}`, 410);
    await expectStyled(w.page);
    await expectNoSidewaysScroll(w.page);
    expect(await w.page.locator('main').textContent()).toContain('telah ditarik oleh Polres Tulangbawang Barat');
    await w.close();
  });

  test('the site icon and the manifest the pages link answer with their types', async () => {
    const w = await watched(device);
    await w.open(`/u/${slug}`);
    const icon = await w.page.request.get(`${h.url}${(await w.page.locator('link[rel=icon]').getAttribute('href'))!}`);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toMatch(/^image\/svg\+xml/);
    const favicon = await w.page.request.get(`${h.url}/favicon.ico`);
    expect(favicon.status()).toBe(200);
    expect(favicon.headers()['content-type']).toMatch(/^image\//);
    const manifest = await w.page.request.get(`${h.url}${(await w.page.locator('link[rel=manifest]').getAttribute('href'))!}`);
    expect(manifest.status()).toBe(200);
    expect(manifest.headers()['content-type']).toMatch(/^application\/manifest\+json/);
    expect((await manifest.json()).name).toBe('Siaran');
    await w.close();
  });
});

/** A phone's own browser, as personnel open the share page from a WhatsApp group (not a headless crawler). */
const ANDROID = 'Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';

async function counts(): Promise<Record<string, number>> {
  const rows = await h.siaran.database.db.selectFrom('amplification_counts').select(['kind', 'count']).where('post_id', '=', withPhoto).execute();
  return Object.fromEntries(rows.map((r) => [r.kind, r.count]));
}

test('the share page on a phone gives the ready text, copies it, sends it to WhatsApp and the photo, each counted once', async () => {
  const w = await watched(PHONE, { userAgent: ANDROID, permissions: ['clipboard-read', 'clipboard-write'] });
  // WhatsApp is not reached from a test: the tap's request goes to this server (which counts it), and where the
  // server sends the phone on to is read from its answer instead of followed.
  let sentOnTo: string | undefined;
  await w.page.route('**/bagikan/wa', async (route) => {
    const answer = await route.fetch({ maxRedirects: 0 });
    expect(answer.status()).toBe(303);
    sentOnTo = answer.headers()['location'];
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><html lang="id"><title>WhatsApp</title></html>' });
  });
  const base = h.siaran.baseUrl();
  await w.open(`/u/${slug}/p/${withPhoto}/bagikan`);
  await expectStyled(w.page);
  await expectNoSidewaysScroll(w.page);
  const text = (await w.page.locator('[data-share-text]').textContent())!;
  expect(text).toBe(
    '*Jumat Curhat bersama warga Panaragan*\n\n' +
      // The text is short enough (under 320 characters) to go whole, its paragraphs on one line.
      'Kapolres Tulangbawang Barat mendengar keluhan warga tentang penerangan jalan di Panaragan dan berjanji menindaklanjutinya bersama pemerintah kabupaten. ' +
      'Warga menyambut baik kegiatan ini dan berharap Jumat Curhat digelar setiap pekan di setiap kampung agar keluhan cepat ditangani.\n\n' +
      `Selengkapnya: ${base}/u/${slug}/p/${withPhoto}\n\n#PolriPresisi`,
  );
  expect(await w.page.locator('meta[name=robots]').getAttribute('content')).toBe('noindex');
  expect(await w.page.locator('article picture img').count()).toBe(1);

  // Copy: the clipboard holds the text, the page says so, and one copy is counted however often it is tapped.
  await w.page.locator('[data-copy]').tap();
  await w.page.locator('[data-copied]').waitFor({ state: 'visible' });
  expect(await w.page.evaluate<string>('navigator.clipboard.readText()')).toBe(text);
  await w.page.locator('[data-copy]').tap();
  await waitFor('the copy counted', async () => (await counts()).share_copy === 1);

  // WhatsApp: through this server (counted), on to wa.me with the text.
  await Promise.all([w.page.waitForURL(/\/bagikan\/wa$/), w.page.locator('[data-whatsapp]').tap()]);
  expect(sentOnTo).toMatch(/^https:\/\/wa\.me\/\?text=/);
  expect(new URL(sentOnTo!).searchParams.get('text')).toBe(text);
  // The photo: through this server (counted), on to the largest JPEG of the news page, saved rather than opened.
  await w.open(`/u/${slug}/p/${withPhoto}/bagikan`);
  const [download] = await Promise.all([w.page.waitForEvent('download'), w.page.locator('[data-photo]').tap()]);
  expect(download.suggestedFilename()).toBe(`${slug}-${withPhoto.slice(0, 8)}.jpg`);
  expect((await sharp(await readFile(await download.path())).metadata()).format).toBe('jpeg');
  // A visit of the permalink by this phone counts once, however often it is opened; a link preview counts none.
  await w.open(`/u/${slug}/p/${withPhoto}`);
  await w.open(`/u/${slug}/p/${withPhoto}`);
  await fetch(`${h.url}/u/${slug}/p/${withPhoto}`, { headers: { 'user-agent': 'WhatsApp/2.23.20.0' } });
  expect(await counts()).toEqual({ visit: 1, share_copy: 1, share_whatsapp: 1, photo: 1 });
  expect(w.problems).toEqual([]);
  await w.close();

  // The unit's Humas sees the share page's address and the counts on the post's page.
  const page = await (await fetch(`${h.url}/posts/${withPhoto}`, { headers: { cookie: await signIn({ h, world }, 'supervisor') } })).text();
  expect(page).toContain(`<a href="${base}/u/${slug}/p/${withPhoto}/bagikan" data-share-url`);
  // The Humas sends the kit's address to the personnel's group in one tap.
  const kit = /<a class="button" href="([^"]+)" rel="noopener" data-kit-whatsapp>/.exec(page)![1]!.replace(/&amp;/g, '&');
  expect(new URL(kit).searchParams.get('text')).toBe(`Mohon bantu sebarkan berita ini (teks dan foto siap kirim): ${base}/u/${slug}/p/${withPhoto}/bagikan`);
  expect(page).toMatch(/data-amplification-counts>Kunjungan: <strong>1<\/strong> · Dibagikan ke WhatsApp: <strong>1<\/strong> · Teks disalin: <strong>1<\/strong> · Foto diunduh: <strong>1<\/strong>/);
}, 60_000);
