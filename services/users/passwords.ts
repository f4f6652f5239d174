// The one password hasher: argon2id, for the web, the CLI and the demo alike. scrypt hashes made by earlier
// CLI versions still verify and are replaced on their holder's next sign-in.
//
// A sign-in does the same hash work whether the e-mail is unknown, the account has no password or it has
// one: otherwise the time of the answer would tell which addresses have accounts. So every new hash uses
// the same parameters as the dummy one below.
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import argon2 from 'argon2';

const ARGON2 = { type: argon2.argon2id, memoryCost: 65_536, timeCost: 3, parallelism: 4 } as const;
const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** Verified against when there is no stored hash: same algorithm and parameters as every new hash. */
const DUMMY_HASH = '$argon2id$v=19$m=65536,p=4,t=3$HPLiX9Y4Kwgv4Sj5p0i5Zw$vTEtVYPUsrjU0d7PQp6roZvFHhTEPaPDs3874E1IzIU';

/**
 * A seam for tests: told the scheme and cost of every verification (the hash without its salt and digest),
 * so a test can check that an unknown e-mail costs the same work as a real account, without timing anything.
 */
export const hashWork: { observe: ((work: string) => void) | undefined } = { observe: undefined };

const workOf = (hash: string): string => hash.split('$').slice(0, 4).join('$');

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2);
}

/** `upgrade`: the password was right but its hash is of an older kind or cost; store a new one. */
export async function checkPassword(password: string, stored: string | null): Promise<{ ok: boolean; upgrade: boolean }> {
  if (!stored || !stored.startsWith('$argon2')) {
    if (!stored?.startsWith('scrypt$')) {
      hashWork.observe?.(workOf(DUMMY_HASH));
      await argon2.verify(DUMMY_HASH, password).catch(() => false);
      return { ok: false, upgrade: false };
    }
    hashWork.observe?.(workOf(stored));
    const ok = await verifyScrypt(password, stored).catch(() => false);
    return { ok, upgrade: ok };
  }
  hashWork.observe?.(workOf(stored));
  const ok = await argon2.verify(stored, password).catch(() => false);
  return { ok, upgrade: ok && argon2.needsRehash(stored, ARGON2) };
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
