// Web passwords are argon2id; scrypt hashes made by the CLI still verify and are upgraded on the next sign-in.
import argon2 from 'argon2';
import type { Kysely } from 'kysely';
import type { DB } from '../storage/schema';
import { verifyPassword as verifyScrypt } from '../users/passwords';

export const PASSWORD_MIN = 10;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function checkPassword(password: string, stored: string | null): Promise<{ ok: boolean; upgrade: boolean }> {
  if (!stored) {
    // Same cost as a real check, so an unknown e-mail does not answer faster than a wrong password.
    await argon2.verify(DUMMY_HASH, password).catch(() => false);
    return { ok: false, upgrade: false };
  }
  if (stored.startsWith('$argon2')) {
    return { ok: await argon2.verify(stored, password).catch(() => false), upgrade: false };
  }
  const ok = await verifyScrypt(password, stored).catch(() => false);
  return { ok, upgrade: ok };
}

export async function setPassword(db: Kysely<DB>, userId: string, password: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: await hashPassword(password) }).where('id', '=', userId).execute();
}

const DUMMY_HASH = '$argon2id$v=19$m=65536,p=4,t=3$HPLiX9Y4Kwgv4Sj5p0i5Zw$vTEtVYPUsrjU0d7PQp6roZvFHhTEPaPDs3874E1IzIU';
