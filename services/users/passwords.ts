// The one password hasher: argon2id, for the web, the CLI and the demo alike. scrypt hashes made by earlier
// CLI versions still verify and are replaced on their holder's next sign-in.
//
// A sign-in does the same hash work whether the e-mail is unknown, the account has no password or it has
// one: otherwise the time of the answer would tell which addresses have accounts. So the dummy hash checked
// for an unknown e-mail is made with the cost every new hash is made with.
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import argon2 from 'argon2';

/** The cost of one argon2id hash; set once at start from PASSWORD_HASH_* (config/env.ts). */
export interface PasswordCost {
  memoryKib: number;
  passes: number;
  lanes: number;
}

/** The defaults of PASSWORD_HASH_*: 64 MiB, 3 passes, 4 lanes. */
export const STANDARD_COST: PasswordCost = { memoryKib: 65_536, passes: 3, lanes: 4 };

let cost: PasswordCost = STANDARD_COST;
// Verified against when there is no stored hash: made with the current cost, so an unknown e-mail costs what a real account costs.
let dummyHash: Promise<string> | undefined;

const argon2Options = (c: PasswordCost) => ({ type: argon2.argon2id, memoryCost: c.memoryKib, timeCost: c.passes, parallelism: c.lanes }) as const;

/**
 * Called once at start, before any password is hashed or checked. Hashes stored at another cost still verify, and
 * are replaced at their holder's next sign-in; until then, checking one takes the old cost's time, which differs
 * from an unknown e-mail's (see PASSWORD_HASH_MEMORY_KIB).
 */
export function configurePasswordCost(next: PasswordCost): void {
  if (next.memoryKib === cost.memoryKib && next.passes === cost.passes && next.lanes === cost.lanes) return;
  cost = next;
  dummyHash = undefined;
}

/** The cost as the settings give it (PASSWORD_HASH_*), for every process that hashes passwords. */
export function configurePasswordCostFrom(env: { PASSWORD_HASH_MEMORY_KIB: number; PASSWORD_HASH_PASSES: number; PASSWORD_HASH_LANES: number }): void {
  configurePasswordCost({ memoryKib: env.PASSWORD_HASH_MEMORY_KIB, passes: env.PASSWORD_HASH_PASSES, lanes: env.PASSWORD_HASH_LANES });
}

/** Makes the dummy hash now, so the first unknown e-mail does not pay for it (and answer later than a real account would). */
export async function preparePasswordChecks(): Promise<void> {
  await dummy();
}

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/**
 * A seam for tests: told the scheme and cost of every verification (the hash without its salt and digest),
 * so a test can check that an unknown e-mail costs the same work as a real account, without timing anything.
 */
export const hashWork: { observe: ((work: string) => void) | undefined } = { observe: undefined };

const workOf = (hash: string): string => hash.split('$').slice(0, 4).join('$');

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, argon2Options(cost));
}

function dummy(): Promise<string> {
  // A failure (memory refused, say) is not kept: the next unknown e-mail tries again rather than failing forever.
  dummyHash ??= argon2.hash(randomBytes(24).toString('base64'), argon2Options(cost)).catch((e: unknown) => {
    dummyHash = undefined;
    throw e;
  });
  return dummyHash;
}

/** `upgrade`: the password was right but its hash is of an older kind or cost; store a new one. */
export async function checkPassword(password: string, stored: string | null): Promise<{ ok: boolean; upgrade: boolean }> {
  if (!stored || !stored.startsWith('$argon2')) {
    if (!stored?.startsWith('scrypt$')) {
      const hash = await dummy();
      hashWork.observe?.(workOf(hash));
      await argon2.verify(hash, password).catch(() => false);
      return { ok: false, upgrade: false };
    }
    hashWork.observe?.(workOf(stored));
    const ok = await verifyScrypt(password, stored).catch(() => false);
    return { ok, upgrade: ok };
  }
  hashWork.observe?.(workOf(stored));
  const ok = await argon2.verify(stored, password).catch(() => false);
  return { ok, upgrade: ok && argon2.needsRehash(stored, argon2Options(cost)) };
}

/** An scrypt hash of an earlier CLI version; made here only for the tests of its upgrade. */
export async function legacyScryptHash(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

async function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return timingSafeEqual(actual, expected);
}
