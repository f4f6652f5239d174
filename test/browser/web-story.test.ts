// The whole story in a real browser: an operator on a phone writes, a Polda supervisor approves, it goes out.
import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signInOnPage } from '../support/browser';
import sharp from 'sharp';
import { type Harness, type World, seedWorld, startHarness, waitFor } from '../support/harness';
import { setPassword } from '../../services/web/password-hash';

const PASSWORD = 'kata-sandi-rahasia-123';
// Written where test output goes, never over tracked files (docs/screenshots holds copies chosen by hand).
const SHOTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'screenshots');
const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 860 } };

let h: Harness;
let world: World;
let browser: Browser;
let photoFile: string;
const emails: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness();
  const db = h.siaran.database.db;
  world = await seedWorld(db);
  for (const [key, id] of Object.entries(world.users)) {
    await setPassword(db, id, PASSWORD);
    emails[key] = (await db.selectFrom('users').select('email').where('id', '=', id).executeTakeFirstOrThrow()).email;
  }
  photoFile = path.join(h.env.DATA_DIR, 'kegiatan.jpg');
  fs.writeFileSync(photoFile, await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#2f6db5' } }).jpeg().toBuffer());
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
  await h.close();
});

async function signIn(ctx: BrowserContext, who: string): Promise<Page> {
  const page = await ctx.newPage();
  await signInOnPage(page, h.url, emails[who]!, PASSWORD);
  return page;
}

const localIn = (seconds: number, zone = 'Asia/Jakarta') =>
  DateTime.now().setZone(zone).plus({ seconds }).toFormat("yyyy-MM-dd'T'HH:mm:ss");

let postUrl = '';

test('an operator on a phone composes with a photo, meets the NIK finding, fixes it and submits', async () => {
  const ctx = await browser.newContext(PHONE);
  const page = await signIn(ctx, 'operator');
  await page.goto(`${h.url}/compose`);
  await page.waitForSelector('body[data-ready=true]');
  await page.fill('#title', 'Jumat Curhat bersama warga Tumijajar');
  await page.fill('#body', 'Kapolres menerima keluhan warga. Pelapor NIK 1871012345678901 hadir.');
  await page.check('input[data-kind=news_page]');
  await page.fill('#scheduled', localIn(60));
  await page.waitForSelector('.finding.block[data-code="personal_data.nik"]');
  expect(await page.isDisabled('#submit')).toBe(true);
  // Typing on in the text: the finding is under it, its digits marked, on screen and clear of the sticky bar;
  // the reason the button is grey sits beside the button.
  await page.focus('#body');
  await page.keyboard.press('End');
  await page.keyboard.type(' Warga berterima kasih.');
  const atField = page.locator('[data-findings-for=body] .finding[data-code="personal_data.nik"]');
  expect(await atField.locator('mark').textContent()).toBe('1871012345678901');
  const seen = async (selector: string) => {
    const box = (await page.locator(selector).boundingBox())!;
    const bar = (await page.locator('#actions').boundingBox())!;
    return { top: box.y >= 0, clearOfBar: selector === '#blocked' || box.y + box.height <= bar.y, onScreen: box.y + box.height <= 740 };
  };
  expect(await seen('[data-findings-for=body] .finding[data-code="personal_data.nik"]')).toEqual({ top: true, clearOfBar: true, onScreen: true });
  expect(await page.textContent('#blocked')).toContain('NIK');
  expect(await seen('#blocked')).toEqual({ top: true, clearOfBar: true, onScreen: true });

  await page.fill('#body', 'Kapolres menerima keluhan warga tentang penerangan jalan dan menindaklanjutinya.');
  await page.waitForSelector('.finding[data-code="personal_data.nik"]', { state: 'detached' });
  await page.waitForSelector('#previews [data-preview=news_page]');

  await page.setInputFiles('#photo-input', photoFile);
  await page.waitForSelector('.photo img[src]');
  // The alt text's answer comes late (a slow line): a submit pressed meanwhile must wait for it and then submit,
  // not name the version before the photo's change and meet a conflict.
  await page.route(/\/api\/v1\/photos\/[0-9a-f-]{36}$/, async (route) => {
    if (route.request().method() !== 'PATCH') return route.continue();
    const answer = await route.fetch();
    await new Promise((r) => setTimeout(r, 1500));
    return route.fulfill({ response: answer });
  });
  await page.fill('.photo input[type=text]', 'Kapolres berbincang dengan warga di balai desa');
  await page.press('.photo input[type=text]', 'Tab');
  await page.waitForURL(/\/compose\/[0-9a-f-]{36}$/);
  await page.screenshot({ path: path.join(SHOTS, 'compose-phone.png'), fullPage: true });

  await Promise.all([page.waitForURL(/\/posts\/[0-9a-f-]{36}$/), page.click('#submit')]);
  expect(await page.getAttribute('[data-status]', 'data-status')).toBe('pending_approval');
  postUrl = page.url();
  await ctx.close();
});

