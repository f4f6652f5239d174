// The API's create-post under 50 connections (autocannon), on PostgreSQL and on the embedded database, beside
// Express 5 parsing the same JSON and adding a BullMQ job with no database; each server its own process, rounds
// alternated. Meanwhile /healthz is asked every 50 ms: on the embedded database every query runs in the server's
// one process, and no request may wait behind another's query for long.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import autocannon from 'autocannon';
import { BENCH_PG_URL, type Row, benchInstallation, fmt, median, opt, optText, quantile, startProcess, stopProcess, until } from './support';
import { loadEnv } from '../config/env';
import { channelsOfUnit } from '../services/channels/channel.repository';
import { migrateToLatest, openDatabase } from '../services/storage/database';
import { addUnit } from '../services/units/unit.repository';
import { createToken } from '../services/users/token.repository';
import { addUser } from '../services/users/user.repository';

const CONNECTIONS = opt('connections', 50);
const SECONDS = opt('seconds', 10);
const ROUNDS = opt('rounds', 2);

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Target {
  name: string;
  start(): Promise<{ url: string; stop(): Promise<void> }>;
  token: string;
  channelId: string;
}

/** A unit with an operator and their API token, written before the server starts (the embedded database is one process's). */
async function siaranTarget(name: string, databaseUrl: string | undefined): Promise<Target & { cleanup(): Promise<void> }> {
  const installation = benchInstallation('apibench', databaseUrl, { HOST: '127.0.0.1' });
  const env = installation.env;
  const parsed = loadEnv(env);
  const database = await openDatabase({ databaseUrl: parsed.DATABASE_URL, schema: parsed.DATABASE_SCHEMA, dataDir: parsed.DATA_DIR });
  await migrateToLatest(database, parsed.DATABASE_SCHEMA);
  const db = database.db;
  const unit = await addUnit(db, { slug: 'polres-bench', name: 'Polres Bench', timeZone: 'Asia/Jakarta' });
  const op = await addUser(db, { email: 'op@bench.siaran', name: 'Operator Bench', unitSlug: unit.slug, role: 'operator' });
  const { token } = await createToken(db, op.id, { label: 'bench', days: 1 });
  const channelId = (await channelsOfUnit(db, unit.id))[0]!.id;
  await database.close();
  return {
    name,
    token,
    channelId,
    async start() {
      const port = await freePort();
      // PostgreSQL: the API role alone; the embedded database: the whole product in one process, as `npm start`.
      const child = startProcess('services/main.js', databaseUrl ? ['--api'] : [], { ...env, PORT: String(port) });
      const url = `http://127.0.0.1:${String(port)}`;
      await until(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true, 60_000, `${name} to start`);
      return { url, stop: () => stopProcess(child) };
    },
    cleanup: () => installation.cleanup(),
  };
}

function bareTarget(redisUrl: string): Target {
  return {
    name: 'bare Express 5 + BullMQ',
    token: 'none',
    channelId: 'none',
    async start() {
      const port = await freePort();
      const child = startProcess('bench/bare-api.js', [], { PORT: String(port), BARE_REDIS_URL: redisUrl, BARE_PREFIX: `bench-bare-${randomBytes(3).toString('hex')}` });
      const url = `http://127.0.0.1:${String(port)}`;
      await until(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true, 30_000, 'the bare API to start');
      return { url, stop: () => stopProcess(child) };
    },
  };
}

interface Result {
  perSecond: number;
  p99: number;
  non2xx: number;
  errors: number;
  healthMax: number;
  healthP99: number;
}

async function load(t: Target): Promise<Result> {
  const server = await t.start();
  try {
    const body = JSON.stringify({
      title: 'Polres Bench amankan kegiatan warga',
      body: 'Personel Polres Bench melaksanakan pengamanan kegiatan warga di alun-alun kota. Kegiatan berjalan aman dan lancar.',
      channelIds: [t.channelId],
      scheduledAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const opts = {
      url: `${server.url}/api/v1/posts`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` },
      body,
      connections: CONNECTIONS,
    };
    // A short warm-up, then the measured run.
    await autocannon({ ...opts, duration: 2 });
    const health: number[] = [];
    const probing = { on: true };
    const probe = (async () => {
      while (probing.on) {
        const t0 = performance.now();
        await fetch(`${server.url}/healthz`).then((r) => r.arrayBuffer());
        health.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const r = await autocannon({ ...opts, duration: SECONDS });
    probing.on = false;
    await probe;
    return { perSecond: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, healthMax: Math.max(...health), healthP99: quantile(health, 0.99) };
  } finally {
    await server.stop();
  }
}

export async function run(): Promise<Row[]> {
  const redisUrl = loadEnv({}).REDIS_URL;
  console.log(`create-post, ${String(CONNECTIONS)} connections, ${String(SECONDS)} s per run, ${String(ROUNDS)} rounds alternated, medians; /healthz every 50 ms meanwhile`);
  const pg = await siaranTarget('Siaran, PostgreSQL', BENCH_PG_URL);
  const embedded = await siaranTarget('Siaran, embedded database', undefined);
  const targets = [bareTarget(redisUrl), pg, embedded];
  const results = new Map<string, Result[]>();
  // --only=text: just the targets whose name holds it (to look at one closely); the table then shows no rows.
  const only = optText('only');
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        if (only !== undefined && !t.name.includes(only)) continue;
        const r = await load(t);
        results.set(t.name, [...(results.get(t.name) ?? []), r]);
        console.log(
          `  round ${String(round + 1)}: ${t.name.padEnd(28)} ${fmt(r.perSecond).padStart(6)} req/s   p99 ${fmt(r.p99).padStart(5)} ms   non-2xx ${String(r.non2xx)}   errors ${String(r.errors)}   /healthz p99 ${fmt(r.healthP99)} ms, max ${fmt(r.healthMax)} ms`,
        );
      }
    }
  } finally {
    await pg.cleanup();
    await embedded.cleanup();
  }
  if (only !== undefined) return [];
  const m = (name: string, f: (r: Result) => number) => median(results.get(name)!.map(f));
  const base = targets[0]!.name;
  const command = `npm run bench -- api --connections=${String(CONNECTIONS)} --seconds=${String(SECONDS)} --rounds=${String(ROUNDS)}`;
  const row = (figure: string, name: string): Row => ({
    figure,
    baseline: `${fmt(m(base, (r) => r.perSecond))} req/s, p99 ${fmt(m(base, (r) => r.p99))} ms`,
    siaran: `${fmt(m(name, (r) => r.perSecond))} req/s, p99 ${fmt(m(name, (r) => r.p99))} ms`,
    ratio: `${(m(name, (r) => r.perSecond) / m(base, (r) => r.perSecond)).toFixed(2)}×`,
    goal: '≥ 0.5×, p99 ≤ 50 ms',
    command,
  });
  return [
    row(`API create-post, ${String(CONNECTIONS)} connections, PostgreSQL`, pg.name),
    row('same, embedded database', embedded.name),
    {
      figure: '/healthz every 50 ms during that load, embedded database (worst wait)',
      baseline: `max ${fmt(m(base, (r) => r.healthMax))} ms`,
      siaran: `max ${fmt(m(embedded.name, (r) => r.healthMax))} ms, p99 ${fmt(m(embedded.name, (r) => r.healthP99))} ms`,
      ratio: `${(m(embedded.name, (r) => r.healthMax) / m(base, (r) => r.healthMax)).toFixed(1)}×`,
      goal: '≤ 100 ms',
      command,
    },
  ];
}
