// Lateness of publishing (actual start − scheduled instant) for posts due over a window, beside bare BullMQ
// delayed jobs on the same Redis with the same due instants, measured in the same run. Redis runs with hz 100 for
// the run, as docker-compose.yml configures it, and is put back as it was.
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import pino from 'pino';
import Redis from 'ioredis';
import { BENCH_PG_URL, type Row, benchInstallation, fmt, opt } from './support';
import { loadEnv } from '../config/env';
import { approvePost, submitPost } from '../services/posts/review-post';
import { createPost } from '../services/posts/write-post';
import { startSiaran } from '../services/runtime/siaran';
import { channelsOfUnit } from '../services/channels/channel.repository';
import { addUnit } from '../services/units/unit.repository';
import { addUser } from '../services/users/user.repository';
import { workerConnection } from '../workers/queue/redis';

const POSTS = opt('posts', 3000);
/** Spread of the due instants; 0 makes every post due at the same instant. */
const WINDOW_MS = opt('window-ms', 30_000);
// The product's default (PUBLISH_CONCURRENCY).
const CONCURRENCY = opt('concurrency', 32);
/** Setup time allowed per post before the window opens; measured on PROBE posts unless given. */
const SETUP_MS_PER_POST = process.argv.some((a) => a.startsWith('--setup-ms-per-post=')) ? opt('setup-ms-per-post', 0) : undefined;
const PROBE = 40;

function stats(ms: number[]): { p50: number; p99: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p99: at(0.99), max: s[s.length - 1]! };
}

async function bareBullmq(redisUrl: string, dueAt: number[]): Promise<number[]> {
  const prefix = `bench-bare-${randomBytes(3).toString('hex')}`;
  const connection = workerConnection({ url: redisUrl });
  const queue = new Queue('bare', { connection, prefix });
  const lateness: number[] = [];
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const worker = new Worker(
    'bare',
    async (job) => {
      lateness.push(Date.now() - (job.data as { at: number }).at);
      if (lateness.length === dueAt.length) resolveDone();
      return Promise.resolve();
    },
    { connection, prefix, concurrency: CONCURRENCY },
  );
  const now = Date.now();
  await queue.addBulk(dueAt.map((at, i) => ({ name: 'j', data: { at }, opts: { jobId: `j-${i}`, delay: at - now, removeOnComplete: true } })));
  await done;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return lateness;
}

