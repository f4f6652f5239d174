// The notification centre in the web app: the list, marking read, and the e-mail setting of the account page.
import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { getUnit } from '../units/unit.repository';
import type { AssetStore } from '../web/assets';
import type { Html } from '../web/html';
import type { Lang } from '../web/i18n';
import { formBody } from '../web/login.routes';
import { page } from '../web/page-context';
import type { WebDeps } from '../web/web-deps';
import { emailPreference, listForUser, markAllRead, markRead, setEmailPreference } from './notification.repository';
import { emailSettingCard, notificationsPage, words } from './notifications.page';

const Id = z.uuid();
const EmailChoice = z.enum(['on', 'off']);

export function notificationsRouter(deps: WebDeps, assets: AssetStore): Router {
  const router = Router();
  router.get('/notifications', page(deps, assets, 'any', async (ctx) => {
    const unit = await getUnit(deps.db, ctx.user.unitId);
    const items = await listForUser(deps.db, ctx.user.id, 200);
    await ctx.send(words(ctx.lang, 'title'), notificationsPage(ctx.lang, ctx.csrf, unit.time_zone, items));
  }));
  router.post('/notifications/read-all', page(deps, assets, 'any', async (ctx) => {
    await markAllRead(deps.db, ctx.user.id, deps.now());
    ctx.res.redirect(303, '/notifications');
  }));
  router.post('/notifications/:id/read', page(deps, assets, 'any', async (ctx) => {
    const id = Id.safeParse(ctx.req.params.id);
    if (!id.success) throw new AppError('not-found', 'page.not_found', { id: 'Tidak ditemukan.', en: 'Not found.' });
    await markRead(deps.db, ctx.user.id, id.data, deps.now());
    ctx.res.redirect(303, '/notifications');
  }));
  router.post('/account/notifications', page(deps, assets, 'any', async (ctx) => {
    const choice = EmailChoice.safeParse(formBody(ctx.req).email);
    if (!choice.success) throw new AppError('validation', 'account.email_choice', { id: 'Pilih nyalakan atau matikan e-mail.', en: 'Choose to turn e-mail on or off.' });
    await setEmailPreference(deps.db, ctx.user.id, choice.data === 'on');
    ctx.res.redirect(303, '/account');
  }));
  return router;
}

/** The account page's card for the e-mail setting. */
export async function accountEmailCard(deps: WebDeps, userId: string, lang: Lang, csrf: string): Promise<Html> {
  return emailSettingCard(lang, csrf, await emailPreference(deps.db, userId));
}
