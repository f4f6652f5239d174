// Every page, as each role opens it, on a 360 px phone and a desktop: no console error or warning, no failed
// request, no CSP violation, nothing wider than the phone's screen, and no internal code where a person
// reads words (a status, a channel kind, an event as the database spells it).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { droppedIconFetch, launchChromium, signInOnPage } from '../support/browser';
import { type Harness, type World, client, inSeconds, seedWorld, startHarness, unitSlug, waitFor } from '../support/harness';
import { setPassword } from '../../services/web/password-hash';
import { createToken } from '../../services/users/token.repository';
import { ChannelKind, PostStatus, Role, TargetStatus } from '../../shared/post';
import { ChannelState } from '../../shared/channels/channel-schemas';
import { HOLD_REASONS } from '../../shared/channels/channel-words';
import { EVENT_LABELS, FIELD_LABELS, RETRACTION_LABELS } from '../../shared/words';
import { NOTIFICATION_KINDS } from '../../services/notifications/notification.repository';

const PASSWORD = 'kata-sandi-rahasia-123';
const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 800 } };

let h: Harness;
let world: World;
let browser: Browser;
const posts = { draft: '', pending: '', rejected: '', published: '', scheduled: '' };
/** A large plan's import while its job checks it, and one refused with its problems. */
const imports = { running: '6a0c2f1e-9b8d-4e7a-8c6b-5d4e3f2a1b01', refused: '6a0c2f1e-9b8d-4e7a-8c6b-5d4e3f2a1b02' };
let slug = '';

/**
 * Codes a person must never read. On an Indonesian page any of them is an untranslated word; on an English one
 * only the spellings no sentence uses (`pending_approval`, `post.published`, `news_page`, `confirm-published`).
 * Codes that are words in both languages as they stand (admin, operator, webhook, …) say nothing and are left out.
 */
const CODES = new Set(
  [
    ...PostStatus.options,
    ...TargetStatus.options,
    ...ChannelKind.options,
    ...ChannelState.options,
    ...Role.options,
    ...Object.keys(EVENT_LABELS),
    ...Object.keys(RETRACTION_LABELS),
    ...Object.keys(FIELD_LABELS),
    ...Object.keys(HOLD_REASONS),
    ...NOTIFICATION_KINDS,
  ].filter((c) => c.length > 1 && !['admin', 'operator', 'supervisor', 'webhook', 'instagram', 'telegram', 'facebook', 'title', 'photo'].includes(c)),
);

