// How we talk to Redis: one place that builds connection options the way BullMQ's production guide asks.
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';

export interface RedisTarget {
  /** redis://host:port/db, or undefined when `path` names a Unix socket. */
  url?: string | undefined;
  path?: string | undefined;
  /** Sentinels to ask for the current primary; `url` then gives only the password, database and TLS. */
  sentinel?: { nodes: Array<{ host: string; port: number }>; name: string; password?: string | undefined } | undefined;
}

/** REDIS_SENTINELS as written in the settings: `host:port,host:port` (IPv6 hosts in brackets). */
export function parseSentinels(list: string): Array<{ host: string; port: number }> {
  return list.split(',').map((node) => {
    const at = node.lastIndexOf(':');
    return { host: node.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(node.slice(at + 1)) };
  });
}

function baseOptions(target: RedisTarget): RedisOptions {
  if (target.path) return { path: target.path };
  const u = new URL(target.url ?? 'redis://127.0.0.1:6379');
  const auth = {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  if (target.sentinel) {
    // ioredis asks the sentinels for the primary and follows a failover by itself. With rediss:// the
    // primary is reached over TLS, which ioredis only does in sentinel mode when told so.
    return {
      sentinels: target.sentinel.nodes,
      name: target.sentinel.name,
      ...(target.sentinel.password ? { sentinelPassword: target.sentinel.password } : {}),
      ...auth,
      ...(u.protocol === 'rediss:' ? { enableTLSForSentinelMode: true } : {}),
    };
  }
  return { host: u.hostname, port: Number(u.port || 6379), ...auth };
}

/** A plain ioredis client for our own keys (heartbeats, the queue page), failing fast like a producer. */
export function redisClient(target: RedisTarget): Redis {
  const client = new Redis({ ...baseOptions(target), maxRetriesPerRequest: 1, connectTimeout: 2000 });
  client.on('error', () => undefined);
  return client;
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
  const client = new Redis({
    ...baseOptions(target),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    // Asking sentinels has its own retry loop, which would otherwise never give up.
    sentinelRetryStrategy: () => null,
  });
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        await client.connect();
        await client.ping();
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer within ${String(timeoutMs)} ms`)), timeoutMs + 500);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
