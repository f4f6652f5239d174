// Reading the session cookie, for the pages and for /api/v1 calls the pages make.
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { Kysely } from 'kysely';
import { AppError } from '../../shared/errors';
import type { DB } from '../storage/schema';
import { type Session, findSession } from './session.repository';
import { requiresTotp } from './web-settings.repository';

export const SESSION_COOKIE = 'siaran_sid';
export const LANG_COOKIE = 'siaran_lang';
export const LOGIN_CSRF_COOKIE = 'siaran_lcsrf';
export const CSRF_HEADER = 'x-csrf-token';

export function readCookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // A cookie we did not write and cannot read is ignored.
    }
  }
  return out;
}

export function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const isSafeMethod = (method: string): boolean => method === 'GET' || method === 'HEAD' || method === 'OPTIONS';

export function csrfRejected(): AppError {
  return new AppError('forbidden', 'csrf.invalid', {
    id: 'Token keamanan formulir tidak cocok. Muat ulang halaman lalu coba lagi.',
    en: 'The form security token does not match. Reload the page and try again.',
  });
}

/**
 * The signed-in session behind the cookie, if any. An unsafe method must carry the session's
 * CSRF token (header or form field): a cookie alone never changes anything.
 */
export async function sessionFromRequest(db: Kysely<DB>, req: Request, now: Date): Promise<Session | undefined> {
  const cookie = readCookies(req)[SESSION_COOKIE];
  if (!cookie) return undefined;
  return findSession(db, cookie, now);
}

export function assertCsrf(req: Request, session: Session): void {
  if (isSafeMethod(req.method)) return;
  const body: unknown = req.body;
  const field = typeof body === 'object' && body !== null && '_csrf' in body && typeof body._csrf === 'string' ? body._csrf : undefined;
  const sent = req.get(CSRF_HEADER) ?? field;
  if (!sameSecret(sent, session.csrfToken)) throw csrfRejected();
}

/**
 * For /api/v1: the actor of a fully signed-in session, with the CSRF check for unsafe methods. The same
 * second-factor rule as the pages: a session whose user must now enrol (the rule was switched on after it
 * began) does not act through the API either.
 */
export async function apiSessionActor(db: Kysely<DB>, req: Request, now: Date) {
  const session = await sessionFromRequest(db, req, now);
  if (!session) return undefined;
  if (session.stage !== 'full' || (!session.user.hasTotp && (await requiresTotp(db, session.user.role)))) {
    throw new AppError('unauthenticated', 'auth.sign_in_unfinished', {
      id: 'Selesaikan masuk dulu (kata sandi baru atau verifikasi dua langkah) di halaman web.',
      en: 'Finish signing in first (a new password or the second factor) on the web pages.',
    });
  }
  assertCsrf(req, session);
  const { id, role, unitId, email, name } = session.user;
  return { id, role, unitId, email, name };
}
