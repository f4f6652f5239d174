// Worker processes say they are alive in Redis every few seconds; /readyz and /metrics read it, so an API
// process knows whether anything will publish what it schedules.
import os from 'node:os';
import type { Redis } from 'ioredis';

const KEY = 'siaran:workers';
const BEAT_MS = 5_000;
/** A worker not heard of for this long is counted as gone (three missed beats and some slack). */
export const HEARTBEAT_STALE_MS = 20_000;

const keyOf = (prefix: string) => `${prefix}:${KEY}`;

export interface Heartbeat {
  stop(): Promise<void>;
}

/** Starts beating; resolves once the first beat is in, so readiness holds from the first request. */
export async function startHeartbeat(redis: Redis, prefix: string, now: () => number = Date.now): Promise<Heartbeat> {
  const member = `${os.hostname()}:${process.pid}`;
  const beat = async () => {
    try {
      await redis.zadd(keyOf(prefix), now(), member);
    } catch {
      // Redis is away: the workers wait for it anyway; the missing beat is the signal.
    }
  };
  await beat();
  const timer = setInterval(() => void beat(), BEAT_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await redis.zrem(keyOf(prefix), member).catch(() => undefined);
    },
  };
}

/** Worker processes heard of recently; gone ones are swept as a side effect. */
export async function liveWorkers(redis: Redis, prefix: string, now: number = Date.now()): Promise<number> {
  await redis.zremrangebyscore(keyOf(prefix), '-inf', now - HEARTBEAT_STALE_MS);
  return redis.zcard(keyOf(prefix));
}
