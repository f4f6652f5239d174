// Starts the real product in this process (API on port 0, workers, real Redis, a fresh database)
// and seeds a small unit hierarchy with users and tokens.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import { type Env, decodeKey, loadEnv } from '../../config/env';
import { addWebhookChannel, channelsOfUnit } from '../../services/channels/channel.repository';
import { secretBox } from '../../services/channels/secret-box';
import { type RunningSiaran, startSiaran } from '../../services/runtime/siaran';
import { platformAdapters, platformConfig } from '../../services/publishing/platforms/registry';
import type { PublishDeps } from '../../services/publishing/publish-target';
import type { DB } from '../../services/storage/schema';
import { addUnit } from '../../services/units/unit.repository';
import { createToken } from '../../services/users/token.repository';
import { addUser } from '../../services/users/user.repository';
import { PUBLISH_QUEUE } from '../../workers/queue/publish-queue';
import { TEST_POSTGRES_URL, testDbKind, uniquePrefix } from './test-db';
import { type Receiver, startReceiver } from './webhook-receiver';
import { TEST_PASSWORD_COST } from './test-password-cost';

export const TEST_SECRETS_KEY = randomBytes(32).toString('hex');

export interface Harness {
  siaran: RunningSiaran;
  env: Env;
  url: string;
  prefix: string;
  close(): Promise<void>;
}

/** Environment for a test instance; `overrides` win. The database part is per file unless given. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const kind = testDbKind();
  const base: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_PREFIX: uniquePrefix('app'),
    REDIS_AUTOSTART: 'false',
    SECRETS_KEY: TEST_SECRETS_KEY,
    SCHEDULE_MIN_LEAD_SECONDS: '1',
    RECONCILE_EVERY_SECONDS: '1',
    PUBLISH_BACKOFF_MS: '200',
    JOB_LOCK_MS: '2000',
    JOB_STALLED_CHECK_MS: '1000',
    WEBHOOK_TIMEOUT_MS: '3000',
    // The tests' receivers listen on 127.0.0.1.
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'siaran-test-')),
    EMBEDDED_DB_IN_MEMORY: 'true',
    // The least cost the settings allow (OWASP's minimum): a fifth of the default's work, and tests sign in hundreds of times.
    ...TEST_PASSWORD_COST,
  };
  if (kind === 'postgres') {
    base.DATABASE_URL = TEST_POSTGRES_URL;
    base.DATABASE_SCHEMA = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  }
  return { ...base, ...overrides };
}

export async function startHarness(overrides: Record<string, string> = {}, opts: { log?: Logger } = {}): Promise<Harness> {
  const env = loadEnv(testEnv(overrides));
  const siaran = await startSiaran(env, { api: true, worker: true }, opts);
  return {
    siaran,
    env,
    url: siaran.url!,
    prefix: env.REDIS_PREFIX,
    async close() {
      await siaran.close();
      await dropTestState(env);
    },
  };
}

/** Removes what a test instance left: its Redis keys and its PostgreSQL schema. */
export async function dropTestState(env: Env): Promise<void> {
  const redis = new Redis(env.REDIS_URL, { lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${env.REDIS_PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // A test that killed Redis on purpose leaves nothing to clean there.
  } finally {
    redis.disconnect();
  }
  if (env.DATA_DIR.startsWith(path.join(os.tmpdir(), 'siaran-'))) fs.rmSync(env.DATA_DIR, { recursive: true, force: true });
  if (env.DATABASE_URL && env.DATABASE_SCHEMA !== 'public') {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      await client.query(`drop schema if exists ${env.DATABASE_SCHEMA} cascade`);
    } finally {
      await client.end();
    }
  }
}

export interface World {
  units: { polda: string; polres: string; polsek: string; other: string };
  users: { operator: string; supervisor: string; poldaSupervisor: string; otherOperator: string; otherSupervisor: string; admin: string };
  tokens: { operator: string; supervisor: string; poldaSupervisor: string; otherOperator: string; otherSupervisor: string; admin: string; polsekOperator: string };
  newsPage: { polres: string; other: string; polsek: string };
}

/** Polda Lampung (WIB) › Polres Tulangbawang Barat › Polsek; Polda Maluku Utara (WIT) › Polres Halmahera Utara. */
export async function seedWorld(db: Kysely<DB>, tag = randomBytes(3).toString('hex')): Promise<World> {
  const polda = await addUnit(db, { slug: `polda-lampung-${tag}`, name: 'Polda Lampung', timeZone: 'Asia/Jakarta' });
  const polres = await addUnit(db, { slug: `polres-tubaba-${tag}`, name: 'Polres Tulangbawang Barat', parentSlug: polda.slug, timeZone: 'Asia/Jakarta' });
  const polsek = await addUnit(db, { slug: `polsek-tumijajar-${tag}`, name: 'Polsek Tumijajar', parentSlug: polres.slug, timeZone: 'Asia/Jakarta' });
  const malut = await addUnit(db, { slug: `polda-malut-${tag}`, name: 'Polda Maluku Utara', timeZone: 'Asia/Jayapura' });
  const other = await addUnit(db, { slug: `polres-halut-${tag}`, name: 'Polres Halmahera Utara', parentSlug: malut.slug, timeZone: 'Asia/Jayapura' });
  const mk = async (name: string, unitSlug: string, role: 'operator' | 'supervisor' | 'admin') => {
    const user = await addUser(db, { email: `${name}.${tag}@test.siaran`, name, unitSlug, role });
    const { token } = await createToken(db, user.id, { label: 'test', days: 1 });
    return { id: user.id, token };
  };
  const operator = await mk('operator', polres.slug, 'operator');
  const supervisor = await mk('kasihumas', polres.slug, 'supervisor');
  const poldaSupervisor = await mk('kabidhumas', polda.slug, 'supervisor');
  const otherOperator = await mk('operator-halut', other.slug, 'operator');
  const otherSupervisor = await mk('kasihumas-halut', other.slug, 'supervisor');
  const admin = await mk('admin', polda.slug, 'admin');
  const polsekOperator = await mk('operator-polsek', polsek.slug, 'operator');
  const newsPageOf = async (unitId: string) => (await channelsOfUnit(db, unitId)).find((c) => c.kind === 'news_page')!.id;
  return {
    units: { polda: polda.id, polres: polres.id, polsek: polsek.id, other: other.id },
    users: { operator: operator.id, supervisor: supervisor.id, poldaSupervisor: poldaSupervisor.id, otherOperator: otherOperator.id, otherSupervisor: otherSupervisor.id, admin: admin.id },
    tokens: {
      operator: operator.token,
      supervisor: supervisor.token,
      poldaSupervisor: poldaSupervisor.token,
      otherOperator: otherOperator.token,
      otherSupervisor: otherSupervisor.token,
      admin: admin.token,
      polsekOperator: polsekOperator.token,
    },
    newsPage: { polres: await newsPageOf(polres.id), other: await newsPageOf(other.id), polsek: await newsPageOf(polsek.id) },
  };
}

export async function unitSlug(db: Kysely<DB>, unitId: string): Promise<string> {
  const u = await db.selectFrom('units').select('slug').where('id', '=', unitId).executeTakeFirstOrThrow();
  return u.slug;
}

export async function addWebhook(db: Kysely<DB>, unitId: string, url: string, secret: string): Promise<string> {
  const box = secretBox(decodeKey(TEST_SECRETS_KEY)!);
  const channel = await addWebhookChannel(db, box, { unitSlug: await unitSlug(db, unitId), url, secret }, { allowPrivateNetworks: true });
  return channel.id;
}

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A JSON client for the API as a given user. */
export function client(baseUrl: string, token?: string) {
  return async function call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T>> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };
}

