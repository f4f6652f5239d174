// How we talk to Redis: one place that builds connection options the way BullMQ's production guide asks.
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';

export interface RedisTarget {
  /** redis://host:port/db, or undefined when `path` names a Unix socket. */
  url?: string | undefined;
  path?: string | undefined;
}

function baseOptions(target: RedisTarget): RedisOptions {
  if (target.path) return { path: target.path };
  const u = new URL(target.url ?? 'redis://127.0.0.1:6379');
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** For workers: commands wait for Redis to come back instead of failing. */
export function workerConnection(target: RedisTarget): RedisOptions {
  return { ...baseOptions(target), maxRetriesPerRequest: null, enableReadyCheck: true };
}

/** For producers inside HTTP requests: fail fast so a request never hangs on a missing Redis. */
export function producerConnection(target: RedisTarget): RedisOptions {
  return { ...baseOptions(target), maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
}

/** One round trip, for /readyz and start-up checks. */
export async function pingRedis(target: RedisTarget, timeoutMs = 1500): Promise<void> {
  const base = baseOptions(target);
  const client = new Redis({
    ...(target.path ? { path: target.path } : { host: base.host, port: base.port, username: base.username, password: base.password, db: base.db, tls: base.tls as object | undefined }),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } finally {
    client.disconnect();
  }
}
