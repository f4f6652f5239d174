// Web passwords: the one hasher (services/users/passwords.ts) and how a new one is stored.
import type { Kysely } from 'kysely';
import type { DB } from '../storage/schema';
import { checkPassword, hashPassword } from '../users/passwords';

export { checkPassword, hashPassword };

export const PASSWORD_MIN = 10;

export async function setPassword(db: Kysely<DB>, userId: string, password: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: await hashPassword(password) }).where('id', '=', userId).execute();
}
