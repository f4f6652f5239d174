// What a supervisor approves is what goes out, tried in a browser: channel texts and alt texts shown before
// approving, a photo changed after the page was opened, a NIK in a photo description, a supervisor's own
// rewrite, a post held as late, a post taken back. Any console error or CSP violation fails the test.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signInOnPage } from '../support/browser';
import { type Harness, type World, client, inSeconds, seedWorld, startHarness, unitSlug, waitFor } from '../support/harness';
import { photo } from '../support/platforms';
import { setPassword } from '../../services/web/password-hash';

const PASSWORD = 'kata-sandi-rahasia-123';
let h: Harness;
let world: World;
let browser: Browser;
const problems: string[] = [];

beforeAll(async () => {
  h = await startHarness({ PUBLISH_LATE_WINDOW_SECONDS: '2' });
  world = await seedWorld(h.siaran.database.db);
  for (const id of Object.values(world.users)) await setPassword(h.siaran.database.db, id, PASSWORD);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
  await h.close();
});
afterEach(() => {
  // Answers the test provokes on purpose (409, 403) are logged by Chromium as failed loads; nothing else may be.
  expect(problems.filter((p) => !/status of 40[39]/.test(p))).toEqual([]);
  problems.length = 0;
});

async function signIn(ctx: BrowserContext, who: keyof World['users']): Promise<Page> {
  const page = await ctx.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  const { email } = await h.siaran.database.db.selectFrom('users').select('email').where('id', '=', world.users[who]).executeTakeFirstOrThrow();
  await signInOnPage(page, h.url, email, PASSWORD);
  return page;
}

const operator = () => client(h.url, world.tokens.operator);
const supervisor = () => client(h.url, world.tokens.supervisor);

async function pending(body: string, extra: Record<string, unknown> = {}, alt?: string): Promise<string> {
  const c = await operator()('POST', '/api/v1/posts', { title: 'Patroli', body, channelIds: [world.newsPage.polres], scheduledAt: inSeconds(3600), ...extra });
  if (alt !== undefined) {
    await fetch(`${h.url}/api/v1/photos?postId=${c.body.id}&alt=${encodeURIComponent(alt)}`, { method: 'POST', headers: { authorization: `Bearer ${world.tokens.operator}`, 'content-type': 'image/jpeg' }, body: await photo() });
    await waitFor('renditions', async () => (await operator()('GET', `/api/v1/photos?postId=${c.body.id}`)).body.photos.every((p: { status: string }) => p.status === 'ready'));
  }
  const s = await operator()('POST', `/api/v1/posts/${c.body.id}/submit`);
  expect(s.status).toBe(200);
  return c.body.id as string;
}

test('the inbox shows each channel text as it will go out and every photo description before approval', async () => {
  const id = await pending('Patroli dialogis di pasar.', { variants: { [world.newsPage.polres]: 'Versi halaman berita: patroli dialogis bersama warga pasar Panaragan.' } }, 'Petugas berbincang dengan pedagang');
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await signIn(ctx, 'supervisor');
  await page.goto(`${h.url}/inbox`);
  const card = page.locator(`article[data-post="${id}"]`);
  const channelText = card.locator(`[data-channel-text="${world.newsPage.polres}"]`);
  await channelText.waitFor();
  expect(await channelText.isVisible()).toBe(true);
  expect(await channelText.textContent()).toContain('Versi halaman berita: patroli dialogis bersama warga pasar Panaragan.');
  expect(await card.locator('[data-alt]').first().textContent()).toBe('Petugas berbincang dengan pedagang');
  await ctx.close();
});

