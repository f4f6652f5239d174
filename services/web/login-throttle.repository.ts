// Failed sign-ins counted in the database, so the limit holds across every API process.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../storage/schema';

export interface ThrottleRule {
  attempts: number;
  windowSeconds: number;
}

/** True when any of the keys has used up its failures in the current window. */
export async function isThrottled(db: Kysely<DB>, keys: readonly string[], rule: ThrottleRule, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - rule.windowSeconds * 1000);
  const row = await db
    .selectFrom('login_throttle')
    .select('key')
    .where('key', 'in', [...keys])
    .where('window_start', '>', since)
    .where('failures', '>=', rule.attempts)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Counts an attempt against every key BEFORE the password or code is checked, so that guesses sent in
 * parallel cannot all pass a check made before any of them failed. When a key is over its limit: the instant
 * its window ends, from which the client may try again (an attempt made while waiting does not move it).
 */
export async function reserveAttempt(db: Kysely<DB>, keys: readonly string[], rule: ThrottleRule, now: Date): Promise<Date | undefined> {
  return reserveLimited(db, keys.map((key) => ({ key, attempts: rule.attempts })), rule.windowSeconds, now);
}

/** As reserveAttempt, each key with its own number of attempts in the same window. */
export async function reserveLimited(db: Kysely<DB>, limits: ReadonlyArray<{ key: string; attempts: number }>, windowSeconds: number, now: Date): Promise<Date | undefined> {
  const counts = await countAttempt(db, limits.map((l) => l.key), { attempts: 0, windowSeconds }, now);
  const ends = counts.filter((c, i) => c.failures > limits[i]!.attempts).map((c) => c.windowStart.getTime() + windowSeconds * 1000);
  return ends.length === 0 ? undefined : new Date(Math.max(...ends));
}

/** A successful attempt does not count against a shared key (many colleagues behind one office address). */
export async function releaseAttempt(db: Kysely<DB>, keys: readonly string[]): Promise<void> {
  await db
    .updateTable('login_throttle')
    .set({ failures: sql<number>`greatest(failures - 1, 0)` })
    .where('key', 'in', [...keys])
    .execute();
}

async function countAttempt(db: Kysely<DB>, keys: readonly string[], rule: ThrottleRule, now: Date): Promise<Array<{ failures: number; windowStart: Date }>> {
  const since = new Date(now.getTime() - rule.windowSeconds * 1000);
  const counts: Array<{ failures: number; windowStart: Date }> = [];
  for (const key of keys) {
    // One statement per key: concurrent attempts on several processes add up instead of overwriting.
    const row = await db
      .insertInto('login_throttle')
      .values({ key, failures: 1, window_start: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql<number>`case when login_throttle.window_start <= ${since} then 1 else login_throttle.failures + 1 end`,
          window_start: sql<Date>`case when login_throttle.window_start <= ${since} then ${now} else login_throttle.window_start end`,
        }),
      )
      .returning(['failures', 'window_start'])
      .executeTakeFirstOrThrow();
    counts.push({ failures: row.failures, windowStart: new Date(row.window_start) });
  }
  return counts;
}

export async function clearFailures(db: Kysely<DB>, keys: readonly string[]): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', 'in', [...keys]).execute();
}
