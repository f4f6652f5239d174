// `npm run screenshots`: docs/screenshots/ anew — every page, as each role sees it, on a 360 px phone and a
// 1280 px desktop, from the real product on a throw-away embedded database with a small story in it (a draft,
// a post waiting for its second approval, a rejected one, a published one with a photo). Run by hand when the
// screens change, never by the tests. Needs Redis on 127.0.0.1:6379, as the tests do.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, signInOnPage } from '../support/browser';
import { type Harness, type World, client, inSeconds, seedWorld, startHarness, unitSlug, waitFor } from '../support/harness';
import { setPassword } from '../../services/web/password-hash';

const OUT = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');
const PASSWORD = 'kata-sandi-rahasia-123';
const DEVICES = {
  phone: { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1280, height: 800 } },
} as const;

interface Story {
  draft: string;
  secondStep: string;
  rejected: string;
  published: string;
  slug: string;
}

async function photo(label: string, colour: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1066"><rect width="100%" height="100%" fill="${colour}"/><text x="80" y="980" font-family="sans-serif" font-size="72" fill="#fff">${label}</text></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
}

async function tell(h: Harness, world: World): Promise<Story> {
  const operator = client(h.url, world.tokens.operator);
  const kasi = client(h.url, world.tokens.supervisor);
  const db = h.siaran.database.db;
  await db.updateTable('units').set({ two_approvals_for_sensitive: true }).where('id', '=', world.units.polda).execute();
  const write = async (title: string, body: string, seconds: number, withPhoto?: string) => {
    const c = await operator('POST', '/api/v1/posts', { title, body, channelIds: [world.newsPage.polres], scheduledAt: inSeconds(seconds) });
    if (c.status !== 201) throw new Error(`create: ${String(c.status)} ${JSON.stringify(c.body)}`);
    const id = c.body.id as string;
    if (withPhoto) {
      await fetch(`${h.url}/api/v1/photos?postId=${id}&alt=${encodeURIComponent(withPhoto)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${world.tokens.operator}`, 'content-type': 'image/jpeg' },
        body: await photo(withPhoto, '#2f6db5'),
      });
      await waitFor('renditions', async () => (await operator('GET', `/api/v1/photos?postId=${id}`)).body.photos.every((p: { status: string }) => p.status === 'ready'), 60_000);
    }
    return id;
  };
  const approve = async (who: ReturnType<typeof client>, id: string) => {
    const v = (await who('GET', `/api/v1/posts/${id}`)).body.version;
    await who('POST', `/api/v1/posts/${id}/approve`, { expectedVersion: v, note: 'Sudah sesuai.' });
  };
  const draft = await write('Patroli dialogis malam Minggu', 'Personel Sat Samapta melaksanakan patroli dialogis di pusat keramaian.', 86_400);
  const secondStep = await write('Pengungkapan kasus peredaran narkoba', 'Sat Resnarkoba Polres Tulangbawang Barat mengungkap peredaran sabu di Kecamatan Tumijajar.', 2 * 86_400, 'Barang bukti diperlihatkan dalam konferensi pers');
  await operator('POST', `/api/v1/posts/${secondStep}/sensitivity`, { sensitive: true });
  await operator('POST', `/api/v1/posts/${secondStep}/submit`);
  await approve(kasi, secondStep);
  const rejected = await write('Sosialisasi tertib lalu lintas', 'Satlantas menyosialisasikan tertib berlalu lintas kepada pelajar.', 3 * 86_400);
  await operator('POST', `/api/v1/posts/${rejected}/submit`);
  await kasi('POST', `/api/v1/posts/${rejected}/reject`, { note: 'Tambahkan nama sekolah dan jumlah peserta.' });
  const published = await write('Jumat Curhat bersama warga Tumijajar', 'Kapolres menerima keluhan warga tentang penerangan jalan dan menindaklanjutinya bersama pemerintah desa.', 3, 'Kapolres berbincang dengan warga di balai desa');
  await operator('POST', `/api/v1/posts/${published}/submit`);
  await approve(kasi, published);
  await waitFor('publication', async () => (await kasi('GET', `/api/v1/posts/${published}`)).body.status === 'published', 60_000);
  return { draft, secondStep, rejected, published, slug: await unitSlug(db, world.units.polres) };
}

async function signedIn(browser: Browser, device: keyof typeof DEVICES, h: Harness, email: string): Promise<BrowserContext> {
  const ctx = await browser.newContext(DEVICES[device]);
  const page = await ctx.newPage();
  await signInOnPage(page, h.url, email, PASSWORD);
  await page.close();
  return ctx;
}

async function main(): Promise<void> {
  const h = await startHarness({ LOG_LEVEL: 'warn' });
  let browser: Browser | undefined;
  try {
    const db = h.siaran.database.db;
    const world = await seedWorld(db, 'contoh');
    for (const id of Object.values(world.users)) await setPassword(db, id, PASSWORD);
    const email = async (id: string) => (await db.selectFrom('users').select('email').where('id', '=', id).executeTakeFirstOrThrow()).email;
    const story = await tell(h, world);
    browser = await launchChromium();
    fs.mkdirSync(OUT, { recursive: true });
    const shots: Array<{ name: string; role: keyof World['users'] | null; path: string }> = [
      { name: 'login', role: null, path: '/login' },
      { name: 'news-page', role: null, path: `/u/${story.slug}` },
      { name: 'news-permalink', role: null, path: `/u/${story.slug}/p/${story.published}` },
      { name: 'compose', role: 'operator', path: '/compose' },
      { name: 'compose-draft', role: 'operator', path: `/compose/${story.draft}` },
      { name: 'post-rejected', role: 'operator', path: `/posts/${story.rejected}` },
      { name: 'post-published', role: 'operator', path: `/posts/${story.published}` },
      { name: 'calendar', role: 'operator', path: '/calendar?view=month' },
      { name: 'calendar-agenda', role: 'operator', path: '/calendar?view=agenda' },
      { name: 'inbox', role: 'poldaSupervisor', path: '/inbox' },
      { name: 'post-second-approval', role: 'poldaSupervisor', path: `/posts/${story.secondStep}` },
      { name: 'admin', role: 'admin', path: '/admin' },
      { name: 'queues', role: 'admin', path: '/admin/queues' },
      { name: 'account', role: 'operator', path: '/account' },
    ];
    let written = 0;
    for (const device of Object.keys(DEVICES) as Array<keyof typeof DEVICES>) {
      const contexts = new Map<string, BrowserContext>();
      for (const shot of shots) {
        const key = shot.role ?? 'anonymous';
        if (!contexts.has(key)) contexts.set(key, shot.role ? await signedIn(browser, device, h, await email(world.users[shot.role])) : await browser.newContext(DEVICES[device]));
        const page = await contexts.get(key)!.newPage();
        await page.goto(`${h.url}${shot.path}`, { waitUntil: 'networkidle' });
        if (shot.name === 'compose') {
          // The page as it helps: a NIK typed into the text, its finding at the field and beside the button.
          await page.fill('#title', 'Jumat Curhat bersama warga');
          await page.fill('#body', 'Kapolres menerima keluhan warga. Pelapor NIK 1871012345678901 hadir.');
          await page.check('input[data-kind=news_page]');
          await page.focus('#body');
        }
        const file = path.join(OUT, `${shot.name}-${device}.png`);
        await page.screenshot({ path: file, fullPage: true });
        written += 1;
        await page.close();
      }
      for (const ctx of contexts.values()) await ctx.close();
    }
    console.log(`${String(written)} screenshots written to ${path.relative(process.cwd(), OUT)}/`);
  } finally {
    await browser?.close();
    await h.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