async function siaranRun(databaseUrl: string | undefined, label: string): Promise<number[]> {
  const installation = benchInstallation('lateness', databaseUrl, {
    EMBEDDED_DB_IN_MEMORY: 'true',
    PORT: '0',
    SCHEDULE_MIN_LEAD_SECONDS: '1',
    PUBLISH_CONCURRENCY: String(CONCURRENCY),
  });
  const env = loadEnv(installation.env);
  const siaran = await startSiaran(env, { api: !databaseUrl, worker: true });
  try {
    const db = siaran.database.db;
    const unit = await addUnit(db, { slug: 'polres-bench', name: 'Polres Bench', timeZone: 'Asia/Jakarta' });
    const op = await addUser(db, { email: 'op@bench.siaran', name: 'op', unitSlug: unit.slug, role: 'operator' });
    const sup = await addUser(db, { email: 'sup@bench.siaran', name: 'sup', unitSlug: unit.slug, role: 'supervisor' });
    const channel = (await channelsOfUnit(db, unit.id))[0]!.id;
    const deps = { db, scheduler: siaran.queue, log: pino({ level: 'silent' }), now: () => new Date(), minLeadSeconds: 1 };
    const operator = { id: op.id, role: 'operator' as const, unitId: unit.id };
    const supervisor = { id: sup.id, role: 'supervisor' as const, unitId: unit.id };
    const write = async (count: number, at: (i: number) => Date) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < count) {
            const i = next++;
            const p = await createPost(deps, operator, { title: `Berita ${String(i)}`, body: 'Isi.', channelIds: [channel], variants: {}, channelOptions: {}, scheduledAt: at(i).toISOString() });
            const submitted = await submitPost(deps, operator, p.id);
            await approvePost(deps, supervisor, p.id, { expectedVersion: submitted.version });
          }
        }),
      );
    };
    // Posts are written first, then all due within one window that opens once they are approved. How long writing
    // takes here is measured on a few posts due tomorrow (outside the run), so the window opens after the last.
    const probeStart = Date.now();
    await write(PROBE, () => new Date(Date.now() + 86_400_000));
    const msPerPost = SETUP_MS_PER_POST ?? (Date.now() - probeStart) / PROBE;
    const start = Date.now() + 5_000 + Math.ceil(POSTS * msPerPost * 1.5);
    await write(POSTS, (i) => new Date(start + Math.floor((i * WINDOW_MS) / POSTS)));
    if (Date.now() > start) console.log(`  (${label}: setup overran the window by ${Date.now() - start} ms; lateness includes it)`);
    for (;;) {
      const left = await db
        .selectFrom('posts')
        .select(db.fn.countAll().as('n'))
        .where('status', '!=', 'published')
        .where('scheduled_at', '<', new Date(Date.now() + 3_600_000))
        .executeTakeFirstOrThrow();
      if (Number(left.n) === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const rows = await db
      .selectFrom('publish_attempts as a')
      .innerJoin('post_targets as t', 't.id', 'a.target_id')
      .innerJoin('posts as p', 'p.id', 't.post_id')
      .select(['a.started_at', 'p.scheduled_at'])
      .execute();
    return rows.map((r) => r.started_at.getTime() - r.scheduled_at.getTime());
  } finally {
    await siaran.close();
    await installation.cleanup();
  }
}

export async function run(): Promise<Row[]> {
  const env = loadEnv({});
  const redisUrl = env.REDIS_URL;
  console.log(`${fmt(POSTS)} posts due over ${String(WINDOW_MS / 1000)} s, publish concurrency ${String(CONCURRENCY)}, Redis ${redisUrl} with hz 100`);
  const redis = new Redis(redisUrl);
  const hz = ((await redis.config('GET', 'hz')) as string[])[1] ?? '10';
  await redis.config('SET', 'hz', '100');
  const rows: Row[] = [];
  try {
    const now = Date.now();
    const due = Array.from({ length: POSTS }, (_, i) => now + 5_000 + Math.floor((i * WINDOW_MS) / POSTS));
    const bare = stats(await bareBullmq(redisUrl, due));
    const line = (name: string, s: { p50: number; p99: number; max: number }) =>
      console.log(`  ${name.padEnd(34)} p50 ${String(s.p50).padStart(5)} ms   p99 ${String(s.p99).padStart(5)} ms   max ${String(s.max).padStart(5)} ms`);
    line('bare BullMQ delayed jobs', bare);
    for (const [label, url] of [['Siaran on PostgreSQL', BENCH_PG_URL], ['Siaran on the embedded database', undefined]] as const) {
      const s = stats(await siaranRun(url, label));
      line(label, s);
      rows.push({
        figure: `lateness p99, ${fmt(POSTS)} posts due over ${String(WINDOW_MS / 1000)} s, ${label.replace('Siaran on ', '')}`,
        baseline: `bare BullMQ: p99 ${fmt(bare.p99)} ms`,
        siaran: `p99 ${fmt(s.p99)} ms (p50 ${fmt(s.p50)}, max ${fmt(s.max)})`,
        ratio: `${(s.p99 / Math.max(1, bare.p99)).toFixed(1)}×`,
        goal: '≤ 25 ms',
        command: `npm run bench -- publish-lateness --posts=${String(POSTS)} --window-ms=${String(WINDOW_MS)}`,
      });
    }
  } finally {
    await redis.config('SET', 'hz', hz);
    redis.disconnect();
  }
  return rows;
}