test('a photo changed after the supervisor opened the post: approving what was seen is refused, and the change is shown', async () => {
  const id = await pending('Kegiatan bakti sosial.', {}, 'Foto asli');
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await signIn(ctx, 'supervisor');
  await page.goto(`${h.url}/posts/${id}`);
  // Meanwhile the photo is described otherwise.
  const photos = (await operator()('GET', `/api/v1/photos?postId=${id}`)).body.photos;
  await operator()('PATCH', `/api/v1/photos/${photos[0].id}`, { altText: 'Foto yang ditukar' });
  const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/posts/${id}/approve`)), page.click('[data-action=approve]')]);
  expect(answer.status()).toBe(409);
  expect(await page.textContent('.flash.err')).toContain('baru saja diubah');
  expect((await supervisor()('GET', `/api/v1/posts/${id}`)).body.status).toBe('pending_approval');
  // Looking again shows what changed since it was last reviewed: reject, fix, resubmit, then the list.
  await page.goto(`${h.url}/posts/${id}`);
  expect(await page.textContent('[data-alt]')).toBe('Foto yang ditukar');
  await ctx.close();
});

test('a NIK in a photo description is shown at once on the compose page and blocks submitting', async () => {
  const c = await operator()('POST', '/api/v1/posts', { title: 'Penangkapan', body: 'Polres menangkap pelaku pencurian.', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(3600) });
  await fetch(`${h.url}/api/v1/photos?postId=${c.body.id}&alt=${encodeURIComponent('Barang bukti')}`, { method: 'POST', headers: { authorization: `Bearer ${world.tokens.operator}`, 'content-type': 'image/jpeg' }, body: await photo() });
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await signIn(ctx, 'operator');
  await page.goto(`${h.url}/compose/${c.body.id}`);
  await page.waitForSelector('body[data-ready=true]');
  await page.waitForSelector('.photo input[type=text]');
  await page.fill('.photo input[type=text]', 'Tersangka Budi, NIK 1871012345678901');
  await page.waitForSelector('.finding.block[data-code="personal_data.nik"]');
  expect(await page.isDisabled('#submit')).toBe(true);
  await ctx.close();
});

test("a supervisor who rewrote a post is told why he cannot approve it, and another supervisor can", async () => {
  const id = await pending('Teks dari operator.');
  await supervisor()('PATCH', `/api/v1/posts/${id}`, { body: 'Teks ditulis ulang oleh supervisor.' });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await signIn(ctx, 'supervisor');
  await page.goto(`${h.url}/posts/${id}`);
  expect(await page.locator('[data-approval-denied] [data-code="approval.own_change"]').count()).toBe(1);
  expect(await page.locator('[data-action=approve]').count()).toBe(0);
  const polda = await signIn(await browser.newContext({ viewport: { width: 1280, height: 860 } }), 'poldaSupervisor');
  await polda.goto(`${h.url}/posts/${id}`);
  await Promise.all([polda.waitForURL(`${h.url}/posts/${id}`), polda.click('[data-action=approve]')]);
  expect(await polda.getAttribute('[data-status]', 'data-status')).toBe('scheduled');
  await ctx.close();
});

test('a post held as late goes out only when a supervisor releases it; a published post taken back answers 410', async () => {
  // The admin holds the unit's publishing (as during an outage), and lets it go again past the window.
  const slug = await unitSlug(h.siaran.database.db, world.units.polres);
  const admin = await signIn(await browser.newContext({ viewport: { width: 1280, height: 860 } }), 'admin');
  const pauseButton = () => admin.locator(`li[data-unit="${slug}"] > form[action$="/pause"] button`);
  await admin.goto(`${h.url}/admin`);
  await Promise.all([admin.waitForEvent('load'), pauseButton().click()]);
  const at = Date.now() + 4000;
  const id = await pending('Pos yang terlambat.', { scheduledAt: new Date(at).toISOString() });
  const v = (await supervisor()('GET', `/api/v1/posts/${id}`)).body.version;
  expect((await supervisor()('POST', `/api/v1/posts/${id}/approve`, { expectedVersion: v })).status).toBe(200);
  // Past its time and past the 2-second window.
  await new Promise((r) => setTimeout(r, Math.max(0, at + 3000 - Date.now())));
  await admin.goto(`${h.url}/admin`);
  await Promise.all([admin.waitForEvent('load'), pauseButton().click()]);
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await signIn(ctx, 'supervisor');
  await waitFor('the late hold', async () => (await supervisor()('GET', `/api/v1/posts/${id}`)).body.targets[0].heldReason === 'post.late', 20_000, 200);
  await page.goto(`${h.url}/posts/${id}`);
  expect(await page.textContent('[data-held-reason="post.late"]')).toMatch(/Supervisor perlu melepasnya/);
  await Promise.all([page.waitForURL(`${h.url}/posts/${id}`), page.click('form[action$="/release"] button')]);
  await waitFor('publication', async () => (await supervisor()('GET', `/api/v1/posts/${id}`)).body.status === 'published', 30_000);

  await page.goto(`${h.url}/posts/${id}`);
  await page.click('summary:has-text("Tarik pos")');
  await page.fill('form[action$="/retract"] input[name=reason]', 'Informasi sudah tidak berlaku.');
  await Promise.all([page.waitForURL(`${h.url}/posts/${id}`), page.click('[data-action=retract]')]);
  expect(await page.getAttribute('[data-status]', 'data-status')).toBe('retracted');
  await waitFor('the page to be gone', async () => (await fetch(`${h.url}/u/${slug}/p/${id}`)).status === 410);
  const publicPage = await ctx.newPage();
  const res = await publicPage.goto(`${h.url}/u/${slug}/p/${id}`);
  expect(res?.status()).toBe(410);
  expect(await publicPage.textContent('main')).toContain('telah ditarik');
  await ctx.close();
}, 120_000);

test('two approvals for a sensitive post: the admin asks for them, the Kasi Humas approves on a phone, the Kabid Humas second', async () => {
  const admin = await signIn(await browser.newContext({ viewport: { width: 1280, height: 860 } }), 'admin');
  await admin.goto(`${h.url}/admin`);
  const poldaSlug = await unitSlug(h.siaran.database.db, world.units.polda);
  await Promise.all([admin.waitForEvent('load'), admin.click(`li[data-unit="${poldaSlug}"] > form[data-two-approvals=off] button`)]);
  expect(await admin.locator(`li[data-unit="${poldaSlug}"] > form[data-two-approvals=on]`).count()).toBe(1);

  // The operator marks the draft sensitive on its page, then submits.
  const c = await operator()('POST', '/api/v1/posts', { title: 'Pengungkapan kasus', body: 'Polres mengungkap peredaran narkoba.', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(7200) });
  const author = await signIn(await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true }), 'operator');
  await author.goto(`${h.url}/posts/${c.body.id}`);
  // The page posts back to itself: wait for what the new page shows, not for a URL it already has.
  await author.click('form[data-sensitivity=off] button');
  await author.waitForSelector('[data-sensitive]');
  await author.click('form[action$="/submit"] button');
  await author.waitForSelector('[data-status=pending_approval]');

  // On a phone, approving asks once more and says when it goes out.
  const kasi = await signIn(await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true }), 'supervisor');
  await kasi.goto(`${h.url}/posts/${c.body.id}`);
  expect(await kasi.getAttribute('[data-two-step]', 'data-two-step')).toBe('first');
  expect(await kasi.isVisible('[data-action=approve]')).toBe(false);
  await kasi.fill('[data-approve-note]', 'Sudah dicek dengan Kasat Narkoba.');
  await kasi.tap('[data-action=approve-ask]');
  expect(await kasi.textContent('.approve-confirm p')).toMatch(/persetujuan pertama dari dua.+ WIB/);
  await kasi.tap('[data-action=approve-confirmed]');
  await kasi.waitForSelector('[data-two-step=second]');
  expect(await kasi.getAttribute('[data-status]', 'data-status')).toBe('pending_approval');
  expect(await kasi.textContent('[data-two-step]')).toContain('kasihumas');

  const kabid = await signIn(await browser.newContext({ viewport: { width: 1280, height: 860 } }), 'poldaSupervisor');
  await kabid.goto(`${h.url}/inbox`);
  const card = kabid.locator(`article[data-post="${String(c.body.id)}"]`);
  expect(await card.locator('[data-two-step]').getAttribute('data-two-step')).toBe('second');
  await Promise.all([kabid.waitForURL(/\/inbox$/), card.locator('[data-action=approve]').click()]);
  await kabid.goto(`${h.url}/posts/${c.body.id}`);
  expect(await kabid.getAttribute('[data-status]', 'data-status')).toBe('scheduled');
  const history = await kabid.locator('#history li').allTextContents();
  expect(history.filter((l) => /persetujuan (pertama|kedua)|menyetujui/.test(l))).toEqual([
    expect.stringMatching(/kasihumas memberi persetujuan pertama \(tahap 1 dari 2\): “Sudah dicek dengan Kasat Narkoba\.”/),
    expect.stringMatching(/kabidhumas memberi persetujuan kedua \(tahap 2 dari 2\)/),
  ]);
  // The author reads the note on the post's page.
  await author.goto(`${h.url}/posts/${c.body.id}`);
  expect(await author.textContent('main')).toContain('Sudah dicek dengan Kasat Narkoba.');
}, 90_000);
