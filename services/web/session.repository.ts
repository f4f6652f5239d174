// Sessions live in the database: they survive a restart and every API process sees the same ones.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Actor } from '../../shared/post';
import type { DB, WebSessionRow } from '../storage/schema';

export type SessionStage = WebSessionRow['stage'];

export interface SessionUser extends Actor {
  email: string;
  name: string;
  hasTotp: boolean;
}

export interface Session {
  idHash: string;
  csrfToken: string;
  stage: SessionStage;
  expiresAt: Date;
  user: SessionUser;
}

export const hashSessionId = (id: string): string => createHash('sha256').update(id).digest('hex');

/** Makes a fresh session and returns the cookie value, which is stored only as its hash. */
export async function createSession(
  db: Kysely<DB>,
  input: { userId: string; stage: SessionStage; now: Date; ttlHours: number },
): Promise<{ cookieValue: string; csrfToken: string }> {
  const cookieValue = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  await db
    .insertInto('web_sessions')
    .values({
      id_hash: hashSessionId(cookieValue),
      user_id: input.userId,
      csrf_token: csrfToken,
      stage: input.stage,
      created_at: input.now,
      expires_at: new Date(input.now.getTime() + input.ttlHours * 3_600_000),
    })
    .execute();
  return { cookieValue, csrfToken };
}

export async function findSession(db: Kysely<DB>, cookieValue: string, now: Date): Promise<Session | undefined> {
  const row = await db
    .selectFrom('web_sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id_hash', 's.csrf_token', 's.stage', 's.expires_at', 'u.id', 'u.role', 'u.unit_id', 'u.email', 'u.name', 'u.disabled', 'u.totp_secret'])
    .where('s.id_hash', '=', hashSessionId(cookieValue))
    .executeTakeFirst();
  if (!row || row.disabled || row.expires_at.getTime() <= now.getTime()) return undefined;
  return {
    idHash: row.id_hash,
    csrfToken: row.csrf_token,
    stage: row.stage,
    expiresAt: row.expires_at,
    user: { id: row.id, role: row.role, unitId: row.unit_id, email: row.email, name: row.name, hasTotp: row.totp_secret !== null },
  };
}

export async function deleteSession(db: Kysely<DB>, cookieValue: string): Promise<void> {
  await db.deleteFrom('web_sessions').where('id_hash', '=', hashSessionId(cookieValue)).execute();
}

/** Signs the user out everywhere: after a password reset or when the account is disabled. */
export async function deleteUserSessions(db: Kysely<DB>, userId: string): Promise<void> {
  await db.deleteFrom('web_sessions').where('user_id', '=', userId).execute();
}

export async function purgeExpiredSessions(db: Kysely<DB>, now: Date): Promise<void> {
  await db.deleteFrom('web_sessions').where('expires_at', '<=', now).execute();
}
