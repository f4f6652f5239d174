// Bearer tokens for the API; the actor rides on the request from here on.
import type { NextFunction, Request, Response } from 'express';
import type { Kysely } from 'kysely';
import { AppError } from '../../shared/errors';
import type { Actor } from '../../shared/post';
import type { DB } from '../storage/schema';
import { checkToken } from '../users/token.repository';
import { apiSessionActor } from '../web/session-auth';

export type AuthedActor = Actor & { email: string; name: string };

declare module 'express-serve-static-core' {
  interface Request {
    actor?: AuthedActor;
  }
}

const REASONS = {
  unknown: { code: 'auth.invalid', id: 'Token tidak dikenal.', en: 'Unknown token.' },
  expired: { code: 'auth.expired', id: 'Token sudah kedaluwarsa. Buat token baru.', en: 'The token has expired. Create a new one.' },
  revoked: { code: 'auth.revoked', id: 'Token sudah dicabut.', en: 'The token has been revoked.' },
  disabled: { code: 'auth.disabled', id: 'Akun ini dinonaktifkan.', en: 'This account is disabled.' },
} as const;

export function bearerAuth(db: Kysely<DB>, now: () => Date) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) {
      // The web pages call the API with their session cookie and CSRF header instead of a token.
      const sessionActor = header ? undefined : await apiSessionActor(db, req, now());
      if (sessionActor) {
        req.actor = sessionActor;
        next();
        return;
      }
      throw new AppError('unauthenticated', 'auth.missing', {
        id: 'Sertakan token: Authorization: Bearer <token>.',
        en: 'Send a token: Authorization: Bearer <token>.',
      });
    }
    const result = await checkToken(db, match[1], now());
    if (!result.ok) {
      const r = REASONS[result.reason];
      throw new AppError(result.reason === 'expired' ? 'auth-expired' : 'unauthenticated', r.code, { id: r.id, en: r.en });
    }
    req.actor = result.actor;
    next();
  };
}

export function actorOf(req: Request): AuthedActor {
  if (!req.actor) throw new AppError('unauthenticated', 'auth.missing', { id: 'Belum masuk.', en: 'Not signed in.' });
  return req.actor;
}
