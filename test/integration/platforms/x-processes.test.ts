// X under worker crashes and concurrency: a thread cut by SIGKILL after its second part resumes without
// repeating a part; two workers renewing the same single-use refresh token at once make one renewal.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadEnv } from '../../../config/env';
import { addXChannelWithTokens, type ChannelDeps } from '../../../services/channels/manage-channels';
import { insertChannel } from '../../../services/channels/channel.repository';
import { secretBox } from '../../../services/channels/secret-box';
import { type PostDeps, RECONCILER_QUEUES } from '../../../services/posts/deps';
import { approvePost, submitPost } from '../../../services/posts/review-post';
import { createPost } from '../../../services/posts/write-post';
import { platformAdapters, platformConfig } from '../../../services/publishing/platforms/registry';
import { type Database, migrateToLatest, openDatabase } from '../../../services/storage/database';
import { decodeKey } from '../../../config/env';
import { TEST_SECRETS_KEY, type World, client, dropTestState, inSeconds, seedWorld, testEnv, waitFor, quiescent } from '../../support/harness';
import { type FakeX, startFakeX } from '../../support/fakes/fake-x';
import { startFakeTelegram, type FakeTelegram } from '../../support/fakes/fake-telegram';
import { platformEnv } from '../../support/platforms';
import { type SiaranProcess, spawnSiaran } from '../../support/processes';
import { testDbKind } from '../../support/test-db';

let x: FakeX;
let tg: FakeTelegram;
let dataDir: string;
const spawned: SiaranProcess[] = [];

beforeAll(async () => {
  x = await startFakeX();
  tg = await startFakeTelegram();
});
afterAll(async () => {
  await Promise.all(spawned.map((s) => s.kill('SIGKILL')));
  await x.close();
  await tg.close();
});

function envFor(extra: Record<string, string> = {}) {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'siaran-xproc-'));
  return testEnv({ ...platformEnv(x, tg), DATA_DIR: dataDir, EMBEDDED_DB_IN_MEMORY: 'false', JOB_LOCK_MS: '1500', JOB_STALLED_CHECK_MS: '500', LOG_LEVEL: 'info', PLATFORM_TIMEOUT_MS: '5000', ...extra });
}

async function openDb(rawEnv: Record<string, string>): Promise<Database> {
  const env = loadEnv(rawEnv);
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, dataDir: env.DATA_DIR });
  await migrateToLatest(database, env.DATABASE_SCHEMA);
  return database;
}

function deps(database: Database, rawEnv: Record<string, string>) {
  const env = loadEnv(rawEnv);
  const log = pino({ level: 'silent' });
  const noQueue = RECONCILER_QUEUES;
  // Approval here only records the schedule; the processes' reconcilers queue the jobs.
  const posts: PostDeps = { db: database.db, scheduler: noQueue, log, now: () => new Date(), minLeadSeconds: 1 };
  const platforms = platformConfig(env, database.db);
  const channels: ChannelDeps = { db: database.db, box: secretBox(decodeKey(TEST_SECRETS_KEY)!), adapters: platformAdapters(platforms), x: platforms.x, telegram: platforms.telegram, facebook: platforms.facebook,
    instagram: platforms.instagram,
    photosUnreachable: undefined, scheduler: noQueue, baseUrl: () => 'http://localhost', now: () => new Date(), log };
  return { posts, channels };
}

async function approved(d: ReturnType<typeof deps>, world: World, channelId: string, body: string, at: string, thread = false): Promise<string> {
  const operator = { id: world.users.operator, role: 'operator' as const, unitId: world.units.polres };
  const supervisor = { id: world.users.supervisor, role: 'supervisor' as const, unitId: world.units.polres };
  const post = await createPost(d.posts, operator, { title: 'Utas', body, channelIds: [channelId], variants: {}, channelOptions: thread ? { [channelId]: { thread: true } } : {}, scheduledAt: at });
  const submitted = await submitPost(d.posts, operator, post.id);
  await approvePost(d.posts, supervisor, post.id, { expectedVersion: submitted.version });
  return post.id;
}

const SENTENCES = [
  'Polres Tulangbawang Barat menggelar patroli dialogis di Pasar Panaragan bersama tokoh masyarakat setempat.',
  'Kapolres menyampaikan imbauan agar warga menjaga keamanan lingkungan dan segera melapor bila melihat hal mencurigakan.',
  'Personel juga membagikan brosur layanan pengaduan masyarakat dan nomor darurat kepolisian 110 kepada pedagang.',
  'Kegiatan ditutup dengan dialog terbuka tentang pencegahan pencurian kendaraan bermotor di area parkir pasar.',
  'Warga menyambut baik kegiatan ini dan berharap patroli dialogis dilaksanakan secara rutin setiap pekan.',
];

