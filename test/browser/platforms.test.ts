// Connecting social accounts in a real browser: "Connect X account" through X's consent page (the local
// fake's), a Telegram channel through the admin form, and the compose page's per-platform length rule,
// the same finding the API gives. Any console error, failed request or CSP violation fails the test.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { droppedIconFetch, launchChromium } from '../support/browser';
import { client, unitSlug } from '../support/harness';
import { type PlatformWorld, startWithPlatforms } from '../support/platforms';
import { setPassword } from '../../services/web/password-hash';

const PASSWORD = 'kata-sandi-rahasia-123';
let p: PlatformWorld;
let browser: Browser;
let base: string;
const problems: string[] = [];

beforeAll(async () => {
  p = await startWithPlatforms();
  // The consent page sends the admin back to PUBLIC_BASE_URL, which defaults to localhost.
  base = p.h.url.replace('127.0.0.1', 'localhost');
  for (const id of Object.values(p.world.users)) await setPassword(p.h.siaran.database.db, id, PASSWORD);
  polresSlug = await unitSlug(p.h.siaran.database.db, p.world.units.polres);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
  await p.close();
});
afterEach(() => {
  expect(problems).toEqual([]);
  problems.length = 0;
});

function watch(page: Page): Page {
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => droppedIconFetch(r) || problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  return page;
}

