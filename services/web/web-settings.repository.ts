// Switches an admin flips at run time, shared by every process through the database.
import type { Kysely } from 'kysely';
import type { Role } from '../../shared/post';
import type { DB } from '../storage/schema';

const REQUIRE_TOTP = 'require_totp_for_privileged';

export async function requiresTotp(db: Kysely<DB>, role: Role): Promise<boolean> {
  if (role === 'operator') return false;
  const row = await db.selectFrom('web_settings').select('value').where('key', '=', REQUIRE_TOTP).executeTakeFirst();
  return row?.value === 'true';
}

export async function totpRequiredForPrivileged(db: Kysely<DB>): Promise<boolean> {
  return requiresTotp(db, 'supervisor');
}

export async function setTotpRequiredForPrivileged(db: Kysely<DB>, on: boolean, now: Date): Promise<void> {
  await db
    .insertInto('web_settings')
    .values({ key: REQUIRE_TOTP, value: String(on), updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(on), updated_at: now }))
    .execute();
}