test('an operator of another unit cannot open the post', async () => {
  const ctx = await browser.newContext(DESKTOP);
  const page = await signIn(ctx, 'otherOperator');
  const res = await page.goto(postUrl);
  expect(res?.status()).toBe(404);
  expect(await page.content()).not.toContain('Jumat Curhat');
  await ctx.close();
});

test('a Polda supervisor approves from the inbox; the post shows in the calendar and then as published', async () => {
  const ctx = await browser.newContext(DESKTOP);
  const page = await signIn(ctx, 'poldaSupervisor');
  await page.goto(`${h.url}/inbox`);
  const card = page.locator(`article[data-post="${postUrl.split('/').pop()!}"]`);
  await card.locator('img').first().waitFor();
  await Promise.all([page.waitForURL(/\/inbox$/), card.locator('[data-action=approve]').click()]);

  // Bring it forward so it goes out within seconds; a supervisor's move keeps the approval.
  await page.goto(postUrl);
  expect(await page.getAttribute('[data-status]', 'data-status')).toBe('scheduled');
  await page.fill('#when', localIn(3));
  await Promise.all([page.waitForURL(postUrl), page.click('form[action$="/reschedule"] button')]);

  await page.goto(`${h.url}/calendar?view=month`);
  await page.waitForSelector(`.cal a.item[data-id="${postUrl.split('/').pop()!}"]`);
  await page.screenshot({ path: path.join(SHOTS, 'calendar-desktop.png'), fullPage: true });

  await waitFor('the post to be published', async () => {
    await page.goto(postUrl);
    return (await page.getAttribute('[data-status]', 'data-status')) === 'published';
  }, 30_000, 500);
  const events = await page.locator('#history li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-event')));
  expect(events).toEqual(expect.arrayContaining(['created', 'submitted', 'approved', 'rescheduled', 'target.published']));
  expect(await page.locator('[data-target-status=published]').count()).toBe(1);
  await ctx.close();
});

test('the app speaks English on request and remembers it', async () => {
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  await page.goto(`${h.url}/login`);
  expect(await page.textContent('h1')).toBe('Masuk');
  await page.click('a.lang');
  expect(await page.textContent('h1')).toBe('Sign in');
  await page.fill('#email', emails.operator!);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(/\/compose$/), page.click('button[type=submit]')]);
  await page.waitForSelector('body[data-ready=true]');
  expect(await page.textContent('#submit')).toBe('Submit for approval');
  // A new post's empty fields are no mistakes yet: the checks say what to do first.
  expect(await page.locator('#findings .finding').count()).toBe(0);
  expect(await page.textContent('#findings')).toBe('Write a title and the text, then pick the channels: the post can be submitted after that.');
  await page.fill('#body', 'NIK 1871012345678901');
  expect(await page.textContent('.finding[data-code="personal_data.nik"]')).toMatch(/[A-Za-z]/);
  expect(await page.locator('.finding[data-code="title.required"]').count()).toBe(0);
  // Once the person has been to the title and left it empty, it is named.
  await page.fill('#title', 'x');
  await page.fill('#title', '');
  expect(await page.textContent('.finding[data-code="title.required"]')).toBe('A title is required.');
  await ctx.close();
});
