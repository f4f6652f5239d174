// Measures what the compose page costs a phone on a cold cache: bytes over the wire and time until it answers input.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { type Harness, seedWorld, startHarness } from '../support/harness';
import { setPassword } from '../../services/web/password-hash';

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  h = await startHarness();
  const world = await seedWorld(h.siaran.database.db);
  await setPassword(h.siaran.database.db, world.users.operator, 'kata-sandi-rahasia-123');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
  await h.close();
});

test('the compose page stays small for a phone on a slow link', async () => {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
  const page = await ctx.newPage();
  const email = (await h.siaran.database.db.selectFrom('users').select('email').where('name', '=', 'operator').executeTakeFirstOrThrow()).email;
  await page.goto(`${h.url}/login`);
  await page.fill('#email', email);
  await page.fill('#password', 'kata-sandi-rahasia-123');
  await Promise.all([page.waitForURL(/\/compose$/), page.click('button[type=submit]')]);

  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  let bytes = 0;
  // Bytes per file too, so that a change in weight can be traced to the file that grew.
  const names = new Map<string, string>();
  const perFile: Record<string, number> = {};
  cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => {
    bytes += e.encodedDataLength;
    const name = names.get(e.requestId) ?? 'other';
    perFile[name] = (perFile[name] ?? 0) + e.encodedDataLength;
  });
  cdp.on('Network.responseReceived', (e: { requestId: string; response: { url: string } }) => {
    const url = new URL(e.response.url);
    const name = url.protocol === 'data:' ? 'data: URL' : url.pathname;
    names.set(e.requestId, name);
  });
  await page.goto(`${h.url}/compose`);
  await page.waitForSelector('body[data-ready=true]');
  const timing = await page.evaluate(`(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return { domContentLoaded: Math.round(nav.domContentLoadedEventEnd), ready: Math.round(performance.now()) };
  })()`);
  const report = { bytesTransferred: bytes, perFile, ...(timing as object) };
  fs.mkdirSync(path.resolve(__dirname, '..', '..', 'test-artifacts'), { recursive: true });
  fs.writeFileSync(path.resolve(__dirname, '..', '..', 'test-artifacts', 'compose-weight.json'), JSON.stringify(report, null, 2));
  console.log(`compose page, cold cache: ${JSON.stringify(report)}`);
  // A budget on size, not on time: 150 kB over the wire for the whole page.
  expect(bytes).toBeLessThan(150_000);
  await ctx.close();
});
