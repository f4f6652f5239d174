// Never twice, never dropped: kill a worker mid-publish, flush Redis, take Redis away.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadEnv } from '../../config/env';
import type { PostDeps } from '../../services/posts/deps';
import { approvePost, submitPost } from '../../services/posts/review-post';
import { createPost } from '../../services/posts/write-post';
import { type Database, migrateToLatest, openDatabase } from '../../services/storage/database';
import { PublishQueue } from '../../workers/queue/publish-queue';
import { producerConnection } from '../../workers/queue/redis';
import { type Harness, type WebhookWorld, type World, addWebhook, client, dropTestState, inSeconds, seedWorld, startWithWebhook, testEnv, waitFor, quiescent } from '../support/harness';
import { privateRedis, spawnSiaran } from '../support/processes';
import { type Receiver, startReceiver } from '../support/webhook-receiver';

const SECRET = 'crash-test-webhook-secret';

async function openTestDb(env: ReturnType<typeof loadEnv>): Promise<Database> {
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, dataDir: env.DATA_DIR });
  await migrateToLatest(database, env.DATABASE_SCHEMA);
  return database;
}

describe('a worker killed right after claiming a target', () => {
  let dataDir: string;
  let rawEnv: Record<string, string>;
  let receiver: Receiver;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'siaran-crash-'));
    rawEnv = testEnv({ DATA_DIR: dataDir, EMBEDDED_DB_IN_MEMORY: 'false', JOB_LOCK_MS: '1500', JOB_STALLED_CHECK_MS: '500', LOG_LEVEL: 'info' });
    receiver = await startReceiver(SECRET);
  });
  afterAll(async () => {
    await receiver.close();
    await dropTestState(loadEnv(rawEnv));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('leaves the target unconfirmed for a human, and the post reaches the receiver once, never twice', async () => {
    const env = loadEnv(rawEnv);
    // Seed and approve with the database in this process, then let go of it for the worker processes.
    let database = await openTestDb(env);
    const world: World = await seedWorld(database.db);
    const webhookId = await addWebhook(database.db, world.units.polres, receiver.url, SECRET);
    const queue = new PublishQueue({ connection: producerConnection({ url: env.REDIS_URL }), prefix: env.REDIS_PREFIX, attempts: 3, backoffMs: 200 });
    const deps: PostDeps = { db: database.db, scheduler: queue, log: pino({ level: 'silent' }), now: () => new Date(), minLeadSeconds: 1 };
    const operator = { id: world.users.operator, role: 'operator' as const, unitId: world.units.polres };
    const supervisor = { id: world.users.supervisor, role: 'supervisor' as const, unitId: world.units.polres };
    const post = await createPost(deps, operator, { title: 'Uji crash', body: 'Isi.', channelIds: [world.newsPage.polres, webhookId], variants: {}, channelOptions: {}, scheduledAt: inSeconds(4) });
    const submitted = await submitPost(deps, operator, post.id);
    await approvePost(deps, supervisor, post.id, { expectedVersion: submitted.version });
    await queue.close();
    await database.close();

    receiver.behave('hang');
    const arrived = receiver.nextRequest();
    const first = spawnSiaran(rawEnv);
    await first.url;
    await arrived;
    // The webhook request is in flight: the target is claimed and no outcome can be recorded.
    await first.kill('SIGKILL');

    receiver.behave('ok');
    const second = spawnSiaran(rawEnv);
    const url = await second.url;
    const api = client(url, world.tokens.supervisor);
    const settled = await waitFor('the abandoned claim to be resolved', async () => {
      const r = await api('GET', `/api/v1/posts/${post.id}`);
      return r.body.status !== 'scheduled' && r.body.status !== 'publishing' ? r.body : undefined;
    }, 30_000);
    // Nothing left that could deliver a second time (the second process reconciles every second).
    await quiescent(env.REDIS_PREFIX);
    expect(await second.kill('SIGTERM')).toBe(0);

    const webhook = settled.targets.find((t: { channelKind: string }) => t.channelKind === 'webhook');
    expect(webhook.status).toBe('unconfirmed');
    expect(settled.targets.find((t: { channelKind: string }) => t.channelKind === 'news_page').status).toBe('published');
    expect(settled.status).toBe('unconfirmed');
    expect(receiver.deliveries).toHaveLength(1);

    database = await openTestDb(env);
    try {
      const attempts = await database.db.selectFrom('publish_attempts').selectAll().where('target_id', '=', webhook.id).execute();
      expect(attempts).toHaveLength(1);
      expect(attempts[0]!.outcome).toBe('unconfirmed');
      const news = await database.db.selectFrom('news_items').select('post_id').where('post_id', '=', post.id).execute();
      expect(news).toHaveLength(1);
      const events = await database.db.selectFrom('post_events').select('type').where('post_id', '=', post.id).execute();
      expect(events.filter((e) => e.type === 'target.unconfirmed')).toHaveLength(1);
    } finally {
      await database.close();
    }
  }, 90_000);
});

