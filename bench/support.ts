// What the benchmarks share: options, the summary table, statistics, a local receiver, child processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Kysely } from 'kysely';
import type { DB } from '../services/storage/schema';
import { addUnit } from '../services/units/unit.repository';
import { addUser } from '../services/users/user.repository';

/** `--name=value` on the command line, as a number. */
export function opt(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number, not "${raw}"`);
  return n;
}

/** `--name=value` on the command line, as text. */
export function optText(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** One line of the summary table `npm run bench` prints at the end. */
export interface Row {
  figure: string;
  baseline: string;
  siaran: string;
  /** Siaran ÷ baseline, in the figure's own sense (throughput: higher is better; time: lower is better). */
  ratio: string;
  goal: string;
  /** How to measure this row alone. */
  command: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  if (s.length === 0) return NaN;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Removes a benchmark's own PostgreSQL schema. */
export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await c.end();
  }
}

/**
 * A Siaran installation of a benchmark's own: a fresh data folder, its own schema on PostgreSQL (or the embedded
 * database), its own Redis prefix and key, quiet logs. `cleanup` removes all of it.
 */
export function benchInstallation(
  tag: string,
  databaseUrl: string | undefined,
  settings: Record<string, string> = {},
): { env: Record<string, string>; cleanup(): Promise<void> } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `siaran-${tag}-`));
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  return {
    env: {
      DATA_DIR: dataDir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema } : {}),
      SECRETS_KEY: randomBytes(32).toString('hex'),
      REDIS_PREFIX: `bench-${randomBytes(3).toString('hex')}`,
      REDIS_AUTOSTART: 'false',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'development',
      ...settings,
    },
    async cleanup() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (databaseUrl) await dropSchema(databaseUrl, schema);
    },
  };
}

export const BENCH_PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A webhook receiver on 127.0.0.1 that answers 200 at once and notes when each delivery arrived, by delivery id. */
export interface Receiver {
  url: string;
  arrivals: Map<string, number[]>;
  count: number;
  /** Resolves once `n` deliveries have arrived (repeats included). */
  waitFor(n: number, timeoutMs: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  let waiters: Array<{ n: number; resolve: () => void }> = [];
  const r: Omit<Receiver, 'url'> & { url?: string } = {
    arrivals: new Map(),
    count: 0,
    waitFor(n, timeoutMs) {
      if (r.count >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${String(r.count)} of ${String(n)} deliveries arrived in ${String(timeoutMs / 1000)} s`)), timeoutMs);
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    reset() {
      r.arrivals = new Map();
      r.count = 0;
      waiters = [];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const id = String(req.headers['x-siaran-delivery'] ?? req.headers['x-delivery'] ?? '');
      const list = r.arrivals.get(id) ?? [];
      list.push(at);
      r.arrivals.set(id, list);
      r.count++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      waiters = waiters.filter((w) => (r.count >= w.n ? (w.resolve(), false) : true));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/hook`;
  return r as Receiver;
}

/** Starts a compiled script of this repository (under dist/) as its own process. */
export function startProcess(script: string, args: string[], env: Record<string, string>): ChildProcess {
  // BENCH_CPU_PROF=dir: each process writes a CPU profile there, to see where its time goes.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, path.join(__dirname, '..', script), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A country's worth of units for the big benchmarks: `poldas` Poldas of `polresEach` Polres each, and one author. */
export async function seedPoldas(db: Kysely<DB>, poldas: number, polresEach: number): Promise<{ poldas: string[]; authorId: string }> {
  const ids: string[] = [];
  for (let i = 0; i < poldas; i++) {
    const polda = await addUnit(db, { slug: `polda-${String(i)}`, name: `Polda ${String(i)}`, timeZone: 'Asia/Jakarta' });
    ids.push(polda.id);
    for (let j = 0; j < polresEach; j++) await addUnit(db, { slug: `polres-${String(i)}-${String(j)}`, name: `Polres ${String(i)}.${String(j)}`, parentSlug: polda.slug, timeZone: 'Asia/Jakarta' });
  }
  const author = await addUser(db, { email: 'bench@example.go.id', name: 'Operator', unitSlug: 'polda-0', role: 'operator' });
  return { poldas: ids, authorId: author.id };
}
