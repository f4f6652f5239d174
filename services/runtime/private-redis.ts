// On a fresh machine with redis-server installed but none running, the one-process mode starts its own,
// persistent under DATA_DIR, so a newcomer's first `npm start` just works.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { type RedisTarget, pingRedis } from '../../workers/queue/redis';

export interface ResolvedRedis {
  target: RedisTarget;
  stop(): Promise<void>;
}

export async function resolveRedis(
  url: string,
  opts: { autostart: boolean; dataDir: string; log: Logger; sentinel?: RedisTarget['sentinel'] },
): Promise<ResolvedRedis> {
  const target: RedisTarget = { url, sentinel: opts.sentinel };
  try {
    await pingRedis(target);
    return { target, stop: () => Promise.resolve() };
  } catch (err) {
    const host = new URL(url).hostname;
    const local = host === '127.0.0.1' || host === 'localhost' || host === '::1';
    if (opts.sentinel) {
      const nodes = opts.sentinel.nodes.map((n) => `${n.host}:${String(n.port)}`).join(', ');
      throw new Error(`Redis is not reachable through the sentinels ${nodes} for "${opts.sentinel.name}" (${err instanceof Error ? err.message : String(err)}).`);
    }
    if (!opts.autostart || !local || !hasRedisServer()) {
      throw new Error(
        `Redis is not reachable at ${url} (${err instanceof Error ? err.message : String(err)}). ` +
          'Start Redis (e.g. `apt-get install redis-server` or `docker compose up redis`) or set REDIS_URL.',
      );
    }
  }
  const dir = path.resolve(opts.dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const socket = path.join(dir, 'redis.sock');
  const own: RedisTarget = { path: socket };
  try {
    // A private server left by an earlier run is still good.
    await pingRedis(own);
    opts.log.info({ socket }, 'using the private redis-server under DATA_DIR');
    return { target: own, stop: () => Promise.resolve() };
  } catch {
    // Not running: start it below.
  }
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--dir', dir, '--appendonly', 'yes', '--maxmemory-policy', 'noeviction', '--hz', '100', '--save', ''],
    // Its own process group: Ctrl-C in the terminal reaches Siaran, which drains its work into Redis and only
    // then stops this server. A server left behind by a killed Siaran is found and used by the next start.
    { stdio: 'ignore', detached: true },
  );
  // A start that fails, or a process that exits at once (a second Ctrl-C), stops the server it started; only a
  // process killed outright leaves it, for the next start to use.
  const stopOnExit = () => child.kill('SIGTERM');
  process.once('exit', stopOnExit);
  child.once('exit', () => process.off('exit', stopOnExit));
  for (let i = 0; i < 100; i++) {
    try {
      await pingRedis(own, 500);
      opts.log.warn({ socket }, 'no Redis at REDIS_URL; started a private redis-server under DATA_DIR');
      return {
        target: own,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error('started redis-server but it did not answer within 10 s');
}

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}