async function signIn(ctx: BrowserContext, who: keyof PlatformWorld['world']['users']): Promise<Page> {
  const page = watch(await ctx.newPage());
  const { email } = await p.h.siaran.database.db.selectFrom('users').select('email').where('id', '=', p.world.users[who]).executeTakeFirstOrThrow();
  await page.goto(`${base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
  return page;
}

let polresSlug = '';
const polresRow = (page: Page) => page.locator(`li[data-unit="${polresSlug}"]`);

test('an admin connects the unit X account on X consent page and sees it connected', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await signIn(ctx, 'admin');
  await page.goto(`${base}/admin`);
  await Promise.all([page.waitForURL((u) => u.pathname === '/i/oauth2/authorize'), polresRow(page).locator('[data-action=connect-x]').first().click()]);
  // X's page names the scopes asked for, offline access and photo upload among them.
  expect(await page.textContent('body')).toContain('offline.access');
  expect(await page.textContent('body')).toContain('media.write');
  await Promise.all([page.waitForURL((u) => u.pathname === '/admin' && u.searchParams.get('done') === 'connected'), page.click('#authorize')]);
  expect(await page.textContent('.flash')).toContain('X @humaspolrestubaba');
  const row = page.locator('tr[data-kind=x]');
  expect(await row.locator('[data-channel-state]').getAttribute('data-channel-state')).toBe('connected');
  expect(await row.textContent()).toContain('@humaspolrestubaba');
  expect(await row.textContent()).toMatch(/Token berakhir/);
  // Tokens never reach the page.
  const html = await page.content();
  const stored = await p.h.siaran.database.db.selectFrom('channels').select('secret_ciphertext').where('kind', '=', 'x').executeTakeFirstOrThrow();
  const creds = JSON.parse(p.h.siaran.channels.box.open(stored.secret_ciphertext!));
  expect(html).not.toContain(creds.accessToken);
  expect(html).not.toContain(creds.refreshToken);
  await ctx.close();
});

test('an admin signs in with Facebook once and gives two Pages (and the Instagram account of one) to two units', async () => {
  const second = p.meta.addPage({ name: 'Humas Polsek Tulangbawang Tengah' });
  p.meta.user.pageIds = [p.meta.page.id, second.id];
  const polsekSlug = await unitSlug(p.h.siaran.database.db, p.world.units.polsek);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await signIn(ctx, 'admin');
  await page.goto(`${base}/admin`);
  await Promise.all([page.waitForURL((u) => u.pathname.endsWith('/dialog/oauth')), page.click('[data-action=connect-facebook]')]);
  // Meta's dialog names what is asked for: posting to Pages and publishing to Instagram among it.
  expect(await page.textContent('body')).toContain('pages_manage_posts');
  expect(await page.textContent('body')).toContain('instagram_content_publish');
  await Promise.all([page.waitForURL((u) => u.pathname === '/admin/oauth/meta/pick'), page.click('#continue')]);
  // Both Pages are listed; the first with its linked Instagram account.
  expect(await page.locator('tr[data-page]').count()).toBe(2);
  expect(await page.locator(`tr[data-page="${p.meta.page.id}"]`).textContent()).toContain('@humaspolrestubaba');
  // On a phone each Page is a card: nothing runs off the screen.
  await page.setViewportSize({ width: 360, height: 740 });
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.selectOption(`select[name="unit:${p.meta.page.id}"]`, p.world.units.polres);
  await page.selectOption(`select[name="unit:${second.id}"]`, p.world.units.polsek);
  await Promise.all([page.waitForURL((u) => u.pathname === '/admin' && u.searchParams.get('done') === 'pages'), page.click('[data-action=connect-pages]')]);
  const flash = await page.textContent('.flash');
  expect(flash).toMatch(/Tersambung — /);
  expect(flash).toMatch(/Polres Tulangbawang Barat: Facebook Humas Polres Tulangbawang Barat \(baru\), Instagram @humaspolrestubaba \(baru\)/);
  expect(flash).toMatch(/Polsek [^:]+: Facebook Humas Polsek Tulangbawang Tengah \(baru\)/);
  const polres = page.locator(`li[data-unit="${polresSlug}"]`).first();
  const polsek = page.locator(`li[data-unit="${polsekSlug}"]`).first();
  expect(await polres.locator('tr[data-kind=facebook] [data-channel-state]').first().getAttribute('data-channel-state')).toBe('connected');
  expect(await polres.locator('tr[data-kind=instagram]').first().textContent()).toContain('@humaspolrestubaba');
  expect(await polsek.locator('tr[data-kind=facebook]').first().textContent()).toContain('Humas Polsek Tulangbawang Tengah');
  // Each Page's own token is what was sealed; no token reaches the page.
  const channels = await p.h.siaran.database.db.selectFrom('channels').select(['kind', 'unit_id', 'secret_ciphertext', 'settings']).where('kind', 'in', ['facebook', 'instagram']).execute();
  const tokenOf = (kind: string, unit: string) => JSON.parse(p.h.siaran.channels.box.open(channels.find((c) => c.kind === kind && c.unit_id === unit)!.secret_ciphertext!)) as Record<string, string>;
  expect(tokenOf('facebook', p.world.units.polres).pageToken).toBe(p.meta.page.token);
  expect(tokenOf('instagram', p.world.units.polres).token).toBe(p.meta.page.token);
  expect(tokenOf('facebook', p.world.units.polsek).pageToken).toBe(second.token);
  const html = await page.content();
  expect(html).not.toContain(p.meta.page.token);
  expect(html).not.toContain(second.token);
  // The dialog's one-time state and the list of Pages are spent.
  expect(await p.h.siaran.database.db.selectFrom('oauth_states').select('kind').where('kind', 'in', ['meta', 'meta_pages']).execute()).toEqual([]);
  await ctx.close();
});

test('an admin connects an Instagram account with no Page through Instagram’s own dialog', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await signIn(ctx, 'admin');
  await page.goto(`${base}/admin`);
  await Promise.all([page.waitForURL((u) => u.pathname === '/oauth/authorize'), polresRow(page).locator('[data-action=connect-instagram]').first().click()]);
  expect(await page.textContent('body')).toContain('instagram_business_content_publish');
  await Promise.all([page.waitForURL((u) => u.pathname === '/admin' && u.searchParams.get('done') === 'connected'), page.click('#allow')]);
  const row = polresRow(page).locator('tr[data-kind=instagram]', { hasText: '@humaspolsekmandiri' });
  expect(await row.locator('[data-channel-state]').getAttribute('data-channel-state')).toBe('connected');
  // The token's end is shown, renewed automatically.
  expect(await row.textContent()).toMatch(/Token berakhir/);
  expect(await page.content()).not.toContain(p.meta.igLoginAs.token);
  await ctx.close();
});

test('an admin adds the Telegram channel with the bot token and tests the connection', async () => {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await signIn(ctx, 'admin');
  await page.goto(`${base}/admin`);
  const form = polresRow(page).locator('form[action*="/telegram#"]').first();
  await polresRow(page).locator('summary', { hasText: 'Tambah kanal Telegram' }).first().click();
  await form.locator('input[name=chat]').fill('@humaspolrestubaba');
  await form.locator('input[name=botToken]').fill(p.tg.bot.token);
  await Promise.all([page.waitForEvent('load'), form.locator('button').click()]);
  expect(await page.textContent('.flash')).toContain('Telegram @humaspolrestubaba');
  const row = page.locator('tr[data-kind=telegram]');
  expect(await row.locator('[data-channel-state]').getAttribute('data-channel-state')).toBe('connected');
  await Promise.all([page.waitForEvent('load'), row.locator('[data-action=test]').click()]);
  expect(await page.textContent('.flash')).toContain('adalah admin Humas Polres Tulangbawang Barat');
  expect(await page.content()).not.toContain(p.tg.bot.token);
  await ctx.close();
});

test('the compose page refuses an over-long X text with the finding the API gives, until "send as a thread" is chosen', async () => {
  const channels = (await client(p.h.url, p.world.tokens.operator)('GET', `/api/v1/units/${p.world.units.polres}/channels`)).body;
  const x = channels.find((c: { kind: string }) => c.kind === 'x');
  const body = 'Polres Tulangbawang Barat melaksanakan patroli dialogis bersama warga Kecamatan Tumijajar. '.repeat(5).trim();
  const api = await client(p.h.url, p.world.tokens.operator)('POST', '/api/v1/posts', { title: 'Patroli', body, channelIds: [x.id], scheduledAt: new Date(Date.now() + 3_600_000).toISOString() });
  const apiFinding = api.body.findings.find((f: { code: string }) => f.code === 'channel.text_too_long');

  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await signIn(ctx, 'operator');
  await page.goto(`${base}/compose`);
  await page.waitForSelector('body[data-ready=true]');
  await page.fill('#title', 'Patroli');
  await page.fill('#body', body);
  await page.check(`input[name=channel][value="${x.id}"]`);
  // The checks list (the same finding also stands under the channel it is about).
  const shown = page.locator('#findings .finding[data-code="channel.text_too_long"]');
  await shown.waitFor();
  expect(await shown.textContent()).toBe(apiFinding.message.id);
  expect(await page.isDisabled('#submit')).toBe(true);
  await page.check(`input[data-thread="${x.id}"]`);
  await shown.waitFor({ state: 'detached' });
  // The preview shows the parts that will go out.
  expect(await page.locator(`[data-preview=x] hr`).count()).toBeGreaterThan(0);
  expect(await page.textContent('[data-preview=x]')).toMatch(/\(1\/\d\)/);
  await ctx.close();
});
