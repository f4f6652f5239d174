// Publish throughput: N webhook targets all due at once, drained by Siaran's publish workers (PostgreSQL with one
// and two worker processes; the embedded database in its one process), beside bare BullMQ workers making the
// same signed POST to the same local receiver with no database. The queue is paused while the posts are written
// and approved, so every target is due when it resumes; the clock runs from the resume to the last delivery.
// Rounds alternate the order of baseline and Siaran. Every target must arrive exactly once.
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import pino from 'pino';
import { BENCH_PG_URL, type Receiver, type Row, benchInstallation, fmt, median, opt, optText, startProcess, startReceiver, stopProcess, until } from './support';
import { loadEnv } from '../config/env';
import { addWebhookChannel } from '../services/channels/channel.repository';
import { approvePost, submitPost } from '../services/posts/review-post';
import { createPost } from '../services/posts/write-post';
import { type RunningSiaran, startSiaran } from '../services/runtime/siaran';
import { addUnit } from '../services/units/unit.repository';
import { addUser } from '../services/users/user.repository';
import { PUBLISH_QUEUE } from '../workers/queue/publish-queue';
import { workerConnection } from '../workers/queue/redis';

const TARGETS = opt('targets', 2000);
const ROUNDS = opt('rounds', 2);
// The product's default (PUBLISH_CONCURRENCY), given to the bare workers too.
const CONCURRENCY = opt('concurrency', 32);
const TIMEOUT_MS = 600_000;

interface World {
  siaran: RunningSiaran;
  env: Record<string, string>;
  queue: Queue;
  write(n: number): Promise<void>;
  published(): Promise<number>;
  close(): Promise<void>;
}

async function siaranWorld(receiver: Receiver, databaseUrl: string | undefined): Promise<World> {
  const installation = benchInstallation('tput', databaseUrl, {
    EMBEDDED_DB_IN_MEMORY: 'true',
    PORT: '0',
    SCHEDULE_MIN_LEAD_SECONDS: '1',
    PUBLISH_CONCURRENCY: String(CONCURRENCY),
    PUBLISH_LATE_WINDOW_SECONDS: '86400',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  });
  const env = installation.env;
  const parsed = loadEnv(env);
  // On PostgreSQL the workers are their own processes, started for each run; the embedded database serves one.
  const siaran = await startSiaran(parsed, { api: true, worker: !databaseUrl });
  const queue = new Queue(PUBLISH_QUEUE, { connection: workerConnection({ url: parsed.REDIS_URL }), prefix: parsed.REDIS_PREFIX });
  await queue.pause();
  const db = siaran.database.db;
  const unit = await addUnit(db, { slug: 'polres-bench', name: 'Polres Bench', timeZone: 'Asia/Jakarta' });
  const op = await addUser(db, { email: 'op@bench.siaran', name: 'op', unitSlug: unit.slug, role: 'operator' });
  const sup = await addUser(db, { email: 'sup@bench.siaran', name: 'sup', unitSlug: unit.slug, role: 'supervisor' });
  const channel = await addWebhookChannel(db, siaran.channels.box, { unitSlug: unit.slug, url: receiver.url, secret: 'bench-secret-0123456789' }, { allowPrivateNetworks: true });
  const deps = { db, scheduler: siaran.queue, log: pino({ level: 'silent' }), now: () => new Date(), minLeadSeconds: 1 };
  const operator = { id: op.id, role: 'operator' as const, unitId: unit.id };
  const supervisor = { id: sup.id, role: 'supervisor' as const, unitId: unit.id };
  let written = 0;
  return {
    siaran,
    env,
    queue,
    async write(n) {
      const one = async (i: number) => {
        const p = await createPost(deps, operator, { title: `Berita ${String(i)}`, body: 'Isi.', channelIds: [channel.id], variants: {}, channelOptions: {}, scheduledAt: new Date(Date.now() + 1500).toISOString() });
        const submitted = await submitPost(deps, operator, p.id);
        await approvePost(deps, supervisor, p.id, { expectedVersion: submitted.version });
      };
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < n) await one(written + next++);
        }),
      );
      written += n;
      // Every one of them due before the queue resumes.
      await new Promise((r) => setTimeout(r, 2000));
    },
    async published() {
      const r = await db.selectFrom('post_targets').select(db.fn.countAll().as('n')).where('status', '=', 'published').executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async close() {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await siaran.close();
      await installation.cleanup();
    },
  };
}

interface Run {
  perSecond: number;
  twice: number;
  missing: number;
}

function judge(receiver: Receiver, from: number, n: number): Run {
  let last = from;
  let twice = 0;
  for (const times of receiver.arrivals.values()) {
    last = Math.max(last, ...times);
    if (times.length > 1) twice++;
  }
  return { perSecond: (n / (last - from)) * 1000, twice, missing: n - receiver.arrivals.size };
}