test('a thread cut by SIGKILL after its second part resumes from there: each part exactly once, in one chain', async () => {
  const rawEnv = envFor();
  let database = await openDb(rawEnv);
  const world = await seedWorld(database.db);
  const d = deps(database, rawEnv);
  const channel = await addXChannelWithTokens(d.channels, { unitId: world.units.polres, accessToken: x.oauth1.accessToken, accessSecret: x.oauth1.accessSecret });
  const body = SENTENCES.join(' ');
  const postId = await approved(d, world, channel.id, body, inSeconds(6), true);
  await database.close();

  // The first part goes through; the second is taken by X but its answer never comes back.
  const firstPart = x.nextRequest('POST /2/tweets');
  const first = spawnSiaran(rawEnv);
  spawned.push(first);
  await first.url;
  await firstPart;
  x.fault('POST /2/tweets', { hang: true, accept: true });
  await waitFor('the second part to reach X', () => Promise.resolve(x.posts.length >= 2), 30_000);
  await first.kill('SIGKILL');

  const second = spawnSiaran(rawEnv);
  spawned.push(second);
  const api = client(await second.url, world.tokens.supervisor);
  const done = await waitFor('the thread to be finished', async () => {
    const r = await api('GET', `/api/v1/posts/${postId}`);
    return ['published', 'failed', 'unconfirmed'].includes(r.body.status) ? r.body : undefined;
  }, 60_000, 250);
  await quiescent(rawEnv.REDIS_PREFIX!);
  expect(await second.kill('SIGTERM')).toBe(0);

  expect(done.status).toBe('published');
  const parts = x.posts;
  expect(parts.length).toBeGreaterThanOrEqual(3);
  // Each part once, numbered, each a reply to the one before.
  const texts = parts.map((p) => p.text);
  expect(new Set(texts).size).toBe(texts.length);
  texts.forEach((t, i) => expect(t).toMatch(new RegExp(`\\(${i + 1}/${parts.length}\\)$`)));
  expect(parts[0]!.replyTo).toBeUndefined();
  parts.slice(1).forEach((p, i) => expect(p.replyTo).toBe(parts[i]!.id));
  expect(done.targets[0].externalIds).toEqual(parts.map((p) => p.id));
  expect(done.targets[0].externalUrl).toBe(`https://x.com/humaspolrestubaba/status/${parts[0]!.id}`);
  // The resumed worker found part 2 on X instead of sending it again.
  expect(second.logs.join('\n')).toMatch(/resuming an interrupted publish/);

  database = await openDb(rawEnv);
  try {
    const events = await database.db.selectFrom('post_events').select('type').where('post_id', '=', postId).execute();
    expect(events.filter((e) => e.type === 'target.published')).toHaveLength(1);
  } finally {
    await database.close();
    await dropTestState(loadEnv(rawEnv));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 120_000);

test('two workers renewing the same expired OAuth 2 token at once: one renewal reaches X, both posts use the new token', async () => {
  const postgres = testDbKind() === 'postgres';
  // Two worker processes share PostgreSQL; the embedded database serves one process, which runs both jobs at once.
  const rawEnv = envFor({ PUBLISH_CONCURRENCY: postgres ? '1' : '4' });
  let database = await openDb(rawEnv);
  const world = await seedWorld(database.db);
  const d = deps(database, rawEnv);
  const issued = x.issueOAuth2({ expiresInSeconds: 1 });
  const channel = await insertChannel(database.db, d.channels.box, {
    unitId: world.units.polres,
    kind: 'x',
    name: 'X @humaspolrestubaba',
    settings: { userId: x.user.id, username: x.user.username, auth: 'oauth2' },
    credentials: { type: 'oauth2', accessToken: issued.accessToken, refreshToken: issued.refreshToken, expiresAt: new Date(Date.now() - 60_000).toISOString(), scope: [] },
  });
  const at = inSeconds(8);
  const a = await approved(d, world, channel.id, 'Pos pertama, token kedaluwarsa.', at);
  const b = await approved(d, world, channel.id, 'Pos kedua, token kedaluwarsa.', at);
  await database.close();
  x.tokenDelayMs = 800;
  const refreshesBefore = x.refreshCalls;

  const procs = postgres ? [spawnSiaran(rawEnv, ['--worker']), spawnSiaran(rawEnv, ['--worker']), spawnSiaran(rawEnv, ['--api'])] : [spawnSiaran(rawEnv)];
  spawned.push(...procs);
  const api = client(await procs.at(-1)!.url, world.tokens.supervisor);
  for (const id of [a, b]) {
    await waitFor(`post ${id} published`, async () => (await api('GET', `/api/v1/posts/${id}`)).body.status === 'published', 60_000, 250);
  }
  for (const proc of procs) await proc.kill('SIGTERM');
  x.tokenDelayMs = 0;

  expect(x.refreshCalls - refreshesBefore).toBe(1);
  const sent = x.posts.filter((p) => p.text.endsWith('token kedaluwarsa.'));
  expect(sent).toHaveLength(2);
  expect(sent[0]!.authToken).not.toBe(issued.accessToken);
  expect(sent[1]!.authToken).toBe(sent[0]!.authToken);
  if (postgres) {
    // Each worker process took one of the posts.
    const workerLogs = procs.slice(0, 2).map((proc) => proc.logs.filter((l) => l.includes('"msg":"published"')).length);
    expect(workerLogs.sort()).toEqual([1, 1]);
  }
  database = await openDb(rawEnv);
  try {
    const row = await database.db.selectFrom('channels').select(['credentials_version', 'health']).where('id', '=', channel.id).executeTakeFirstOrThrow();
    expect(row.credentials_version).toBe(2);
    expect(row.health).toBe('connected');
  } finally {
    await database.close();
    await dropTestState(loadEnv(rawEnv));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 120_000);
