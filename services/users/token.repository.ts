// API tokens: shown once, stored only as a SHA-256 hash (they carry 256 random bits, so no slow hash is needed).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CompiledQuery, type Kysely } from 'kysely';
import type { Actor } from '../../shared/post';
import { REQUEST_BATCHES, batchedLookup, oncePer } from '../storage/batched';
import type { DB } from '../storage/schema';

const PREFIX = 'siaran_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createToken(
  db: Kysely<DB>,
  userId: string,
  opts: { label: string; days: number; now?: Date },
): Promise<{ token: string; expiresAt: Date }> {
  const token = PREFIX + randomBytes(32).toString('base64url');
  const now = opts.now ?? new Date();
  const expiresAt = new Date(now.getTime() + opts.days * 86_400_000);
  await db
    .insertInto('api_tokens')
    .values({ id: randomUUID(), user_id: userId, token_hash: hashToken(token), label: opts.label, expires_at: expiresAt })
    .execute();
  return { token, expiresAt };
}

export type TokenCheck =
  | { ok: true; actor: Actor & { email: string; name: string } }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'disabled' };

// Asked on every API request: sent already compiled, as building it cost more than the database took to answer.
// Requests arriving while the last lookup runs are looked up together (services/storage/batched.ts); each is still
// answered from the database as it stands after the request arrived, so a revoked token stops at once.
const TOKENS_BY_HASH = `select t.token_hash, t.id as token_id, t.expires_at, t.revoked_at, t.last_used_at, u.id, u.role, u.unit_id, u.email, u.name, u.disabled
                          from api_tokens t join users u on u.id = t.user_id where t.token_hash = any($1)`;

/** Lookups of requests arriving while the last lookup runs go together, mapped back by hash. */
const tokenReader = oncePer((db: Kysely<DB>) =>
  batchedLookup(async (hashes: string[]) => {
    const r = await db.executeQuery<TokenRow & { token_hash: string }>(CompiledQuery.raw(TOKENS_BY_HASH, [[...new Set(hashes)]]));
    const byHash = new Map(r.rows.map((row) => [row.token_hash, row]));
    return hashes.map((h) => byHash.get(h));
  }, REQUEST_BATCHES),
);

interface TokenRow {
  token_id: string;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  id: string;
  role: Actor['role'];
  unit_id: string;
  email: string;
  name: string;
  disabled: boolean;
}

export async function checkToken(db: Kysely<DB>, token: string, now = new Date()): Promise<TokenCheck> {
  if (!token.startsWith(PREFIX) || token.length > 200) return { ok: false, reason: 'unknown' };
  const row = db.isTransaction ? (await db.executeQuery<TokenRow>(CompiledQuery.raw(TOKENS_BY_HASH, [[hashToken(token)]]))).rows[0] : await tokenReader(db)(hashToken(token));
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.revoked_at) return { ok: false, reason: 'revoked' };
  if (row.expires_at.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  if (row.disabled) return { ok: false, reason: 'disabled' };
  // Recording use at most once a minute keeps a busy token from writing on every request.
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.token_id).execute();
  }
  return { ok: true, actor: { id: row.id, role: row.role, unitId: row.unit_id, email: row.email, name: row.name } };
}

export async function revokeTokens(db: Kysely<DB>, userId: string, now = new Date()): Promise<number> {
  const res = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** A token as its holder and admins see it: never the secret, which is not kept. */
export interface TokenView {
  id: string;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date;
}

/** The user's tokens that still work (neither revoked nor expired), newest first. */
export async function listTokens(db: Kysely<DB>, userId: string, now = new Date()): Promise<TokenView[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(['id', 'label', 'created_at', 'last_used_at', 'expires_at'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, label: r.label, createdAt: r.created_at, lastUsedAt: r.last_used_at, expiresAt: r.expires_at }));
}

/** Revokes one token of the user; 0 when it is not theirs or already revoked (the same answer, so ids are not probed). */
export async function revokeToken(db: Kysely<DB>, userId: string, tokenId: string, now = new Date()): Promise<number> {
  const res = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
