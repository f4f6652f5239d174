// Instagram under worker crashes: a worker killed with SIGKILL after Meta made the container, and another
// killed after media_publish reached Meta (its answer never came back). A fresh process settles each from
// the saved container: the first is published from that same container, the second is found already
// published. Either way exactly one Instagram post.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { decodeKey, loadEnv } from '../../../config/env';
import { type ChannelDeps, addInstagramChannel } from '../../../services/channels/manage-channels';
import { secretBox } from '../../../services/channels/secret-box';
import { RECONCILER_QUEUES } from '../../../services/posts/deps';
import { platformAdapters, platformConfig } from '../../../services/publishing/platforms/registry';
import { type Database, migrateToLatest, openDatabase } from '../../../services/storage/database';
import { type FakeGraph, startFakeGraph } from '../../support/fakes/fake-graph';
import { type FakeTelegram, startFakeTelegram } from '../../support/fakes/fake-telegram';
import { type FakeX, startFakeX } from '../../support/fakes/fake-x';
import { TEST_SECRETS_KEY, type World, dropTestState, quiescent, seedWorld, testEnv, waitFor } from '../../support/harness';
import { photo, platformEnv, publishSoon, scheduledPost, settled } from '../../support/platforms';
import { type SiaranProcess, spawnSiaran } from '../../support/processes';

let x: FakeX;
let tg: FakeTelegram;
let meta: FakeGraph;
const spawned: SiaranProcess[] = [];

beforeAll(async () => {
  x = await startFakeX();
  tg = await startFakeTelegram();
  meta = await startFakeGraph();
});
afterAll(async () => {
  await Promise.all(spawned.map((s) => s.kill('SIGKILL')));
  await Promise.all([x.close(), tg.close(), meta.close()]);
});
afterEach(() => {
  meta.clearFaults();
  meta.processingMs = 0;
});

interface Setup {
  rawEnv: Record<string, string>;
  dataDir: string;
  world: World;
  channelId: string;
}

async function openDb(rawEnv: Record<string, string>): Promise<Database> {
  const env = loadEnv(rawEnv);
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, dataDir: env.DATA_DIR });
  await migrateToLatest(database, env.DATABASE_SCHEMA);
  return database;
}

/** A database with the seeded units and the Instagram account connected, closed again for the processes. */
async function setUp(): Promise<Setup> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'siaran-igproc-'));
  const rawEnv = testEnv({ ...platformEnv(x, tg, meta), DATA_DIR: dataDir, EMBEDDED_DB_IN_MEMORY: 'false', JOB_LOCK_MS: '1500', JOB_STALLED_CHECK_MS: '500', LOG_LEVEL: 'info', PLATFORM_TIMEOUT_MS: '3000', RECONCILE_EVERY_SECONDS: '1' });
  const database = await openDb(rawEnv);
  const world = await seedWorld(database.db);
  const env = loadEnv(rawEnv);
  const platforms = platformConfig(env, database.db);
  const log = pino({ level: 'silent' });
  const deps: ChannelDeps = {
    db: database.db,
    box: secretBox(decodeKey(TEST_SECRETS_KEY)!),
    adapters: platformAdapters(platforms),
    x: platforms.x,
    telegram: platforms.telegram,
    facebook: platforms.facebook,
    instagram: platforms.instagram,
    photosUnreachable: undefined,
    scheduler: RECONCILER_QUEUES,
    baseUrl: () => 'http://localhost',
    now: () => new Date(),
    log,
  };
  const channel = await addInstagramChannel(deps, { unitId: world.units.polres, igUserId: meta.ig.id, token: meta.page.token });
  await database.close();
  return { rawEnv, dataDir, world, channelId: channel.id };
}

