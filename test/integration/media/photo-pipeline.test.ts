// The photo pipeline end to end on a real database and a real Redis: HTTP upload, the media worker,
// renditions checked pixel by pixel, signed and public serving, and hostile files refused cleanly.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { Redis } from 'ioredis';
import pino from 'pino';
import sharp from 'sharp';
import type { Actor } from '../../../shared/post';
import type { MediaDeps } from '../../../services/media/deps';
import { createLocalMediaStore } from '../../../services/media/local-media-store';
import { mediaRouter } from '../../../services/media/media.routes';
import { mediaSigningKey } from '../../../services/media/media-store';
import type { PhotoView } from '../../../services/media/photo-view';
import { photosForChannel } from '../../../services/media/read-photos';
import { errorHandler } from '../../../services/http/errors';
import { addUnit } from '../../../services/units/unit.repository';
import { MediaQueue } from '../../../workers/media/media.queue';
import { type MediaWorkerHandle, startMediaWorker } from '../../../workers/media/media.worker';
import { imageEngine } from '../../../workers/media/sharp-engine';
import { type TestDatabase, createTestDatabase, uniquePrefix } from '../../support/test-db';
import * as img from '../../unit/media/image-fixtures';

const log = pino({ level: 'silent' });
const connection = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };

let tdb: TestDatabase;
let dataDir: string;
let prefix: string;
let queue: MediaQueue;
let worker: MediaWorkerHandle;
let server: import('node:http').Server;
let base: string;
let deps: MediaDeps;
type TestActor = Actor & { email: string; name: string };
const actors: Record<string, TestActor> = {};
let postId: string;
let otherPostId: string;

async function insertUser(unitId: string, role: Actor['role']): Promise<TestActor> {
  const id = randomUUID();
  await tdb.database.db
    .insertInto('users')
    .values({ id, email: `${id}@polri.test`, name: `User ${role}`, unit_id: unitId, role })
    .execute();
  return { id, role, unitId, email: `${id}@polri.test`, name: `User ${role}` };
}

async function insertPost(unitId: string, authorId: string, kinds: string[]): Promise<string> {
  const db = tdb.database.db;
  const id = randomUUID();
  const now = new Date();
  await db
    .insertInto('posts')
    .values({ id, unit_id: unitId, author_id: authorId, title: 'Jumat Curhat', body: 'Kegiatan', variants: '{}', status: 'draft', scheduled_at: now, version: 1, created_at: now, updated_at: now })
    .execute();
  for (const kind of kinds) {
    const channel = await db.selectFrom('channels').select('id').where('unit_id', '=', unitId).where('kind', '=', kind as 'x').executeTakeFirst();
    const channelId = channel?.id ?? randomUUID();
    if (!channel) {
      await db.insertInto('channels').values({ id: channelId, unit_id: unitId, kind: kind as 'x', name: kind, settings: '{}' }).execute();
    }
    await db.insertInto('post_targets').values({ id: randomUUID(), post_id: id, channel_id: channelId, status: 'pending', updated_at: now }).execute();
  }
  return id;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'siaran-media-'));
  prefix = uniquePrefix('media');
  const db = tdb.database.db;
  const polda = await addUnit(db, { slug: `polda-lampung-${randomBytes(2).toString('hex')}`, name: 'Polda Lampung', timeZone: 'Asia/Jakarta' });
  const polres = await addUnit(db, { slug: `polres-tubaba-${randomBytes(2).toString('hex')}`, name: 'Polres Tulangbawang Barat', parentSlug: polda.slug, timeZone: 'Asia/Jakarta' });
  const other = await addUnit(db, { slug: `polres-serang-${randomBytes(2).toString('hex')}`, name: 'Polres Serang', parentSlug: polda.slug, timeZone: 'Asia/Jakarta' });
  actors.operator = await insertUser(polres.id, 'operator');
  actors.supervisor = await insertUser(polda.id, 'supervisor');
  actors.admin = await insertUser(polres.id, 'admin');
  actors.stranger = await insertUser(other.id, 'operator');
  postId = await insertPost(polres.id, actors.operator.id, ['x', 'instagram', 'news_page']);
  otherPostId = await insertPost(polres.id, actors.operator.id, ['telegram']);

  const signingKey = mediaSigningKey(randomBytes(32));
  queue = new MediaQueue({ connection, prefix });
  const app = express();
  app.use((req, _res, next) => {
    const who = req.get('x-test-actor');
    if (who && actors[who]) (req as express.Request & { actor?: TestActor }).actor = actors[who];
    next();
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const store = createLocalMediaStore({ root: path.join(dataDir, 'media'), baseUrl: base, signingKey });
  deps = {
    db,
    store,
    queue,
    engine: imageEngine,
    log,
    now: () => new Date(),
    maxBytes: 3 * 1024 * 1024,
    maxPixels: 60_000_000,
    decodeBudgetBytes: 400 * 1024 * 1024,
    tmpDir: path.join(dataDir, 'tmp'),
    signedUrlSeconds: 600,
    signingKey,
  };
  app.use(mediaRouter(deps));
  app.use(errorHandler(log));
  worker = await startMediaWorker({ db, connection, prefix, store, log, concurrency: 2, maxPixels: deps.maxPixels });
});

