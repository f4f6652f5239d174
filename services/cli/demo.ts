// A small hierarchy from the units named in the team's notes, with one user of each role and their tokens.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Env } from '../../config/env';
import type { Role } from '../../shared/post';
import type { TimeZone } from '../../shared/time';
import type { DB } from '../storage/schema';
import { addUnit, findUnitBySlug } from '../units/unit.repository';
import { createToken } from '../users/token.repository';
import { hashPassword } from '../users/passwords';
import { addUser, findUserByEmail } from '../users/user.repository';

const UNITS: Array<{ slug: string; name: string; parent?: string; tz: TimeZone }> = [
  { slug: 'mabes', name: 'Mabes Polri', tz: 'Asia/Jakarta' },
  { slug: 'polda-lampung', name: 'Polda Lampung', parent: 'mabes', tz: 'Asia/Jakarta' },
  { slug: 'polres-tulangbawang-barat', name: 'Polres Tulangbawang Barat', parent: 'polda-lampung', tz: 'Asia/Jakarta' },
  { slug: 'polda-banten', name: 'Polda Banten', parent: 'mabes', tz: 'Asia/Jakarta' },
  { slug: 'polres-serang', name: 'Polres Serang', parent: 'polda-banten', tz: 'Asia/Jakarta' },
  { slug: 'polda-kalbar', name: 'Polda Kalimantan Barat', parent: 'mabes', tz: 'Asia/Jakarta' },
  { slug: 'polres-sanggau', name: 'Polres Sanggau', parent: 'polda-kalbar', tz: 'Asia/Jakarta' },
  { slug: 'polda-malut', name: 'Polda Maluku Utara', parent: 'mabes', tz: 'Asia/Jayapura' },
  { slug: 'polres-halmahera-utara', name: 'Polres Halmahera Utara', parent: 'polda-malut', tz: 'Asia/Jayapura' },
];

const USERS: Array<{ email: string; name: string; unit: string; role: Role }> = [
  { email: 'operator.tubaba@demo.siaran', name: 'Bripka Operator Tubaba', unit: 'polres-tulangbawang-barat', role: 'operator' },
  { email: 'kasihumas.tubaba@demo.siaran', name: 'Kasi Humas Polres Tubaba', unit: 'polres-tulangbawang-barat', role: 'supervisor' },
  { email: 'kabidhumas.lampung@demo.siaran', name: 'Kabid Humas Polda Lampung', unit: 'polda-lampung', role: 'supervisor' },
  { email: 'operator.halut@demo.siaran', name: 'Brigpol Operator Halut', unit: 'polres-halmahera-utara', role: 'operator' },
  { email: 'kasihumas.halut@demo.siaran', name: 'Kasi Humas Polres Halut', unit: 'polres-halmahera-utara', role: 'supervisor' },
  { email: 'admin@demo.siaran', name: 'Admin TI Mabes', unit: 'mabes', role: 'admin' },
];

export interface DemoAccounts {
  units: string[];
  users: Array<{ role: Role; email: string; password: string; token: string }>;
}

/**
 * Demo data for a look-around, only where no real account would be mixed with it: undefined (and why, in
 * `refused`) when the database holds accounts other than the demo's.
 */
export async function fillDemo(db: Kysely<DB>, env: Env, refused: (why: string) => void): Promise<DemoAccounts | undefined> {
  const real = await db.selectFrom('users').select('email').where('email', 'not like', '%@demo.siaran').limit(1).executeTakeFirst();
  if (real) {
    refused('this database already has real accounts; demo units and users are only added to a fresh one.');
    return undefined;
  }
  return runDemo(db, env);
}

/** The demo units and users; each run gives every demo user a fresh password and a new token. */
export async function runDemo(db: Kysely<DB>, env: Env): Promise<DemoAccounts> {
  for (const u of UNITS) {
    if (!(await findUnitBySlug(db, u.slug))) await addUnit(db, { slug: u.slug, name: u.name, parentSlug: u.parent, timeZone: u.tz });
  }
  const users: DemoAccounts['users'] = [];
  for (const u of USERS) {
    // A fresh password on every run: demo accounts never share a known one.
    const password = randomBytes(9).toString('base64url');
    const existing = await findUserByEmail(db, u.email);
    const user = existing ?? (await addUser(db, { email: u.email, name: u.name, unitSlug: u.unit, role: u.role, password }));
    if (existing) await db.updateTable('users').set({ password_hash: await hashPassword(password) }).where('id', '=', user.id).execute();
    const { token } = await createToken(db, user.id, { label: 'demo', days: env.TOKEN_DEFAULT_DAYS });
    users.push({ role: u.role, email: u.email, password, token });
  }
  return { units: UNITS.map((u) => u.slug), users };
}
