// The first start, as a person does it: `npm start` on an empty embedded database prints a one-time
// set-up link, the sign-in page offers it on the server's own machine, the set-up creates the top unit
// and the first admin and signs them in; `npm start -- --demo` prints demo accounts that work.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { waitFor } from '../support/harness';
import { uniquePrefix } from '../support/test-db';
import { type SiaranProcess, spawnSiaran } from '../support/processes';

const ROOT = path.resolve(__dirname, '../..');
let browser: Browser;
const problems: string[] = [];
const running: SiaranProcess[] = [];
const folders: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
  for (const p of running) await p.kill('SIGTERM');
  for (const f of folders) fs.rmSync(f, { recursive: true, force: true });
});
afterEach(() => {
  // The set-up form answers 422 on purpose once (passwords that differ); nothing else may be logged.
  expect(problems.filter((p) => !/status of 422/.test(p))).toEqual([]);
  problems.length = 0;
});

/** A fresh machine's start: a new data folder, no SECRETS_KEY (the server makes one), the machine's Redis. */
function freshStart(args: string[] = []): { server: SiaranProcess; dataDir: string; env: Record<string, string> } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'siaran-first-'));
  folders.push(dataDir);
  const env = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: uniquePrefix('first'), REDIS_AUTOSTART: 'false' };
  const server = spawnSiaran(env, args);
  running.push(server);
  return { server, dataDir, env };
}

async function watched(): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return page;
}