afterAll(async () => {
  await worker.close();
  await queue.close();
  await new Promise((r) => server.close(r));
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await tdb.drop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function send(who: string, data: Buffer, query: string, contentType = 'image/jpeg') {
  const res = await fetch(`${base}/api/v1/photos${query}`, {
    method: 'POST',
    headers: { 'x-test-actor': who, 'content-type': contentType, 'accept-language': 'en' },
    body: data,
  });
  const json = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body: json as unknown as PhotoView, error: (json.error ?? { code: '', message: '' }) as { code: string; message: string } };
}

async function waitReady(id: string, who = 'operator'): Promise<PhotoView> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${base}/api/v1/photos/${id}`, { headers: { 'x-test-actor': who } });
    const photo = (await res.json()) as PhotoView;
    if (photo.status !== 'processing') return photo;
    if (Date.now() > deadline) throw new Error(`photo ${id} still processing`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function storedFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(path.join(d, e.name));
      else out.push(path.relative(dataDir, path.join(d, e.name)));
    }
  };
  await walk(dir);
  return out;
}

describe('when an operator uploads a sideways phone photo with GPS to a post for X, Instagram and the news page', () => {
  let photo: PhotoView;

  beforeAll(async () => {
    const res = await send('operator', await img.sidewaysJpegWithGps(1600, 1200), `?postId=${postId}&alt=${encodeURIComponent('Kapolres menyapa warga')}`);
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('processing');
    photo = await waitReady(res.body.id);
  });

  test('the worker makes exactly the renditions those channels need', () => {
    expect(photo.status).toBe('ready');
    expect(photo.altText).toBe('Kapolres menyapa warga');
    expect(photo.renditions.map((r) => r.name).sort()).toEqual(
      ['instagram', 'news-1600-jpeg', 'news-1600-webp', 'news-480-jpeg', 'news-480-webp', 'news-960-jpeg', 'news-960-webp', 'x'].sort(),
    );
  });

  test('each rendition, fetched by its signed URL, is upright, within its limits and carries no metadata', async () => {
    for (const r of photo.renditions) {
      const res = await fetch(r.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toMatch(/^private, max-age=\d+, immutable$/);
      const data = Buffer.from(await res.arrayBuffer());
      expect(data.length).toBe(r.bytes);
      const m = await sharp(data).metadata();
      expect(`image/${m.format}`).toBe(r.mime);
      expect([m.width, m.height]).toEqual([r.width, r.height]);
      expect(m.height).toBeGreaterThan(m.width * (r.name === 'instagram' ? 1.2 : 1.3));
      expect(m.exif).toBeUndefined();
      expect(m.xmp).toBeUndefined();
      expect(m.icc).toBeUndefined();
    }
    const ig = photo.renditions.find((r) => r.name === 'instagram')!;
    expect([ig.width, ig.height]).toEqual([1080, 1350]);
  });

  test('a rendition is not public until the post has published, then it is served with a year of cache', async () => {
    const name = photo.renditions[0]!.url.split('/media/')[1]!.split('?')[0]!;
    expect((await fetch(`${base}/media/${name}`)).status).toBe(404);
    const tampered = photo.renditions[0]!.url.replace(/signature=[^&]+/, 'signature=AAAA');
    expect((await fetch(tampered)).status).toBe(404);
    await tdb.database.db.updateTable('post_targets').set({ status: 'published' }).where('post_id', '=', postId).execute();
    const res = await fetch(`${base}/media/${name}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=600');
    await tdb.database.db.updateTable('post_targets').set({ status: 'pending' }).where('post_id', '=', postId).execute();
  });

  test('the original is never reachable by URL', async () => {
    expect((await fetch(`${base}/media/..%2Foriginals%2F${photo.unitId}%2F${photo.id}`)).status).toBe(404);
  });

  test('the Instagram publisher gets the photo with its alt text and a signed URL', async () => {
    const got = await photosForChannel(deps.db, deps.store, postId, 'instagram', 600);
    expect(got).toMatchObject({ ready: true, photos: [{ photoId: photo.id, altText: 'Kapolres menyapa warga', width: 1080 }] });
  });

  test('switching Instagram to padding renders a new version; the supervisor sees it', async () => {
    const res = await fetch(`${base}/api/v1/photos/${photo.id}`, {
      method: 'PATCH',
      headers: { 'x-test-actor': 'supervisor', 'content-type': 'application/json' },
      body: JSON.stringify({ fit: 'pad', altText: 'Kapolres menyapa warga desa' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as PhotoView).version).toBe(2);
    const again = await waitReady(photo.id, 'supervisor');
    expect(again.version).toBe(2);
    expect(again.error).toBeNull();
    expect(again.renditions).toHaveLength(8);
    const ig = again.renditions.find((r) => r.name === 'instagram')!;
    expect([ig.width, ig.height]).toEqual([1080, 1350]);
    const events = await deps.db.selectFrom('post_events').select('type').where('post_id', '=', postId).execute();
    expect(events.map((e) => e.type)).toEqual(['photo_added', 'photo_changed']);
  });
});