async function tearDown(s: Setup, postId: string): Promise<number> {
  const database = await openDb(s.rawEnv);
  try {
    const events = await database.db.selectFrom('post_events').select('type').where('post_id', '=', postId).execute();
    return events.filter((e) => e.type === 'target.published').length;
  } finally {
    await database.close();
    await dropTestState(loadEnv(s.rawEnv));
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
}

/** Writes and approves a post with one photo through the first process, due in a moment. */
async function postThrough(url: string, s: Setup, text: string): Promise<string> {
  const site = { h: { url }, world: s.world };
  const id = await scheduledPost(site, { body: text, channelIds: [s.channelId], photos: [{ data: await photo(1600, 1000), alt: 'Foto kegiatan' }] });
  await publishSoon(site, id);
  return id;
}

/** A fresh process settles what the killed one left; returns the post once it settled, the process stopped. */
async function settleInNewProcess(s: Setup, postId: string): Promise<{ done: Awaited<ReturnType<typeof settled>>; logs: string }> {
  const next = spawnSiaran(s.rawEnv);
  spawned.push(next);
  const done = await settled({ h: { url: await next.url }, world: s.world }, postId, 60_000);
  await quiescent(s.rawEnv.REDIS_PREFIX!);
  expect(await next.kill('SIGTERM')).toBe(0);
  return { done, logs: next.logs.join('\n') };
}

const containersFor = (text: string) => [...meta.containers.values()].filter((c) => c.caption === text);

test('SIGKILL after Meta made the container: the next process publishes that same container, once', async () => {
  const s = await setUp();
  const text = 'Kerja bakti membersihkan saluran air bersama warga Panaragan.';
  // Meta is slow to process the photo, so the worker is still polling the container when it is killed.
  meta.processingMs = 120_000;
  const first = spawnSiaran(s.rawEnv);
  spawned.push(first);
  const postId = await postThrough(await first.url, s, text);
  await waitFor('the container', () => Promise.resolve(containersFor(text).length === 1), 30_000, 100);
  // Polled at least once: the checkpoint holding the container id was saved before the first look.
  await waitFor('a look at the container', () => Promise.resolve(meta.requests.some((r) => r.method === 'GET' && r.path.endsWith(`/${containersFor(text)[0]!.id}`))), 10_000, 50);
  await first.kill('SIGKILL');
  // Meta finishes processing while no worker runs.
  containersFor(text)[0]!.readyAt = Date.now();

  const { done, logs } = await settleInNewProcess(s, postId);

  expect(done.status).toBe('published');
  expect(containersFor(text)).toHaveLength(1);
  const published = meta.ig.media.filter((m) => m.caption === text);
  expect(published).toHaveLength(1);
  expect(published[0]!.containerId).toBe(containersFor(text)[0]!.id);
  expect(done.targets[0].externalUrl).toBe(published[0]!.permalink);
  expect(logs).toMatch(/resuming an interrupted publish/);
  expect(await tearDown(s, postId)).toBe(1);
}, 120_000);

test('SIGKILL after media_publish reached Meta (no answer came back): the next process finds the container PUBLISHED and records it, never publishing again', async () => {
  const s = await setUp();
  const text = 'Sosialisasi keselamatan berlalu lintas di SMA Negeri 1 Tulangbawang Tengah.';
  meta.fault(`POST /${meta.version}/${meta.ig.id}/media_publish`, { hang: true, accept: true });
  const first = spawnSiaran(s.rawEnv);
  spawned.push(first);
  const postId = await postThrough(await first.url, s, text);
  await waitFor('Meta to publish it', () => Promise.resolve(meta.ig.media.some((m) => m.caption === text)), 30_000, 100);
  await first.kill('SIGKILL');

  const { done, logs } = await settleInNewProcess(s, postId);

  expect(done.status).toBe('published');
  const published = meta.ig.media.filter((m) => m.caption === text);
  expect(published).toHaveLength(1);
  expect(done.targets[0].externalUrl).toBe(published[0]!.permalink);
  expect(done.targets[0].externalIds).toEqual([published[0]!.id]);
  // media_publish was asked once: the second process read the container's status instead.
  expect(meta.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/media_publish') && r.body.creation_id === containersFor(text)[0]!.id)).toHaveLength(1);
  expect(logs).toMatch(/interrupted publish found published/);
  expect(done.targets[0].attempts).toBe(1);
  expect(await tearDown(s, postId)).toBe(1);
}, 120_000);
