// The chaos run: many posts across many units and every channel kind, due over a short window, published by
// real Siaran processes while the platforms misbehave at random and the runner kills workers, restarts and
// flushes Redis and restarts the API. At the end every (post, channel) is counted where it landed — at the
// platform's fake and in the database — and anything published twice or lost is reported.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import pino from 'pino';
import sharp from 'sharp';
import { decodeKey, loadEnv } from '../../config/env';
import { addFacebookChannel, addInstagramChannel, addTelegramChannel, addXChannelWithTokens, type ChannelDeps } from '../../services/channels/manage-channels';
import { channelsOfUnit } from '../../services/channels/channel.repository';
import { secretBox } from '../../services/channels/secret-box';
import { RECONCILER_QUEUES } from '../../services/posts/deps';
import { platformAdapters, platformConfig } from '../../services/publishing/platforms/registry';
import { type Database, migrateToLatest, openDatabase } from '../../services/storage/database';
import { addUnit } from '../../services/units/unit.repository';
import { createToken } from '../../services/users/token.repository';
import { addUser } from '../../services/users/user.repository';
import { PUBLISH_QUEUE } from '../../workers/queue/publish-queue';
import { type FakeIgUser, type FakePage, startFakeGraph } from '../support/fakes/fake-graph';
import { startFakeTelegram } from '../support/fakes/fake-telegram';
import { startFakeX } from '../support/fakes/fake-x';
import { TEST_SECRETS_KEY, addWebhook, client, dropTestState, testEnv } from '../support/harness';
import { platformEnv } from '../support/platforms';
import { type PrivateRedis, type SiaranProcess, freePort, privateRedis, spawnSiaran } from '../support/processes';
import { TEST_POSTGRES_URL } from '../support/test-db';
import { type Receiver, startReceiver } from '../support/webhook-receiver';
import { faultPlan, platformFaults, receiverFaults, seededRandom } from './faults';

export interface ChaosOptions {
  posts: number;
  units: number;
  windowSeconds: number;
  seed: number;
  /** 'postgres': one API and two worker processes on PostgreSQL. 'embedded': the one-process server on PGlite. */
  database: 'postgres' | 'embedded';
  /** Share of posts with a photo (they alone go to Instagram too). Default 0.1. */
  photoShare: number;
  /** Share of platform requests that meet a fault. Default 0.08. */
  faultRate: number;
  /** Each fault kind at least once per platform, early in the run (small runs). Default false. */
  everyFaultOnce: boolean;
  /** A worker is SIGKILLed this often during the window. Default 6. */
  killEverySeconds: number;
  redisRestarts: number;
  flushes: number;
  apiRestarts: number;
  /** How long after the window to wait for everything to settle before counting. Default 180. */
  settleSeconds: number;
  log: (line: string) => void;
}

export const DEFAULTS: ChaosOptions = {
  posts: 1000,
  units: 100,
  windowSeconds: 120,
  seed: 1,
  database: 'postgres',
  photoShare: 0.1,
  faultRate: 0.08,
  everyFaultOnce: false,
  killEverySeconds: 6,
  redisRestarts: 2,
  flushes: 1,
  apiRestarts: 1,
  settleSeconds: 180,
  log: (line) => process.stderr.write(`${line}\n`),
};

export interface TargetOutcome {
  postId: string;
  kind: string;
  status: string;
  atPlatform: number;
  reason: string | null;
  latenessMs: number | null;
}

export interface ChaosReport {
  options: Omit<ChaosOptions, 'log'>;
  targets: number;
  publishedOnce: number;
  publishedTwice: Array<{ postId: string; kind: string; times: number }>;
  lost: Array<{ postId: string; kind: string; why: string }>;
  failed: Map<string, number>;
  held: Map<string, number>;
  unconfirmed: Map<string, number>;
  lateness: { p50: number; p90: number; p99: number; max: number } | undefined;
  byKind: Map<string, { targets: number; published: number }>;
  chaos: { workerKills: number; redisRestarts: number; flushes: number; apiRestarts: number; unexpectedExits: string[]; faults: Map<string, number> };
  /** Posts whose planned time had passed while they were written, so were moved a little later. */
  moved: number;
  settled: boolean;
  seconds: { setup: number; window: number; settle: number };
}