export function inSeconds(s: number, from = Date.now()): string {
  return new Date(from + s * 1000).toISOString();
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface WebhookWorld {
  h: Harness;
  world: World;
  receiver: Receiver;
  webhookId: string;
  close(): Promise<void>;
}

/** The product with the seeded hierarchy and a signed webhook channel on the Polres, pointed at a local receiver. */
export async function startWithWebhook(secret: string, overrides: Record<string, string> = {}): Promise<WebhookWorld> {
  const h = await startHarness(overrides);
  const world = await seedWorld(h.siaran.database.db);
  const receiver = await startReceiver(secret);
  const webhookId = await addWebhook(h.siaran.database.db, world.units.polres, receiver.url, secret);
  return {
    h,
    world,
    receiver,
    webhookId,
    async close() {
      await h.close();
      await receiver.close();
    },
  };
}

/**
 * Waits until no publish or retraction work is left that is due: nothing waiting or running, no retry
 * due within the next few seconds, twice in a row around a reconciliation (which re-queues anything
 * still owed). After it, a wrong second delivery would already have happened; tests that prove something
 * went out once wait on this rather than on a fixed sleep.
 */
export async function quiescent(prefix: string, reconcile?: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
  const queue = new Queue(PUBLISH_QUEUE, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
  const idle = async () => {
    const c = await queue.getJobCounts('waiting', 'active', 'prioritized');
    if ((c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) > 0) return false;
    const soon = Date.now() + 5_000;
    const delayed = await queue.getDelayed(0, 200);
    return delayed.every((j) => j.timestamp + j.delay > soon);
  };
  try {
    await waitFor('the publish queue to have nothing due', async () => (await idle()) || undefined, timeoutMs);
    if (reconcile) await reconcile();
    await waitFor('the publish queue to stay with nothing due', async () => (await idle()) || undefined, timeoutMs);
  } finally {
    await queue.close();
  }
}

/**
 * What publishTarget needs, for a test that publishes a target itself (no workers), on `db` (e.g. a counting
 * instance of the harness's database).
 */
export function publishDepsFor(h: Harness, db: Kysely<DB>, opts: { lateWindowMs?: number; webhookWaitMs?: number } = {}): PublishDeps {
  return {
    db,
    adapters: platformAdapters(platformConfig(loadEnv(testEnv()), db)),
    box: h.siaran.channels.box,
    log: pino({ level: 'silent' }),
    now: () => new Date(),
    maxAttempts: 5,
    publicBaseUrl: () => 'http://localhost',
    jobLockMs: 30_000,
    lateWindowMs: opts.lateWindowMs ?? 3_600_000,
    webhookWaitMs: opts.webhookWaitMs ?? 0,
  };
}