describe('Redis loses everything', () => {
  let h: Harness;
  let world: World;
  let receiver: Receiver;
  let webhookId: string;
  let redis: Awaited<ReturnType<typeof privateRedis>>;
  let env: WebhookWorld;

  beforeAll(async () => {
    redis = await privateRedis();
    env = await startWithWebhook(SECRET, { REDIS_URL: redis.url });
    ({ h, world, receiver, webhookId } = env);
  });
  afterAll(async () => {
    await env.close();
    await redis.stop();
  });

  const schedule = async (n: number, seconds: number) => {
    const operator = client(h.url, world.tokens.operator);
    const supervisor = client(h.url, world.tokens.supervisor);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const c = await operator('POST', '/api/v1/posts', { title: `Berita ${i}`, body: 'Isi.', channelIds: [world.newsPage.polres, webhookId], scheduledAt: inSeconds(seconds) });
      const s = await operator('POST', `/api/v1/posts/${c.body.id}/submit`);
      const a = await supervisor('POST', `/api/v1/posts/${c.body.id}/approve`, { expectedVersion: s.body.version });
      expect(a.status).toBe(200);
      ids.push(c.body.id);
    }
    return ids;
  };

  const publishedOnce = async (ids: string[]) => {
    const operator = client(h.url, world.tokens.operator);
    for (const id of ids) {
      await waitFor(`post ${id} published`, async () => (await operator('GET', `/api/v1/posts/${id}`)).body.status === 'published', 30_000);
    }
    await quiescent(h.prefix, () => h.siaran.workers!.reconcileNow());
    const perPost = new Map<string, number>();
    for (const d of receiver.deliveries) perPost.set(d.body.post.id, (perPost.get(d.body.post.id) ?? 0) + 1);
    for (const id of ids) expect(perPost.get(id)).toBe(1);
    const news = await h.siaran.database.db.selectFrom('news_items').select('post_id').where('post_id', 'in', ids).execute();
    expect(news).toHaveLength(ids.length);
  };

  test('after FLUSHALL the reconciler restores every scheduled post and each publishes once', async () => {
    const ids = await schedule(8, 4);
    expect(Number(await redis.command('DBSIZE'))).toBeGreaterThan(0);
    // Flushed and counted in one step: the running product writes again (heartbeats, the reconciler) the moment
    // after, which a separate DBSIZE on a busy machine would count.
    expect(Number(await redis.command('EVAL', "redis.call('FLUSHALL'); return redis.call('DBSIZE')", '0'))).toBe(0);
    await publishedOnce(ids);
  }, 60_000);

  test('an approval while Redis is down still publishes once Redis is back', async () => {
    await redis.stop();
    const started = Date.now();
    const ids = await schedule(2, 4);
    // Approving never waits on the engine: the database is the truth.
    expect(Date.now() - started).toBeLessThan(15_000);
    await redis.start();
    await publishedOnce(ids);
  }, 60_000);
});