function untranslated(text: string, lang: 'id' | 'en'): string[] {
  const words = text.split(/[\s,;:()“”"'‘’!?·—–|›‹]+/).map((w) => w.replace(/[.…]+$/, ''));
  return [...new Set(words.filter((w) => CODES.has(w) && (lang === 'id' || /[._-]/.test(w))))];
}

beforeAll(async () => {
  h = await startHarness();
  const db = h.siaran.database.db;
  world = await seedWorld(db);
  for (const id of Object.values(world.users)) await setPassword(db, id, PASSWORD);
  slug = await unitSlug(db, world.units.polres);
  const operator = client(h.url, world.tokens.operator);
  const supervisor = client(h.url, world.tokens.supervisor);
  const write = async (title: string, seconds = 7200) =>
    (await operator('POST', '/api/v1/posts', { title, body: `${title}: personel Polres melaksanakan kegiatan dengan aman dan lancar.`, channelIds: [world.newsPage.polres], scheduledAt: inSeconds(seconds) })).body.id as string;
  const submit = async (id: string) => expect((await operator('POST', `/api/v1/posts/${id}/submit`)).status).toBe(200);
  const approve = async (id: string) => {
    const v = (await supervisor('GET', `/api/v1/posts/${id}`)).body.version;
    expect((await supervisor('POST', `/api/v1/posts/${id}/approve`, { expectedVersion: v })).status).toBe(200);
  };
  posts.draft = await write('Draf patroli malam');
  posts.pending = await write('Pengamanan ibadah');
  await submit(posts.pending);
  posts.rejected = await write('Sosialisasi tertib lalu lintas');
  await submit(posts.rejected);
  expect((await supervisor('POST', `/api/v1/posts/${posts.rejected}/reject`, { note: 'Tambahkan lokasi kegiatan.' })).status).toBe(200);
  posts.scheduled = await write('Bakti sosial', 3 * 86_400);
  await submit(posts.scheduled);
  await approve(posts.scheduled);
  posts.published = await write('Jumat Curhat bersama warga', 3);
  await submit(posts.published);
  await approve(posts.published);
  await waitFor('publication', async () => (await supervisor('GET', `/api/v1/posts/${posts.published}`)).body.status === 'published', 30_000);
  const now = new Date();
  const planImport = { user_id: world.users.operator, file_name: 'rencana-desember.csv', file: null, rows: 1200, created_at: now, updated_at: now };
  await db.insertInto('plan_imports').values({ ...planImport, id: imports.running, status: 'checking', checked: 400 }).execute();
  await db
    .insertInto('plan_imports')
    .values({
      ...planImport,
      id: imports.refused,
      status: 'refused',
      checked: 1200,
      finished_at: now,
      message: JSON.stringify({ id: '1 dari 1200 baris bermasalah; belum ada yang diimpor.', en: '1 of 1200 rows have problems; nothing was imported.' }),
      problems: JSON.stringify([{ row: 7, column: 'judul', code: 'import.required', message: { id: 'Judul wajib diisi.', en: 'A title is required.' } }]),
    })
    .execute();
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser.close();
  await h.close();
});

async function signedIn(ctx: BrowserContext, who: keyof World['users'], problems: string[]): Promise<Page> {
  const page = await ctx.newPage();
  watch(page, problems);
  const { email } = await h.siaran.database.db.selectFrom('users').select('email').where('id', '=', world.users[who]).executeTakeFirstOrThrow();
  await signInOnPage(page, h.url, email, PASSWORD);
  return page;
}

/** A browser context whose pages note every CSP violation from their first byte on. */
async function device(opts: Parameters<Browser['newContext']>[0]): Promise<BrowserContext> {
  const ctx = await browser.newContext(opts);
  await ctx.addInitScript(`window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`);
  return ctx;
}

function watch(page: Page, problems: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${page.url()} ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()} pageerror: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (droppedIconFetch(r)) return;
    problems.push(`${r.url()} failed: ${r.failure()?.errorText ?? ''}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.url()} answered ${r.status()}`);
  });
}

/** Loads a page and says what is wrong with it. */
async function check(page: Page, path: string, lang: 'id' | 'en', phone: boolean): Promise<string[]> {
  const found: string[] = [];
  const res = await page.goto(`${h.url}${path}`);
  if (!res || res.status() !== 200) found.push(`${path} answered ${res?.status() ?? 'nothing'}`);
  await page.waitForLoadState('load');
  // A CSP violation is also reported to the page as an event, gathered from the start (see `device`).
  const violations = await page.evaluate<string[]>('window.__csp');
  found.push(...violations.map((v) => `${path} CSP: ${v}`));
  const text = await page.evaluate<string>('document.body.innerText');
  found.push(...untranslated(text, lang).map((c) => `${path} (${lang}) shows the code "${c}"`));
  if (phone) {
    // Against the phone's own width: a mobile browser zooms out to fit a page too wide, and then its window
    // (innerWidth) is as wide as the page, so comparing with that could never fail.
    const width = PHONE.viewport.width;
    const scroll = await page.evaluate<number>('document.documentElement.scrollWidth');
    if (scroll > width + 1) found.push(`${path} is ${scroll - width}px wider than the phone`);
  }
  return found;
}

const PAGES: Record<'operator' | 'supervisor' | 'admin', () => string[]> = {
  operator: () => ['/', '/compose', '/plan', `/plan/imports/${imports.running}`, `/plan/imports/${imports.refused}`, `/compose/${posts.draft}`, `/posts/${posts.draft}`, `/posts/${posts.rejected}`, `/posts/${posts.published}`, '/calendar', '/calendar?view=month', '/calendar?view=agenda', '/account', '/account/totp', '/notifications'],
  supervisor: () => ['/', '/inbox', '/report', `/posts/${posts.pending}`, `/posts/${posts.scheduled}`, `/posts/${posts.published}`, '/calendar', '/calendar?view=month', '/account', '/notifications'],
  admin: () => ['/', '/admin', '/admin/queues', '/calendar', '/report', '/account', '/notifications'],
};

