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

export async function recordFailure(db: Kysely<DB>, keys: readonly string[], rule: ThrottleRule, now: Date): Promise<void> {
  const since = new Date(now.getTime() - rule.windowSeconds * 1000);
  for (const key of keys) {
    // One statement per key: concurrent failures on several processes add up instead of overwriting.
    await db
      .insertInto('login_throttle')
      .values({ key, failures: 1, window_start: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql<number>`case when login_throttle.window_start <= ${since} then 1 else login_throttle.failures + 1 end`,
          window_start: sql<Date>`case when login_throttle.window_start <= ${since} then ${now} else login_throttle.window_start end`,
        }),
      )
      .execute();
  }
}

export async function clearFailures(db: Kysely<DB>, keys: readonly string[]): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', 'in', [...keys]).execute();
}