async function bareRun(receiver: Receiver, redisUrl: string, processes: number): Promise<Run> {
  const prefix = `bench-bare-${randomBytes(3).toString('hex')}`;
  const queue = new Queue('bare', { connection: workerConnection({ url: redisUrl }), prefix });
  await queue.pause();
  await queue.addBulk(Array.from({ length: TARGETS }, (_, n) => ({ name: 'publish', data: { n }, opts: { jobId: `t-${String(n)}`, removeOnComplete: true } })));
  const workers = Array.from({ length: processes }, () =>
    startProcess('bench/bare-publish-worker.js', [], { BARE_REDIS_URL: redisUrl, BARE_PREFIX: prefix, BARE_URL: receiver.url, BARE_CONCURRENCY: String(CONCURRENCY) }),
  );
  try {
    await until(async () => (await queue.getWorkersCount()) >= processes, 30_000, 'the bare workers');
    receiver.reset();
    const from = performance.now();
    await queue.resume();
    await receiver.waitFor(TARGETS, TIMEOUT_MS);
    return judge(receiver, from, TARGETS);
  } finally {
    await Promise.all(workers.map(stopProcess));
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

async function siaranRun(receiver: Receiver, world: World, processes: number): Promise<Run> {
  await world.write(TARGETS);
  const before = await world.published();
  let workers: ChildProcess[] = [];
  if (world.env.DATABASE_URL) {
    workers = Array.from({ length: processes }, () => startProcess('services/main.js', ['--worker'], world.env));
  }
  try {
    await until(async () => (await world.queue.getWorkersCount()) >= processes, 60_000, 'the publish workers');
    receiver.reset();
    const from = performance.now();
    await world.queue.resume();
    await receiver.waitFor(TARGETS, TIMEOUT_MS);
    const run = judge(receiver, from, TARGETS);
    // Every delivery also recorded as published: the guarantee is part of what is measured.
    await until(async () => (await world.published()) - before >= TARGETS, 60_000, 'every target recorded as published');
    await world.queue.pause();
    return run;
  } finally {
    await Promise.all(workers.map(stopProcess));
  }
}

export async function run(): Promise<Row[]> {
  const redisUrl = loadEnv({}).REDIS_URL;
  const receiver = await startReceiver();
  console.log(`${fmt(TARGETS)} webhook targets due at once, publish concurrency ${String(CONCURRENCY)} per process, ${String(ROUNDS)} rounds alternated, medians`);
  const pgWorld = await siaranWorld(receiver, BENCH_PG_URL);
  const embedded = await siaranWorld(receiver, undefined);
  const results: Record<string, Run[]> = {};
  const cases: Array<[string, () => Promise<Run>]> = [
    ['bare BullMQ, 1 process', () => bareRun(receiver, redisUrl, 1)],
    ['Siaran, PostgreSQL, 1 worker process', () => siaranRun(receiver, pgWorld, 1)],
    ['bare BullMQ, 2 processes', () => bareRun(receiver, redisUrl, 2)],
    ['Siaran, PostgreSQL, 2 worker processes', () => siaranRun(receiver, pgWorld, 2)],
    ['Siaran, embedded database, 1 process', () => siaranRun(receiver, embedded, 1)],
  ];
  // --only=text: just the cases whose name holds it (to look at one closely); the table then shows no rows.
  const only = optText('only');
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, go] of round % 2 === 0 ? cases : [...cases].reverse()) {
        if (only !== undefined && !name.includes(only)) continue;
        const r = await go();
        (results[name] ??= []).push(r);
        console.log(`  round ${String(round + 1)}: ${name.padEnd(40)} ${fmt(r.perSecond).padStart(6)}/s   twice ${String(r.twice)}   missing ${String(r.missing)}`);
      }
    }
  } finally {
    await pgWorld.close();
    await embedded.close();
    await receiver.close();
  }
  if (only !== undefined) return [];
  const rate = (name: string) => median(results[name]!.map((r) => r.perSecond));
  const twice = Object.values(results).flat().reduce((a, r) => a + r.twice, 0);
  const command = `npm run bench -- publish-throughput --targets=${String(TARGETS)} --rounds=${String(ROUNDS)}`;
  const row = (figure: string, base: string, siaran: string): Row => ({
    figure,
    baseline: `${fmt(rate(base))}/s`,
    siaran: `${fmt(rate(siaran))}/s`,
    ratio: `${(rate(siaran) / rate(base)).toFixed(2)}×`,
    goal: '≥ 0.5×',
    command,
  });
  if (twice > 0) console.log(`  !! ${String(twice)} deliveries arrived twice`);
  return [
    row(`publish throughput, ${fmt(TARGETS)} webhook targets due at once, PostgreSQL, 1 worker process`, 'bare BullMQ, 1 process', 'Siaran, PostgreSQL, 1 worker process'),
    row('same, 2 worker processes', 'bare BullMQ, 2 processes', 'Siaran, PostgreSQL, 2 worker processes'),
    row('same, embedded database (one process)', 'bare BullMQ, 1 process', 'Siaran, embedded database, 1 process'),
  ];
}