describe.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
])('on a %s', (name, opts) => {
  test.each(['operator', 'supervisor', 'admin'] as const)('every page a %s opens (in both languages on the phone)', async (role) => {
    const problems: string[] = [];
    const ctx = await device(opts);
    const page = await signedIn(ctx, role, problems);
    // `?lang=` picks the language of each page. The pages are the same HTML on both devices, so the English
    // words are read once, on the phone, where a longer word can also push the page wider than the screen.
    for (const lang of name === 'phone' ? (['id', 'en'] as const) : (['id'] as const)) {
      for (const path of PAGES[role]()) problems.push(...(await check(page, `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`, lang, name === 'phone')));
    }
    await ctx.close();
    expect(problems).toEqual([]);
  }, 120_000);

  test('the sign-in page and the public news pages, signed out', async () => {
    const problems: string[] = [];
    const ctx = await device(opts);
    const page = await ctx.newPage();
    watch(page, problems);
    for (const path of ['/login', `/u/${slug}`, `/u/${slug}/p/${posts.published}`]) problems.push(...(await check(page, path, 'id', name === 'phone')));
    await ctx.close();
    expect(problems).toEqual([]);
  });
});

test('no false alarms: a published or scheduled post shows no finding, and no "changed" block when nothing changed', async () => {
  const problems: string[] = [];
  const ctx = await device(DESKTOP);
  const page = await signedIn(ctx, 'supervisor', problems);
  for (const id of [posts.published, posts.scheduled]) {
    await page.goto(`${h.url}/posts/${id}`);
    expect(await page.locator('.finding').count()).toBe(0);
    expect(await page.locator('[data-changed-since]').count()).toBe(0);
  }
  // After a rejection, what the author changed is shown to the next reviewer, and only that.
  const operator = client(h.url, world.tokens.operator);
  const v = (await operator('GET', `/api/v1/posts/${posts.rejected}`)).body.version;
  expect((await operator('PATCH', `/api/v1/posts/${posts.rejected}`, { title: 'Sosialisasi tertib lalu lintas di Simpang Tiga', expectedVersion: v })).status).toBe(200);
  expect((await operator('POST', `/api/v1/posts/${posts.rejected}/submit`)).status).toBe(200);
  await page.goto(`${h.url}/posts/${posts.rejected}`);
  expect(await page.locator('[data-changed-since] li').allTextContents()).toEqual([expect.stringContaining('Simpang Tiga')]);
  await ctx.close();
  expect(problems).toEqual([]);
});

test('the calendar on a phone is an agenda: the period named, each post legible, a tap opens it', async () => {
  const problems: string[] = [];
  const ctx = await device(PHONE);
  const page = await signedIn(ctx, 'operator', problems);
  await page.goto(`${h.url}/calendar?view=month`);
  expect(await page.textContent('[data-period]')).toMatch(/^(Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) \d{4}$/);
  expect(await page.getAttribute('[data-view=month]', 'aria-current')).toBe('page');
  expect(await page.locator('#calendar').isVisible()).toBe(false);
  const item = page.locator(`.agenda-item[data-id="${posts.published}"]`);
  expect(await item.isVisible()).toBe(true);
  const line = (await item.innerText()).replace(/\s+/g, ' ');
  expect(line).toContain('Jumat Curhat bersama warga');
  expect(line).toContain('Polres Tulangbawang Barat');
  expect(line).toContain('Halaman berita');
  expect(line).toContain('Terbit');
  expect(line).toMatch(/\d{2}\.\d{2} WIB/);
  await Promise.all([page.waitForURL(`${h.url}/posts/${posts.published}`), item.locator('a').tap()]);
  await ctx.close();
  expect(problems).toEqual([]);
});

