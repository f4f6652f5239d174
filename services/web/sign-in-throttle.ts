// How failed sign-ins are limited, and the "known browser" cookie that keeps an attack off the real user.
//
// The old rule counted failures per e-mail and per address: eleven wrong passwords from anywhere locked the
// account's holder out, and ten mistakes behind one office NAT (a whole Polres shares one address) locked
// every colleague out. The rule now:
//
// - A browser that has signed in to an account before carries a sealed "known browser" entry for that
//   account (KNOWN_DEVICE_COOKIE, one per account, the last few accounts). Its attempts on that account are
//   counted on that browser alone: failures elsewhere never lock it, and it is not counted on its address.
//   Stolen with the browser, it still gives only `attempts` guesses a window; it is no password. An entry
//   holds a mark of the password it was earned with: a new password (the holder's change, an admin's reset)
//   makes every earlier entry worthless, so entries collected by someone who once knew the old password do
//   not outlive it. All of one account's known browsers together allow ACCOUNT_FACTOR × `attempts` failures.
// - Any other client is counted per (account, address): `attempts` failures a window, then it waits.
// - Across all unknown clients an account allows ACCOUNT_FACTOR × `attempts` failures a window, so guessing
//   from many addresses stays slow; when that is used up only unknown clients wait, the holder's own browser
//   still signs in.
// - An address allows ADDRESS_FACTOR × `attempts` failures a window over every account (one address spraying
//   many accounts); successes are taken off it, so a busy office with a few typing mistakes never reaches it.
//
// Every attempt is counted before the password is checked (parallel guesses cannot slip past) and a success
// takes its count back where the key is shared.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SecretBox } from '../channels/secret-box';
import type { DB } from '../storage/schema';
import { type ThrottleRule, clearFailures, releaseAttempt, reserveLimited } from './login-throttle.repository';

export const KNOWN_DEVICE_COOKIE = 'siaran_known';
/** Failures of one account over all unknown clients, as a multiple of LOGIN_RATE_LIMIT_ATTEMPTS. */
export const ACCOUNT_FACTOR = 5;
/** Failures from one address over all accounts, as a multiple of LOGIN_RATE_LIMIT_ATTEMPTS. */
export const ADDRESS_FACTOR = 10;
/** How long a browser stays known without signing in again. */
export const KNOWN_DEVICE_DAYS = 180;
const MAX_ACCOUNTS = 5;

interface KnownEntry {
  /** user id */
  u: string;
  /** this browser's id for that account */
  d: string;
  /** issued, ms since epoch */
  t: number;
  /** the mark of the password hash it was earned with (credentialMark) */
  k: string;
}

/** A short mark of the account's current password hash: it changes whenever the password does. */
export function credentialMark(passwordHash: string | null): string {
  return createHash('sha256').update(`known-device\n${passwordHash ?? ''}`).digest('base64url').slice(0, 16);
}

/** The entries of a sealed cookie still in force; a cookie that does not open is no cookie. */
export function readKnownDevices(box: SecretBox, cookie: string | undefined, now: Date): KnownEntry[] {
  if (!cookie) return [];
  try {
    const parsed: unknown = JSON.parse(box.open(cookie));
    if (typeof parsed !== 'object' || parsed === null || (parsed as { p?: unknown }).p !== 'known-device') return [];
    const list = (parsed as { e?: unknown }).e;
    if (!Array.isArray(list)) return [];
    return list.filter(
      (e): e is KnownEntry =>
        typeof e === 'object' && e !== null && typeof (e as KnownEntry).u === 'string' && typeof (e as KnownEntry).d === 'string' && typeof (e as KnownEntry).t === 'number' && typeof (e as KnownEntry).k === 'string' &&
        now.getTime() - (e as KnownEntry).t < KNOWN_DEVICE_DAYS * 86_400_000,
    );
  } catch {
    return [];
  }
}

/** The cookie after a successful sign-in to `userId`: its entry renewed (or made), the oldest dropped past the limit. */
export function rememberDevice(box: SecretBox, entries: KnownEntry[], userId: string, mark: string, now: Date): string {
  // An entry earned with an earlier password is not renewed: this sign-in makes a new one.
  const mine = entries.find((e) => e.u === userId && e.k === mark);
  const next = [...entries.filter((e) => e.u !== userId), { u: userId, d: mine?.d ?? randomBytes(16).toString('base64url'), t: now.getTime(), k: mark }].slice(-MAX_ACCOUNTS);
  return box.seal(JSON.stringify({ p: 'known-device', e: next }));
}

export interface SignInClient {
  /** The e-mail as typed, lower-cased: unknown addresses are limited the same way as real ones. */
  email: string;
  ip: string;
  /** This browser's id for the account, when it carries a valid known-browser entry for it. */
  device: string | undefined;
}

function limitsOf(c: SignInClient, rule: ThrottleRule): Array<{ key: string; attempts: number }> {
  if (c.device) {
    return [
      { key: `device:${c.device}`, attempts: rule.attempts },
      { key: `known:${c.email}`, attempts: rule.attempts * ACCOUNT_FACTOR },
    ];
  }
  return [
    { key: `client:${c.email}:${c.ip}`, attempts: rule.attempts },
    { key: `account:${c.email}`, attempts: rule.attempts * ACCOUNT_FACTOR },
    { key: `ip:${c.ip}`, attempts: rule.attempts * ADDRESS_FACTOR },
  ];
}

/** Counts the attempt before the password is checked; when this client must wait, until when. */
export function reserveSignIn(db: Kysely<DB>, c: SignInClient, rule: ThrottleRule, now: Date): Promise<Date | undefined> {
  return reserveLimited(db, limitsOf(c, rule), rule.windowSeconds, now);
}

/** After the right password: this client starts afresh; the shared counts lose only this attempt. */
export async function signInSucceeded(db: Kysely<DB>, c: SignInClient): Promise<void> {
  if (c.device) {
    await clearFailures(db, [`device:${c.device}`]);
    await releaseAttempt(db, [`known:${c.email}`]);
    return;
  }
  await clearFailures(db, [`client:${c.email}:${c.ip}`]);
  await releaseAttempt(db, [`account:${c.email}`, `ip:${c.ip}`]);
}