test('an empty database: the one-time link printed at start (and by siaran setup-link) sets up the top unit and the first admin', async () => {
  const { server, env } = freshStart();
  const url = await server.url;
  await waitFor('the set-up link in the output', () => Promise.resolve(/\/setup\?token=/.test(server.logs.join('\n'))), 20_000);
  const printed = /(http:\/\/\S+\/setup\?token=[A-Za-z0-9_-]+)/.exec(server.logs.join('\n'))![1]!;
  expect(printed).toMatch(/^http:\/\/localhost:\d+\/setup\?token=/);

  // The sign-in page says Siaran is not set up and where the link is, never the link itself: behind a
  // reverse proxy on the same machine every visitor would look local.
  const page = await watched();
  await page.goto(`${url}/login`);
  await page.waitForSelector('[data-not-set-up]');
  expect(await page.content()).not.toContain('/setup?token=');
  expect(await page.textContent('[data-not-set-up]')).toContain('npx siaran setup-link');
  // The command prints the same link, asking the running server over its socket.
  const cli = spawnSync(process.execPath, [path.join(ROOT, 'bin/siaran.js'), 'setup-link', '--json'], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  expect(cli.status).toBe(0);
  expect(JSON.parse(cli.stdout)).toEqual({ command: 'setup-link', link: printed });
  // A made-up token is refused in words.
  const forged = await fetch(`${url}/setup?token=${'A'.repeat(43)}`);
  expect(forged.status).toBe(403);
  expect(await forged.text()).toContain('Tautan penyiapan ini tidak berlaku');

  await page.goto(printed.replace(/^http:\/\/localhost:\d+/, url));
  await page.waitForSelector('[data-setup] form');
  // Mistakes are told in Indonesian, field by field, by the server (the form does not leave it to the browser).
  await page.fill('#unitName', ' ');
  await page.fill('#email', 'rina-at-lampung');
  await page.fill('#password', 'pendek');
  await page.fill('#confirm', 'pendek');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-setup] [role=alert]');
  const told = (await page.textContent('[role=alert]'))!;
  expect(told).toContain('Nama satuan: paling sedikit 3 karakter');
  expect(told).toContain('E-mail: bukan alamat e-mail yang benar');
  expect(told).toContain('Kata sandi: paling sedikit 10 karakter');
  await page.fill('#unitName', 'Polda Lampung');
  await page.selectOption('#timeZone', 'Asia/Jakarta');
  await page.fill('#adminName', 'Kompol Rina Pratiwi');
  await page.fill('#email', 'rina@lampung.polri.test');
  await page.fill('#password', 'kata-sandi-pertama-1');
  await page.fill('#confirm', 'kata-sandi-berbeda-2');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-setup] [role=alert]');
  expect(await page.textContent('[role=alert]')).toContain('Kedua kata sandi tidak sama');
  // What was typed stays; the passwords are typed again.
  expect(await page.inputValue('#unitName')).toBe('Polda Lampung');
  await page.fill('#password', 'kata-sandi-pertama-1');
  await page.fill('#confirm', 'kata-sandi-pertama-1');
  await Promise.all([page.waitForURL((u) => u.pathname === '/admin'), page.click('button[type=submit]')]);
  // Signed in as the first admin, in the unit just made.
  const body = await page.textContent('body');
  expect(body).toContain('Polda Lampung');
  expect(body).toContain('Kompol Rina Pratiwi');
  // The first admin builds the hierarchy in the browser: a Polres under the Polda.
  await page.fill('[data-add-unit] input[name=name]', 'Polres Tulangbawang Barat');
  await Promise.all([page.waitForEvent('load'), page.click('[data-add-unit] button')]);
  expect(await page.textContent('.flash')).toContain('Satuan ditambahkan: Polres Tulangbawang Barat.');
  expect(await page.$('li[data-unit="polda-lampung"] li[data-unit="polres-tulangbawang-barat"]')).not.toBeNull();

  // The link is spent: it leads to the sign-in page, which says Siaran is set up.
  await page.goto(printed.replace(/^http:\/\/localhost:\d+/, url));
  expect(new URL(page.url()).pathname).toBe('/login');
  expect(await page.$('[data-not-set-up]')).toBeNull();
  expect(await page.textContent('[data-set-up]')).toContain('Siaran sudah disiapkan');
  const again = await fetch(`${url}/setup`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${new URL(printed).searchParams.get('token')!}` });
  expect(again.status).toBeGreaterThanOrEqual(400);
  expect(again.status).toBeLessThan(500);

  // The next start has accounts: no set-up link is printed, and the admin signs in with the password chosen.
  expect(await server.kill('SIGTERM')).toBe(0);
  const next = spawnSiaran(env);
  running.push(next);
  const nextUrl = await next.url;
  await waitFor('the start banner', () => Promise.resolve(next.logs.some((l) => l.includes('Siaran is running'))), 20_000);
  expect(next.logs.join('\n')).not.toContain('/setup?token=');
  const login = await watched();
  await login.goto(`${nextUrl}/login`);
  await login.fill('#email', 'rina@lampung.polri.test');
  await login.fill('#password', 'kata-sandi-pertama-1');
  await Promise.all([login.waitForURL((u) => !u.pathname.startsWith('/login')), login.click('button[type=submit]')]);
  expect(await login.textContent('body')).toContain('Kompol Rina Pratiwi');
  expect(await next.kill('SIGTERM')).toBe(0);
}, 120_000);

test('npm start -- --demo fills a fresh database and prints accounts a person signs in with', async () => {
  const { server } = freshStart(['--demo']);
  const url = await server.url;
  await waitFor('the demo accounts in the output', () => Promise.resolve(/supervisor\s+\S+@demo\.siaran\s+password \S+/.test(server.logs.join('\n'))), 30_000);
  const out = server.logs.join('\n');
  expect(out).toMatch(/Siaran demo — sign in at http:\/\/localhost:\d+\/login/);
  expect(out).not.toContain('/setup?token=');
  const [, email, password] = /supervisor\s+(\S+@demo\.siaran)\s+password (\S+)/.exec(out)!;

  const page = await watched();
  await page.goto(`${url}/login`);
  expect(await page.$('[data-not-set-up]')).toBeNull();
  await page.fill('#email', email!);
  await page.fill('#password', password!);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
  await page.goto(`${url}/inbox`);
  expect(new URL(page.url()).pathname).toBe('/inbox');
  expect(await server.kill('SIGTERM')).toBe(0);
}, 90_000);