test('on a phone the agenda moves a post by touch, without dragging', async () => {
  const problems: string[] = [];
  const ctx = await device(PHONE);
  const page = await signedIn(ctx, 'supervisor', problems);
  const supervisor = client(h.url, world.tokens.supervisor);
  const before = (await supervisor('GET', `/api/v1/posts/${posts.scheduled}`)).body.scheduledLocalIso as string;
  const day = before.slice(0, 10);
  await page.goto(`${h.url}/calendar?view=agenda&date=${day}`);
  const item = page.locator(`.agenda-item[data-id="${posts.scheduled}"]`);
  await item.locator('.move summary').tap();
  await item.locator('input[name=scheduledAt]').fill(`${day}T21:15`);
  // The form posts and comes back to this same calendar page: wait for what the new page shows.
  await item.locator('button[type=submit]').tap();
  await page.waitForSelector(`.agenda-item[data-id="${posts.scheduled}"] .time:has-text("21.15")`);
  // A supervisor who may approve it keeps the approval with the new time (services/posts/schedule-post.ts).
  const after = (await supervisor('GET', `/api/v1/posts/${posts.scheduled}`)).body;
  expect([after.status, after.scheduledLocalIso.slice(0, 16)]).toEqual(['scheduled', `${day}T21:15`]);
  await ctx.close();
  expect(problems).toEqual([]);
});

test("on a desktop a post in the calendar opens its card on click; the card leads to the post", async () => {
  const problems: string[] = [];
  const ctx = await device(DESKTOP);
  const page = await signedIn(ctx, 'operator', problems);
  await page.goto(`${h.url}/calendar?view=month`);
  await page.waitForSelector('body[data-ready=true]');
  await page.click(`.cal .item[data-id="${posts.published}"]`);
  const card = page.locator(`[data-pop="${posts.published}"]`);
  expect(await card.evaluate((el) => el.matches(':popover-open'))).toBe(true);
  const text = (await card.innerText()).replace(/\s+/g, ' ');
  expect(text).toContain('Jumat Curhat bersama warga');
  expect(text).toContain('Polres Tulangbawang Barat');
  expect(text).toContain('Halaman berita');
  expect(page.url()).toContain('/calendar');
  await page.keyboard.press('Escape');
  expect(await card.evaluate((el) => el.matches(':popover-open'))).toBe(false);
  await page.click(`.cal .item[data-id="${posts.published}"]`);
  await Promise.all([page.waitForURL(`${h.url}/posts/${posts.published}`), card.locator('a.button').click()]);
  await ctx.close();
  expect(problems).toEqual([]);
});

test("the calendar's channel filter offers the platforms the reader's units have, not every platform", async () => {
  const problems: string[] = [];
  const ctx = await device(DESKTOP);
  const page = await signedIn(ctx, 'operator', problems);
  await page.goto(`${h.url}/calendar`);
  // The test world's units have their news pages and nothing else.
  expect(await page.locator('select[name=channel] option').allTextContents()).toEqual(['Semua kanal', 'Halaman berita']);
  await ctx.close();
  expect(problems).toEqual([]);
});

test('revoking an API token on a phone asks first, says what stops working, and then revokes only that token', async () => {
  const problems: string[] = [];
  const db = h.siaran.database.db;
  const { token } = await createToken(db, world.users.admin, { label: 'skrip laporan', days: 30 });
  const ctx = await device(PHONE);
  const page = await signedIn(ctx, 'admin', problems);
  await page.goto(`${h.url}/account`);
  const row = page.locator('tr[data-token]', { hasText: 'skrip laporan' });
  const yes = row.locator('.confirm-box button.danger');
  const ask = row.locator('.confirm > button.danger');
  expect(await yes.isVisible()).toBe(false);
  await ask.tap();
  expect(await row.locator('.confirm-box p').innerText()).toContain('berhenti bekerja');
  // The question fits the phone's screen.
  const box = (await row.locator('.confirm-box').boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(PHONE.viewport.width);
  // "Batal" closes it and nothing is revoked.
  await row.locator('[data-cancel]').tap();
  expect(await yes.isVisible()).toBe(false);
  expect((await client(h.url, token)('GET', '/api/v1/me')).status).toBe(200);
  // Still working until the second tap.
  await ask.tap();
  await Promise.all([page.waitForURL(`${h.url}/account?token=revoked`), yes.tap()]);
  // With none left, the page says where tokens come from.
  expect(await page.locator('[data-tokens-whence]').innerText()).toContain('siaran token create');
  expect((await client(h.url, token)('GET', '/api/v1/me')).status).toBe(401);
  expect((await client(h.url, world.tokens.admin)('GET', '/api/v1/me')).status).toBe(200);
  await ctx.close();
  expect(problems).toEqual([]);
});
