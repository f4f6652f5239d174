// Every page goes through here: the session is checked on the server, then the role, then CSRF.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../../shared/errors';
import type { Role } from '../../shared/post';
import { unreadCount } from '../notifications/notification.repository';
import { getUnit } from '../units/unit.repository';
import type { AssetStore } from './assets';
import type { Html } from './html';
import { type Lang, langOf } from './i18n';
import { type PageFrame, layout } from './layout.page';
import { type Session, type SessionUser } from './session.repository';
import { assertCsrf, sessionFromRequest } from './session-auth';
import type { WebDeps } from './web-deps';
import { requiresTotp } from './web-settings.repository';

export interface PageCtx {
  req: Request;
  res: Response;
  lang: Lang;
  session: Session;
  user: SessionUser;
  csrf: string;
  /** Renders a full page in the site frame. */
  send(title: string, body: Html, extra?: Partial<Pick<PageFrame, 'script' | 'data'>>, status?: number): Promise<void>;
}

export function safeNext(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/';
}

/** A page or form asked for without a session (none, or one that ended). */
export function sessionEnded(): AppError {
  return new AppError('unauthenticated', 'auth.missing', { id: 'Sesi berakhir. Silakan masuk lagi.', en: 'Your session ended. Please sign in again.' });
}

export function page(deps: WebDeps, assets: AssetStore, roles: readonly Role[] | 'any', fn: (ctx: PageCtx) => Promise<void>): RequestHandler {
  return async (req: Request, res: Response, _next: NextFunction) => {
    const session = await sessionFromRequest(deps.db, req, deps.now());
    if (!session) {
      if (req.method === 'GET') return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      throw sessionEnded();
    }
    if (session.stage === 'totp') return res.redirect(303, '/login/totp');
    if (session.stage === 'enroll') return res.redirect(303, '/account/totp');
    if (session.stage === 'password') return res.redirect(303, '/account/password');
    // A rule switched on after this session began still applies to it.
    if (!session.user.hasTotp && (await requiresTotp(deps.db, session.user.role))) return res.redirect(303, '/account/totp');
    assertCsrf(req, session);
    if (roles !== 'any' && !roles.includes(session.user.role)) {
      throw new AppError('forbidden', 'page.forbidden', { id: 'Anda tidak berwenang membuka halaman ini.', en: 'You may not open this page.' });
    }
    const lang = langOf(req);
    const unit = await getUnit(deps.db, session.user.unitId);
    const ctx: PageCtx = {
      req,
      res,
      lang,
      session,
      user: session.user,
      csrf: session.csrfToken,
      async send(title, body, extra = {}, status = 200) {
        // Read as the page is drawn, after the handler's own change (a notification just marked read).
        const unread = await unreadCount(deps.db, session.user.id);
        res
          .status(status)
          .type('html')
          .set('Cache-Control', 'no-store')
          .send(
            layout(
              {
                lang,
                title,
                assets,
                user: { name: session.user.name, role: session.user.role, unitName: unit.name },
                csrf: session.csrfToken,
                path: req.originalUrl,
                unread,
                ...extra,
              },
              body,
            ),
          );
      },
    };
    await fn(ctx);
  };
}