interface UnitSetup {
  id: string;
  operatorToken: string;
  channels: { news_page: string; webhook: string; x: string; telegram: string; facebook: string; instagram: string };
  page: FakePage;
  ig: FakeIgUser;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries what the API could not take because the runner's own chaos (or the machine's load) got in the way. */
async function retrying<T>(what: string, fn: () => Promise<T>, tries = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= tries) throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      await sleep(500);
    }
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Reasons with their numbers and ids taken out, so alike reasons count together. */
function reasonGroup(reason: string | null): string {
  if (!reason) return '(no reason recorded)';
  return reason.replace(/[0-9a-f]{8}-[0-9a-f-]{27,}/gi, '<id>').replace(/\d+/g, '#').slice(0, 110);
}

export async function runChaos(partial: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const o: ChaosOptions = { ...DEFAULTS, ...partial };
  const log = o.log;
  const started = Date.now();
  const tag = randomBytes(3).toString('hex');
  const x = await startFakeX();
  const tg = await startFakeTelegram();
  const meta = await startFakeGraph();
  const secret = `chaos-webhook-secret-${tag}`;
  const receiver: Receiver = await startReceiver(secret);
  const redis: PrivateRedis = await privateRedis();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'siaran-chaos-'));
  const port = await freePort();
  const base = testEnv({
    ...platformEnv(x, tg, meta),
    REDIS_URL: redis.url,
    PORT: String(port),
    // Photo links keep working across API restarts: same port, same address.
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    EMBEDDED_DB_IN_MEMORY: 'false',
    LOG_LEVEL: 'info',
    PLATFORM_TIMEOUT_MS: '5000',
    WEBHOOK_TIMEOUT_MS: '5000',
    JOB_LOCK_MS: '3000',
    JOB_STALLED_CHECK_MS: '1000',
    RECONCILE_EVERY_SECONDS: '2',
    PUBLISH_BACKOFF_MS: '500',
    // A worker SIGKILLed mid-publish while Redis loses its jobs leaves a claim only the reconciler can take
    // over, once it is this old (default ten minutes: longer than the whole run). Half a minute is still far
    // above a live worker's silence (a platform call times out after 5 s and every step records progress).
    CLAIM_STALE_SECONDS: '30',
  });
  delete base.DATABASE_URL;
  delete base.DATABASE_SCHEMA;
  const rawEnv: Record<string, string> =
    o.database === 'postgres' ? { ...base, DATABASE_URL: TEST_POSTGRES_URL, DATABASE_SCHEMA: `chaos_${Date.now().toString(36)}_${tag}` } : base;
  const env = loadEnv(rawEnv);
  const openDb = async (): Promise<Database> => {
    const database = await openDatabase({ databaseUrl: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, dataDir: env.DATA_DIR });
    await migrateToLatest(database, env.DATABASE_SCHEMA);
    return database;
  };
  const procs: { api?: SiaranProcess; workers: SiaranProcess[] } = { workers: [] };
  const chaos: ChaosReport['chaos'] = { workerKills: 0, redisRestarts: 0, flushes: 0, apiRestarts: 0, unexpectedExits: [], faults: new Map() };
  const expected = new Set<SiaranProcess>();
  let finishing = false;
  // A process that exits on its own is reported, and started again a second later as a service manager would
  // (systemd's Restart=, a container's restart policy): e.g. one that started while Redis was down.
  const watch = (p: SiaranProcess, name: string, again: () => void) => {
    void p.exited.then(async (code) => {
      if (expected.has(p) || finishing) return;
      chaos.unexpectedExits.push(`${name} exited (${String(code ?? p.proc.signalCode)})`);
      log(`! ${name} exited on its own (${String(code ?? p.proc.signalCode)}); starting it again:\n${p.logs.slice(-5).join('\n').slice(0, 2000)}`);
      await sleep(1_000);
      again();
    });
    return p;
  };
  const spawnApi = (): SiaranProcess => {
    const p = watch(spawnSiaran(rawEnv, o.database === 'postgres' ? ['--api'] : []), o.database === 'postgres' ? 'api' : 'siaran', () => {
      if (procs.api === p && !finishing) procs.api = spawnApi();
    });
    return p;
  };
  // A worker serves only its health and metrics port: any free one.
  const spawnWorker = (): SiaranProcess => {
    const p = watch(spawnSiaran({ ...rawEnv, PORT: '0' }, ['--worker']), 'worker', () => {
      const i = procs.workers.indexOf(p);
      if (i >= 0 && !finishing) procs.workers[i] = spawnWorker();
    });
    return p;
  };
  const stop = async (p: SiaranProcess | undefined, signal: NodeJS.Signals) => {
    if (!p) return;
    expected.add(p);
    if (signal === 'SIGTERM') {
      const timer = setTimeout(() => p.proc.kill('SIGKILL'), 15_000);
      await p.kill('SIGTERM');
      clearTimeout(timer);
    } else {
      await p.kill(signal);
    }
  };
  let database: Database | undefined;

  try {
    // 1. Units, people and channels, written with the product's own functions before any process runs.
    log(`setting up ${o.units} units with every channel kind (${o.database})…`);
    database = await openDb();
    const db = database.db;
    const silent = pino({ level: 'silent' });
    const platforms = platformConfig(env, db);
    const channelDeps: ChannelDeps = {
      db,
      box: secretBox(decodeKey(TEST_SECRETS_KEY)!),
      adapters: platformAdapters(platforms),
      x: platforms.x,
      telegram: platforms.telegram,
      facebook: platforms.facebook,
      instagram: platforms.instagram,
      photosUnreachable: undefined,
      scheduler: RECONCILER_QUEUES,
      baseUrl: () => env.PUBLIC_BASE_URL!,
      now: () => new Date(),
      log: silent,
    };
    const polda = await addUnit(db, { slug: `polda-chaos-${tag}`, name: 'Polda Lampung', timeZone: 'Asia/Jakarta' });
    const approver = await addUser(db, { email: `kabidhumas.${tag}@chaos.siaran`, name: 'Kabid Humas', unitSlug: polda.slug, role: 'supervisor' });
    const approverToken = (await createToken(db, approver.id, { label: 'chaos', days: 1 })).token;
    const units: UnitSetup[] = [];
    for (let i = 0; i < o.units; i++) {
      const unit = await addUnit(db, { slug: `polres-chaos-${i}-${tag}`, name: `Polres Uji ${i}`, parentSlug: polda.slug, timeZone: 'Asia/Jakarta' });
      const operator = await addUser(db, { email: `operator${i}.${tag}@chaos.siaran`, name: `Operator ${i}`, unitSlug: unit.slug, role: 'operator' });
      const operatorToken = (await createToken(db, operator.id, { label: 'chaos', days: 1 })).token;
      const xUser = x.addUser({ username: `humaschaos${i}` });
      const chat = tg.addChannel({ username: `humaschaos${i}`, title: `Humas Polres Uji ${i}` });
      const page = meta.addPage({ name: `Humas Polres Uji ${i}` });
      const ig = meta.addIgUser({ username: `humaschaos${i}`, pageId: page.id });
      // Far more than a run publishes: the quota is not what this run is about.
      ig.quotaTotal = 10_000;
      units.push({
        id: unit.id,
        operatorToken,
        page,
        ig,
        channels: {
          news_page: (await channelsOfUnit(db, unit.id)).find((c) => c.kind === 'news_page')!.id,
          webhook: await addWebhook(db, unit.id, `${receiver.url}?unit=${i}`, secret),
          x: (await addXChannelWithTokens(channelDeps, { unitId: unit.id, accessToken: xUser.oauth1.accessToken, accessSecret: xUser.oauth1.accessSecret })).id,
          telegram: (await addTelegramChannel(channelDeps, { unitId: unit.id, botToken: tg.bot.token, chat: `@${chat.username!}` })).id,
          facebook: (await addFacebookChannel(channelDeps, { unitId: unit.id, pageId: page.id, pageToken: page.token })).id,
          instagram: (await addInstagramChannel(channelDeps, { unitId: unit.id, igUserId: ig.id, token: page.token })).id,
        },
      });
    }
    // Telegram's per-channel pace and X's window are not what this run is about either.
    tg.perMinute = 1000;
    x.postLimit = 100_000;
    if (o.database === 'embedded') {
      // The embedded database belongs to one process at a time.
      await database.close();
      database = undefined;
    }

    // 2. The processes, and the posts written through the API as people write them.
    procs.api = spawnApi();
    if (o.database === 'postgres') procs.workers = [spawnWorker(), spawnWorker()];
    const url = await procs.api.url;
    const supervisor = client(url, approverToken);
    const photoEvery = o.photoShare > 0 ? Math.max(1, Math.round(1 / o.photoShare)) : Infinity;
    const random = seededRandom(o.seed + 7);
    // Due times spread evenly over the window, from when the posts are expected to be written.
    const writeEstimateMs = 5_000 + o.posts * 60 + Math.ceil(o.posts / photoEvery) * 400;
    const t0 = Date.now() + writeEstimateMs;
    const plan = Array.from({ length: o.posts }, (_, i) => ({ i, unit: units[i % units.length]!, photo: i % photoEvery === photoEvery - 1, at: t0 + Math.floor(random() * o.windowSeconds * 1000) }));
    plan.sort((a, b) => a.at - b.at);
    const marker = (i: number) => `CHAOS${tag}N${i}Z`;
    const posts = new Map<string, { postId: string; kinds: string[] }>();
    let moved = 0;
    log(`writing ${o.posts} posts (${plan.filter((p) => p.photo).length} with a photo), due from ${new Date(t0).toISOString()} over ${o.windowSeconds} s…`);
    const writeOne = async (p: (typeof plan)[number]) => {
      const operator = client(url, p.unit.operatorToken);
      const kinds: Array<keyof UnitSetup['channels']> = ['news_page', 'webhook', 'x', 'telegram', 'facebook', ...(p.photo ? (['instagram'] as const) : [])];
      let at = p.at;
      if (at < Date.now() + 3_000) {
        at = Date.now() + 3_000;
        moved += 1;
      }
      const created = await retrying('create', async () => {
        const r = await operator('POST', '/api/v1/posts', {
          title: `Patroli dialogis ${p.i}`,
          body: `Patroli dialogis di pasar, kegiatan nomor ${p.i}. ${marker(p.i)}`,
          channelIds: kinds.map((k) => p.unit.channels[k]),
          scheduledAt: new Date(at).toISOString(),
        });
        if (r.status !== 201) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
        return r.body as { id: string };
      });
      if (p.photo) {
        const shade = p.i * 2654435761;
        const jpeg = await sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: shade & 255, g: (shade >> 8) & 255, b: (shade >> 16) & 255 } } }).jpeg().toBuffer();
        await retrying('photo', async () => {
          const up = await fetch(`${url}/api/v1/photos?postId=${created.id}&alt=${encodeURIComponent('Personel berdialog dengan pedagang')}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${p.unit.operatorToken}`, 'content-type': 'image/jpeg' },
            body: jpeg,
          });
          if (up.status !== 201) throw new Error(`${up.status} ${await up.text()}`);
        });
        await retrying(
          'renditions',
          async () => {
            const r = await operator('GET', `/api/v1/photos?postId=${created.id}`);
            if (!(r.body.photos as Array<{ status: string }>).every((ph) => ph.status === 'ready')) throw new Error('not ready');
          },
          240,
        );
      }
      const submitted = await retrying('submit', async () => {
        const r = await operator('POST', `/api/v1/posts/${created.id}/submit`);
        if (r.status !== 200) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
        return r.body as { version: number };
      });
      await retrying('approve', async () => {
        const r = await supervisor('POST', `/api/v1/posts/${created.id}/approve`, { expectedVersion: submitted.version });
        if (r.status !== 200) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
      });
      posts.set(marker(p.i), { postId: created.id, kinds: [...kinds] });
    };
    // A few writers at once, in the order the posts fall due.
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < plan.length) await writeOne(plan[next++]!);
      }),
    );
    const setupSeconds = (Date.now() - started) / 1000;
    log(`written in ${setupSeconds.toFixed(0)} s${moved > 0 ? `; ${moved} posts were due before they were written and were moved to 3 s later` : ''}`);

    // 3. The window, from when the first post falls due: faults at the platforms, and the runner's own chaos
    // on a timetable.
    if (t0 > Date.now()) await sleep(t0 - Date.now());
    const faults = faultPlan(o.seed, o.faultRate, 3_000, o.everyFaultOnce);
    chaos.faults = faults.injected;
    x.setChaos(platformFaults(faults, 'x'));
    tg.setChaos(platformFaults(faults, 'telegram'));
    meta.setChaos(platformFaults(faults, 'meta'));
    receiver.setChaos(receiverFaults(faults));
    const windowStart = Date.now();
    const windowEnd = windowStart + o.windowSeconds * 1000;
    const events: Array<{ at: number; name: string; run: () => Promise<void> }> = [];
    const W = windowEnd - windowStart;
    let slot = 0;
    for (let at = o.killEverySeconds * 1000; at < W; at += o.killEverySeconds * 1000) {
      events.push({
        at,
        name: 'kill a worker',
        run: async () => {
          if (o.database === 'postgres') {
            const i = slot++ % procs.workers.length;
            await stop(procs.workers[i], 'SIGKILL');
            procs.workers[i] = spawnWorker();
          } else {
            // The one process is the worker too.
            await stop(procs.api, 'SIGKILL');
            procs.api = spawnApi();
            await procs.api.url.catch(() => undefined);
          }
          chaos.workerKills += 1;
        },
      });
    }
    for (let i = 0; i < o.redisRestarts; i++) {
      events.push({
        at: Math.round((W * (2 * i + 1)) / (2 * o.redisRestarts + 1)),
        name: 'restart Redis',
        run: async () => {
          await redis.stop();
          await sleep(3_000);
          await redis.start();
          chaos.redisRestarts += 1;
        },
      });
    }
    for (let i = 0; i < o.flushes; i++) {
      events.push({
        at: Math.round((W * (i + 1)) / (o.flushes + 1)) + 1_000,
        name: 'FLUSHALL',
        run: async () => {
          await redis.command('FLUSHALL');
          chaos.flushes += 1;
        },
      });
    }
    for (let i = 0; i < o.apiRestarts; i++) {
      events.push({
        at: Math.round((W * (2 * i + 1)) / (2 * o.apiRestarts + 2)) + 2_000,
        name: 'restart the API',
        run: async () => {
          await stop(procs.api, 'SIGTERM');
          procs.api = spawnApi();
          await procs.api.url.catch(() => undefined);
          chaos.apiRestarts += 1;
        },
      });
    }
    events.sort((a, b) => a.at - b.at);
    for (const e of events) {
      const wait = windowStart + e.at - Date.now();
      if (wait > 0) await sleep(wait);
      log(`  +${((Date.now() - windowStart) / 1000).toFixed(1)} s ${e.name}`);
      await e.run();
    }
    const rest = windowEnd - Date.now();
    if (rest > 0) await sleep(rest);
    x.setChaos(undefined);
    tg.setChaos(undefined);
    meta.setChaos(undefined);
    receiver.setChaos(undefined);
    const windowSeconds = (Date.now() - windowStart) / 1000;

    // 4. Settle: nothing due or in flight, twice in a row, within the bound.
    log('window over; waiting for nothing to be due or in flight…');
    const settleStart = Date.now();
    const postIds = [...posts.values()].map((p) => p.postId);
    const queue = new Queue(PUBLISH_QUEUE, { connection: { host: '127.0.0.1', port: Number(new URL(redis.url).port) }, prefix: env.REDIS_PREFIX });
    const outstanding = async (): Promise<number> => {
      const soon = Date.now() + 5_000;
      const busy = (status: string, heldUntil: string | Date | null) =>
        ['pending', 'scheduled', 'publishing'].includes(status) && !(heldUntil && new Date(heldUntil).getTime() > soon);
      let n = 0;
      if (database) {
        const rows = await database.db.selectFrom('post_targets').select(['status', 'held_until']).where('post_id', 'in', postIds).execute();
        n = rows.filter((r) => busy(r.status, r.held_until)).length;
      } else {
        const api = client(await procs.api!.url, approverToken);
        for (const id of postIds) {
          const r = await api('GET', `/api/v1/posts/${id}`);
          if (r.status !== 200) return -1;
          n += (r.body.targets as Array<{ status: string; heldUntil: string | null }>).filter((t) => busy(t.status, t.heldUntil)).length;
        }
      }
      const c = await queue.getJobCounts('waiting', 'active', 'prioritized');
      return n + (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0);
    };
    let settled = false;
    let quietRounds = 0;
    while (Date.now() - settleStart < o.settleSeconds * 1000) {
      const n = await outstanding().catch(() => -1);
      quietRounds = n === 0 ? quietRounds + 1 : 0;
      if (quietRounds >= 2) {
        settled = true;
        break;
      }
      await sleep(2_000);
    }
    await queue.close();
    const settleSeconds = (Date.now() - settleStart) / 1000;
    log(settled ? `settled in ${settleSeconds.toFixed(0)} s` : `not settled after ${o.settleSeconds} s: counting anyway`);

    // 5. Stop everything, then count: at the platforms' fakes, and in the database.
    finishing = true;
    await Promise.all([stop(procs.api, 'SIGTERM'), ...procs.workers.map((w) => stop(w, 'SIGTERM'))]);
    if (!database) database = await openDb();
    const atPlatform = new Map<string, number>();
    const bump = (text: string | undefined, kind: string) => {
      for (const m of (text ?? '').matchAll(/CHAOS[0-9a-f]{6}N\d+Z/g)) {
        const post = posts.get(m[0]);
        if (!post) continue;
        const key = `${post.postId} ${kind}`;
        atPlatform.set(key, (atPlatform.get(key) ?? 0) + 1);
      }
    };
    for (const p of x.posts) bump(p.text, 'x');
    for (const m of tg.messages) bump(m.text ?? m.caption, 'telegram');
    for (const u of units) {
      for (const p of u.page.posts) if (!p.deleted) bump(p.message, 'facebook');
      for (const m of u.ig.media) bump(m.caption, 'instagram');
    }
    const byPostId = new Map([...posts.values()].map((p) => [p.postId, p]));
    for (const d of receiver.deliveries) {
      const id = (d.body as { post?: { id?: string } }).post?.id;
      if (id && byPostId.has(id)) atPlatform.set(`${id} webhook`, (atPlatform.get(`${id} webhook`) ?? 0) + 1);
    }
    // The news page is the product's own: its "platform" is the news_items table.
    const news = await database.db.selectFrom('news_items').select('post_id').where('post_id', 'in', postIds).execute();
    for (const n of news) atPlatform.set(`${n.post_id} news_page`, (atPlatform.get(`${n.post_id} news_page`) ?? 0) + 1);

    const rows = await database.db
      .selectFrom('post_targets')
      .innerJoin('channels', 'channels.id', 'post_targets.channel_id')
      .innerJoin('posts', 'posts.id', 'post_targets.post_id')
      .select(['post_targets.post_id', 'channels.kind', 'post_targets.status', 'post_targets.last_error', 'post_targets.held_reason', 'post_targets.held_until', 'post_targets.published_at', 'posts.scheduled_at'])
      .where('post_targets.post_id', 'in', postIds)
      .execute();
    const options: ChaosReport['options'] = { ...o };
    delete (options as Partial<ChaosOptions>).log;
    const report: ChaosReport = {
      options,
      targets: 0,
      publishedOnce: 0,
      publishedTwice: [],
      lost: [],
      failed: new Map(),
      held: new Map(),
      unconfirmed: new Map(),
      lateness: undefined,
      byKind: new Map(),
      chaos,
      moved,
      settled,
      seconds: { setup: setupSeconds, window: windowSeconds, settle: settleSeconds },
    };
    const group = (m: Map<string, number>, reason: string | null) => m.set(reasonGroup(reason), (m.get(reasonGroup(reason)) ?? 0) + 1);
    const lateness: number[] = [];
    const expectedTargets = [...posts.values()].reduce((n, p) => n + p.kinds.length, 0);
    for (const r of rows) {
      report.targets += 1;
      const kind = r.kind;
      const k = report.byKind.get(kind) ?? { targets: 0, published: 0 };
      k.targets += 1;
      report.byKind.set(kind, k);
      const n = atPlatform.get(`${r.post_id} ${kind}`) ?? 0;
      const lost = (why: string) => report.lost.push({ postId: r.post_id, kind, why });
      if (n >= 2) {
        report.publishedTwice.push({ postId: r.post_id, kind, times: n });
        continue;
      }
      const heldNow = r.held_until && new Date(r.held_until).getTime() > Date.now() - 60_000 && ['pending', 'scheduled', 'held'].includes(r.status);
      if (r.status === 'published') {
        if (n === 1) {
          report.publishedOnce += 1;
          k.published += 1;
          lateness.push(new Date(r.published_at!).getTime() - new Date(r.scheduled_at).getTime());
        } else lost('published in the database, nothing at the platform');
      } else if (r.status === 'unconfirmed') {
        group(report.unconfirmed, r.last_error);
      } else if (r.status === 'failed') {
        if (n === 0) group(report.failed, r.last_error);
        else lost('at the platform, but failed in the database');
      } else if (r.status === 'held' || heldNow) {
        if (n === 0) group(report.held, r.held_reason ?? r.last_error);
        else lost(`at the platform, but ${r.status} (held) in the database`);
      } else {
        lost(`${r.status} after settling${n > 0 ? ', and at the platform' : ''}`);
      }
    }
    if (rows.length !== expectedTargets) report.lost.push({ postId: '-', kind: '-', why: `${expectedTargets - rows.length} targets missing from the database` });
    lateness.sort((a, b) => a - b);
    if (lateness.length > 0) report.lateness = { p50: percentile(lateness, 50), p90: percentile(lateness, 90), p99: percentile(lateness, 99), max: lateness.at(-1)! };
    return report;
  } finally {
    finishing = true;
    await Promise.all([stop(procs.api, 'SIGKILL'), ...procs.workers.map((w) => stop(w, 'SIGKILL'))]).catch(() => undefined);
    await database?.close().catch(() => undefined);
    await x.close();
    await tg.close();
    await meta.close();
    await receiver.close();
    await redis.stop();
    await dropTestState(env).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The report as one table, for a person. */
export function formatReport(r: ChaosReport): string {
  const lines: string[] = [];
  const row = (label: string, value: string | number) => lines.push(`${label.padEnd(34)} ${String(value)}`);
  const o = r.options;
  lines.push(`Chaos run: ${o.posts} posts, ${o.units} units, window ${o.windowSeconds} s, seed ${o.seed}, ${o.database === 'postgres' ? 'PostgreSQL, 1 API + 2 worker processes' : 'embedded database, one process'}`);
  lines.push('-'.repeat(78));
  row('targets', r.targets);
  for (const [kind, k] of [...r.byKind.entries()].sort()) row(`  ${kind}`, `${k.targets} (${k.published} published)`);
  row('published once', r.publishedOnce);
  row('published twice (must be 0)', r.publishedTwice.length);
  for (const t of r.publishedTwice.slice(0, 10)) row('', `${t.kind} of post ${t.postId}: ${t.times} times`);
  row('lost (must be 0)', r.lost.length);
  for (const t of r.lost.slice(0, 10)) row('', `${t.kind} of post ${t.postId}: ${t.why}`);
  const groups = (label: string, m: Map<string, number>) => {
    row(label, [...m.values()].reduce((a, b) => a + b, 0));
    for (const [reason, n] of [...m.entries()].sort((a, b) => b[1] - a[1])) lines.push(`    ${String(n).padStart(5)}  ${reason}`);
  };
  groups('failed', r.failed);
  groups('held', r.held);
  groups('unconfirmed', r.unconfirmed);
  row('lateness (published − scheduled)', r.lateness ? `p50 ${secs(r.lateness.p50)}, p90 ${secs(r.lateness.p90)}, p99 ${secs(r.lateness.p99)}, max ${secs(r.lateness.max)}` : '—');
  lines.push('-'.repeat(78));
  row('worker SIGKILLs', r.chaos.workerKills);
  row('Redis restarts', r.chaos.redisRestarts);
  row('Redis FLUSHALL', r.chaos.flushes);
  row('API restarts', r.chaos.apiRestarts);
  row('processes that exited on their own', r.chaos.unexpectedExits.length === 0 ? 0 : r.chaos.unexpectedExits.join('; '));
  row('platform faults injected', [...r.chaos.faults.values()].reduce((a, b) => a + b, 0));
  for (const [key, n] of [...r.chaos.faults.entries()].sort()) lines.push(`    ${String(n).padStart(5)}  ${key}`);
  row('posts moved (due before written)', r.moved);
  row('settled within the bound', r.settled ? 'yes' : 'NO');
  row('time', `setup ${r.seconds.setup.toFixed(0)} s, window ${r.seconds.window.toFixed(0)} s, settle ${r.seconds.settle.toFixed(0)} s`);
  return lines.join('\n');
}
