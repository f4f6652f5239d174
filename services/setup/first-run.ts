// The first run: a database without users offers one set-up, reached by a link only the person who
// started the server can see. The link's token is derived from SECRETS_KEY and a nonce kept in the
// database, so every process of the installation prints the same link, and it dies with the set-up.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { TimeZoneSchema } from '../../shared/post';
import type { DB } from '../storage/schema';
import { addUnit, freeSlugFor } from '../units/unit.repository';
import { addUser } from '../users/user.repository';

const NONCE_KEY = 'setup_nonce';

export async function isSetUp(db: Kysely<DB>): Promise<boolean> {
  return (await db.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/** The set-up token of a database without users (made on first call); undefined once set up. */
export async function setupToken(db: Kysely<DB>, key: Buffer, now: Date): Promise<string | undefined> {
  if (await isSetUp(db)) return undefined;
  await db
    .insertInto('web_settings')
    .values({ key: NONCE_KEY, value: randomBytes(16).toString('hex'), updated_at: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('web_settings').select('value').where('key', '=', NONCE_KEY).executeTakeFirstOrThrow();
  return tokenOf(key, row.value);
}

/** The one-time set-up link under `baseUrl`; undefined once set up. */
export async function setupLink(db: Kysely<DB>, key: Buffer, baseUrl: string, now: Date): Promise<string | undefined> {
  const token = await setupToken(db, key, now);
  return token === undefined ? undefined : `${baseUrl}/setup?token=${encodeURIComponent(token)}`;
}

function tokenOf(key: Buffer, nonce: string): string {
  return createHmac('sha256', key).update(`siaran-setup:${nonce}`).digest('base64url');
}

export const SetupInput = z.object({
  unitName: z.string().trim().min(3).max(120),
  timeZone: TimeZoneSchema,
  adminName: z.string().trim().min(1).max(200),
  email: z.email(),
  password: z.string().min(10).max(200),
});
export type SetupInput = z.infer<typeof SetupInput>;

/** What is wrong with one field of the set-up form, in words for the person filling it in. */
export function setupIssueText(issue: z.core.$ZodIssue): { id: string; en: string } {
  // The form's fields can only be too short, too long or not an e-mail address; anything else (a zone
  // not in the list, a missing field from a hand-made request) is simply not valid.
  if (issue.code === 'too_small') {
    return Number(issue.minimum) <= 1
      ? { id: 'wajib diisi', en: 'required' }
      : { id: `paling sedikit ${String(issue.minimum)} karakter`, en: `at least ${String(issue.minimum)} characters` };
  }
  if (issue.code === 'too_big') return { id: `paling banyak ${String(issue.maximum)} karakter`, en: `at most ${String(issue.maximum)} characters` };
  if (issue.code === 'invalid_format') return { id: 'bukan alamat e-mail yang benar', en: 'not a valid e-mail address' };
  return { id: 'tidak sah', en: 'not valid' };
}

export const setupErrors = {
  invalidLink: () =>
    new AppError('forbidden', 'setup.invalid_link', {
      id: 'Tautan penyiapan ini tidak berlaku. Gunakan tautan yang dicetak server saat dijalankan.',
      en: 'This set-up link is not valid. Use the link the server printed when it started.',
    }),
  done: () =>
    new AppError('conflict', 'setup.done', {
      id: 'Siaran sudah disiapkan. Masuk dengan akun yang ada.',
      en: 'Siaran is already set up. Sign in with an existing account.',
    }),
};

export async function checkSetupToken(db: Kysely<DB>, key: Buffer, token: string): Promise<void> {
  const row = await db.selectFrom('web_settings').select('value').where('key', '=', NONCE_KEY).executeTakeFirst();
  if (!row) throw (await isSetUp(db)) ? setupErrors.done() : setupErrors.invalidLink();
  const expected = Buffer.from(tokenOf(key, row.value));
  const given = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw setupErrors.invalidLink();
}


/** Creates the top unit and the first admin, once: the token is checked and spent in the same transaction. */
export async function completeSetup(db: Kysely<DB>, key: Buffer, token: string, input: SetupInput): Promise<{ userId: string; unitSlug: string }> {
  return db.transaction().execute(async (trx) => {
    // Two set-ups at once: the second waits on this row, then finds it gone.
    const row = await trx.selectFrom('web_settings').select('value').where('key', '=', NONCE_KEY).forUpdate().executeTakeFirst();
    if (!row) throw (await isSetUp(trx)) ? setupErrors.done() : setupErrors.invalidLink();
    await checkSetupToken(trx, key, token);
    if (await isSetUp(trx)) throw setupErrors.done();
    // Units made with the CLI before anyone could sign in may hold the name's slug: it takes the next free one.
    const unit = await addUnit(trx, { slug: await freeSlugFor(trx, input.unitName), name: input.unitName, timeZone: input.timeZone });
    const user = await addUser(trx, { email: input.email, name: input.adminName, unitSlug: unit.slug, role: 'admin', password: input.password });
    await trx.deleteFrom('web_settings').where('key', '=', NONCE_KEY).execute();
    return { userId: user.id, unitSlug: unit.slug };
  });
}
