// The hostile photo set through the real product, by API token and as the compose page uploads (session cookie
// and CSRF token): every answer a clear 4xx with a machine code and words, or 201 for what is a real photo after
// all; never a 5xx, and nothing kept of a refused file.
import fs from 'node:fs';
import path from 'node:path';
import { type Harness, type World, client, inSeconds, seedWorld, startHarness, waitFor } from '../../support/harness';
import { type HostilePhoto, hostilePhotoSet } from '../../support/hostile-photos';
import { signIn } from '../../support/web-session';
import { testDbKind } from '../../support/test-db';

const MAX_BYTES = 3 * 1024 * 1024;

let h: Harness;
let world: World;
let postId: string;
let set: HostilePhoto[];
let web: { cookie: string; csrf: string };

beforeAll(async () => {
  h = await startHarness({ MEDIA_MAX_UPLOAD_BYTES: String(MAX_BYTES) });
  world = await seedWorld(h.siaran.database.db);
  const created = await client(h.url, world.tokens.operator)('POST', '/api/v1/posts', {
    title: 'Jumat Curhat Polres Tulangbawang Barat',
    body: 'Kegiatan bersama warga.',
    channelIds: [world.newsPage.polres],
    scheduledAt: inSeconds(86_400),
  });
  postId = created.body.id;
  const cookie = await signIn({ h, world }, 'operator');
  const page = await fetch(`${h.url}/compose/${postId}`, { headers: { cookie } });
  web = { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]! };
  set = await hostilePhotoSet(MAX_BYTES);
}, 180_000);

afterAll(async () => {
  await h.close();
});

function storedFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

const ways = {
  'the API': (data: Buffer) =>
    fetch(`${h.url}/api/v1/photos?postId=${postId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.tokens.operator}`, 'content-type': 'image/jpeg', 'accept-language': 'en' },
      body: data,
    }),
  // What services/web/assets/compose.client.ts sends for each chosen file.
  'the compose page': (data: Buffer) =>
    fetch(`${h.url}/api/v1/photos?postId=${postId}`, {
      method: 'POST',
      headers: { cookie: web.cookie, 'x-csrf-token': web.csrf, 'content-type': 'image/jpeg', 'accept-language': 'id' },
      body: data,
    }),
};

// The set is judged before anything is stored, the same on both databases: it runs on PostgreSQL, which keeps the
// whole run within its time; the refusals' "nothing kept" part is the database's, and the two tests below it run
// on both.
(testDbKind() === 'postgres' ? describe : describe.skip).each(Object.keys(ways) as Array<keyof typeof ways>)('when the hostile photo set is uploaded through %s', (way) => {
  test('each file gets its clear answer, a refused one leaves nothing behind, an accepted one is rendered', async () => {
    const db = h.siaran.database.db;
    const answers: string[] = [];
    for (const photo of set) {
      const photosBefore = await db.selectFrom('photos').select('id').execute();
      const filesBefore = storedFiles(path.join(h.env.DATA_DIR, 'media'));
      const res = await ways[way](photo.data);
      const body = (await res.json()) as { id?: string; status?: string; error?: { code: string; message: string; details: unknown } };
      answers.push(`${photo.name}: ${String(res.status)} ${body.error?.code ?? ''}`.trim());
      if (photo.status !== 201) {
        expect(body.error?.code).toBe(photo.code);
        // Words a person can act on, in the language asked for; never the code itself.
        expect(body.error!.message.length).toBeGreaterThan(20);
        expect(body.error!.message).not.toContain('media.');
        expect(await db.selectFrom('photos').select('id').execute()).toHaveLength(photosBefore.length);
        expect(storedFiles(path.join(h.env.DATA_DIR, 'media'))).toEqual(filesBefore);
      } else {
        const ready = await waitFor(`${photo.name} rendered`, async () => {
          const r = await client(h.url, world.tokens.operator)('GET', `/api/v1/photos/${body.id!}`);
          return r.body.status === 'processing' ? undefined : (r.body.status as string);
        }, 90_000);
        expect(`${photo.name}: ${ready}`).toBe(`${photo.name}: ready`);
      }
      expect(storedFiles(path.join(h.env.DATA_DIR, 'tmp'))).toEqual([]);
    }
    expect(answers).toEqual(set.map((p) => `${p.name}: ${String(p.status)} ${p.code ?? ''}`.trim()));
  }, 300_000);
});

test('a photo over the byte limit is a 413 with a machine code and the limit in words', async () => {
  const res = await ways['the API'](Buffer.alloc(MAX_BYTES + 1, 0xff));
  expect(res.status).toBe(413);
  expect(await res.json()).toMatchObject({ error: { code: 'media.too_large', message: expect.stringMatching(/^The photo is too large\. The limit is 3 MB\. Make it smaller/) as string, details: { limitBytes: MAX_BYTES } } });
});

test('the language asked in the address (?lang=en), as on every other route, is not refused on a photo upload', async () => {
  const res = await fetch(`${h.url}/api/v1/photos?postId=${postId}&lang=en`, {
    method: 'POST',
    headers: { authorization: `Bearer ${world.tokens.operator}`, 'content-type': 'image/jpeg' },
    body: Buffer.alloc(MAX_BYTES + 1, 0xff),
  });
  expect(res.status).toBe(413);
  expect(await res.json()).toMatchObject({ error: { code: 'media.too_large', message: expect.stringMatching(/^The photo is too large\. The limit is 3 MB\. Make it smaller/) as string } });
});
