import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { Role } from '../../shared/post';
import type { DB, UserRow } from '../storage/schema';
import { findUnitBySlug, unitNotFound } from '../units/unit.repository';
import { hashPassword } from './passwords';

export type User = UserRow;

const NewUser = z.object({
  email: z.email().transform((e) => e.toLowerCase()),
  name: z.string().min(1).max(200),
  unitSlug: z.string().min(1),
  role: Role,
  password: z.string().min(10, 'at least 10 characters').max(200).optional(),
});

/** The checks a new account's data passes, throwing as addUser does. */
export function checkNewUser(raw: z.input<typeof NewUser>): z.output<typeof NewUser> {
  const parsed = NewUser.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('validation', 'user.invalid', { id: 'Data pengguna tidak valid.', en: 'Invalid user data.' }, parsed.error.issues);
  }
  return parsed.data;
}

export async function addUser(db: Kysely<DB>, raw: z.input<typeof NewUser>): Promise<User> {
  const input = checkNewUser(raw);
  const unit = await findUnitBySlug(db, input.unitSlug);
  if (!unit) throw unitNotFound(input.unitSlug);
  const existing = await findUserByEmail(db, input.email);
  if (existing) {
    throw new AppError('conflict', 'user.email_taken', {
      id: `E-mail ${input.email} sudah terdaftar.`,
      en: `E-mail ${input.email} is already registered.`,
    });
  }
  return db
    .insertInto('users')
    .values({
      id: randomUUID(),
      email: input.email,
      name: input.name,
      unit_id: unit.id,
      role: input.role,
      password_hash: input.password ? await hashPassword(input.password) : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findUserByEmail(db: Kysely<DB>, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}