describe('when several photos arrive at once on a Telegram post', () => {
  test('a transparent PNG, a CMYK JPEG and a tiny image all become JPEG renditions for Telegram', async () => {
    const uploads = await Promise.all([
      send('operator', await img.transparentPng(), `?postId=${otherPostId}`, 'image/png'),
      send('operator', await img.cmykJpeg(), `?postId=${otherPostId}`),
      send('operator', await img.tinyJpeg(), `?postId=${otherPostId}`),
    ]);
    expect(uploads.map((u) => u.status)).toEqual([201, 201, 201]);
    for (const u of uploads) {
      const p = await waitReady(u.body.id);
      expect(p.renditions.map((r) => r.name)).toEqual(['telegram']);
      const data = Buffer.from(await (await fetch(p.renditions[0]!.url)).arrayBuffer());
      const m = await sharp(data).metadata();
      expect(m).toMatchObject({ format: 'jpeg', space: 'srgb', channels: 3 });
    }
    const list = await fetch(`${base}/api/v1/photos?postId=${otherPostId}`, { headers: { 'x-test-actor': 'supervisor' } });
    expect(((await list.json()) as { photos: PhotoView[] }).photos.map((p) => p.position)).toEqual([0, 1, 2]);
  });
});

describe('when hostile files are uploaded', () => {
  const hostile: Array<[string, () => Promise<Buffer>, string]> = [
    ['a decompression bomb', () => Promise.resolve(img.pngBomb()), 'media.too_many_pixels'],
    ['a truncated JPEG', async () => (await img.noisyJpeg(800, 600)).subarray(0, 30_000), 'media.corrupt'],
    ['a PDF named .jpg', () => Promise.resolve(img.pdfFile), 'media.unsupported_type'],
    ['an HTML page named .jpg', () => Promise.resolve(img.htmlPage), 'media.unsupported_type'],
    ['an SVG with a script', () => Promise.resolve(img.svgWithScript), 'media.unsupported_type'],
    ['an animated GIF', () => img.animatedGif(), 'media.animated'],
    ['a zero-byte file', () => Promise.resolve(Buffer.alloc(0)), 'media.empty'],
  ];
  const tooLarge: [string, () => Promise<Buffer>, string] = ['a file over the size limit', () => Promise.resolve(Buffer.alloc(3 * 1024 * 1024 + 1, 0xff)), 'media.too_large'];

  test.each([...hostile.map((h) => [...h, 422] as const), [...tooLarge, 413] as const])('%s is refused with a clear 4xx (413 for the size) and nothing is stored', async (_what, make, code, status) => {
    const before = await deps.db.selectFrom('photos').select('id').execute();
    const filesBefore = await storedFiles(path.join(dataDir, 'media'));
    const res = await send('operator', await make(), `?postId=${postId}`);
    expect(res.status).toBe(status);
    expect(res.error.code).toBe(code);
    expect(res.error.message.length).toBeGreaterThan(10);
    expect(await deps.db.selectFrom('photos').select('id').execute()).toHaveLength(before.length);
    expect(await storedFiles(path.join(dataDir, 'media'))).toEqual(filesBefore);
    expect(await storedFiles(path.join(dataDir, 'tmp'))).toEqual([]);
  });

  test('the worker is still healthy afterwards', () => {
    expect(worker.worker.isRunning()).toBe(true);
  });
});

describe('who may upload', () => {
  test('an operator of another unit does not even see the post', async () => {
    const res = await send('stranger', await img.tinyJpeg(), `?postId=${postId}`);
    expect(res.status).toBe(404);
  });

  test('an admin may not author photos', async () => {
    const res = await send('admin', await img.tinyJpeg(), `?postId=${postId}`);
    expect(res.status).toBe(403);
    expect(res.error.code).toBe('media.not_author');
  });

  test('without a signed-in user the answer is 401', async () => {
    const res = await fetch(`${base}/api/v1/photos?postId=${postId}`, { method: 'POST', body: await img.tinyJpeg() });
    expect(res.status).toBe(401);
  });

  test('once the post is approved its photos are locked', async () => {
    await deps.db.updateTable('posts').set({ status: 'scheduled' }).where('id', '=', otherPostId).execute();
    const res = await send('operator', await img.tinyJpeg(), `?postId=${otherPostId}`);
    expect(res.status).toBe(409);
    expect(res.error.code).toBe('media.post_locked');
  });
});
