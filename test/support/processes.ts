// Real processes for tests that kill things: Siaran itself, and a private redis-server to flush or stop.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';

const ROOT = path.resolve(__dirname, '../..');
const LOOPBACK_ONLY = path.join(__dirname, 'loopback-only.js');

export interface SiaranProcess {
  proc: ChildProcess;
  /** Resolves with the base URL once the API listens. */
  url: Promise<string>;
  logs: string[];
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/**
 * The compiled server, as `npm start` runs it (jest's global set-up built it), or the command of another
 * tree (`opts.command`, run in `opts.cwd`: the image's), optionally as another user.
 */
export function spawnSiaran(
  env: Record<string, string>,
  args: string[] = [],
  /** `guard`: the loopback-only set-up file, where the process's user can read it (another user's tree). */
  opts: { cwd?: string; command?: string[]; uid?: number; gid?: number; guard?: string } = {},
): SiaranProcess {
  const [bin, ...rest] = opts.command ?? [process.execPath, path.join(ROOT, 'dist/services/main.js')];
  const proc = spawn(bin!, [...rest, ...args], {
    cwd: opts.cwd ?? ROOT,
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
    // The URL is read from the "listening" log line, so the child logs at least at info.
    // The child refuses outbound connections beyond this machine, as the test process does.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_OPTIONS: `--require ${opts.guard ?? LOOPBACK_ONLY}`, ...env, ...(env.LOG_LEVEL === 'silent' ? { LOG_LEVEL: 'info' } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let resolveUrl!: (u: string) => void;
  let rejectUrl!: (e: Error) => void;
  const url = new Promise<string>((res, rej) => {
    resolveUrl = res;
    rejectUrl = rej;
  });
  url.catch(() => undefined);
  let buffer = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) resolveUrl(`http://127.0.0.1:${entry.port}`);
      } catch {
        // not a log line
      }
    }
  });
  proc.stderr.on('data', (chunk: Buffer) => logs.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((res) => {
    proc.on('exit', (code) => {
      rejectUrl(new Error(`siaran exited (${code}) before listening:\n${logs.join('\n')}`));
      res(code);
    });
  });
  return {
    proc,
    url,
    logs,
    exited,
    kill(signal) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface PrivateRedis {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  command(...args: string[]): Promise<unknown>;
}

/** A redis-server of this test's own on a free port, so FLUSHALL and outages touch nobody else. */
export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const ping = async () => {
    const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.ping();
      return true;
    } catch {
      return false;
    } finally {
      c.disconnect();
    }
  };
  const r: PrivateRedis = {
    url,
    async start() {
      proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
      for (let i = 0; i < 100 && !(await ping()); i++) await new Promise((res) => setTimeout(res, 50));
    },
    async stop() {
      const p = proc;
      if (!p || p.exitCode !== null) return;
      await new Promise<void>((res) => {
        p.once('exit', () => res());
        p.kill('SIGKILL');
      });
    },
    async command(...args) {
      const c = new Redis(url);
      try {
        return await c.call(args[0]!, ...args.slice(1));
      } finally {
        c.disconnect();
      }
    },
  };
  await r.start();
  return r;
}
