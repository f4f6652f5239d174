// The web app for operators, supervisors and admins. Thin: read the form, call a use case, render or redirect.
import express, { type ErrorRequestHandler, Router } from 'express';
import helmet from 'helmet';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { AppError, isAppError } from '../../shared/errors';
import { ApproveInput, ChannelKind, type PostStatus } from '../../shared/post';
import { mayAuthor } from '../../shared/rules/permissions';
import { channelsOfUnit } from '../channels/channel.repository';
import { channelViews } from '../channels/manage-channels';
import { listPostPhotos } from '../media/read-photos';
import { postInReach } from '../posts/access';
import { calendarPosts, postHistory, readPost } from '../posts/read-post';
import { resolveTarget } from '../posts/resolve-target';
import { retractPost } from '../posts/retract-post';
import { approvePost, rejectPost, submitPost } from '../posts/review-post';
import { setSensitive } from '../posts/sensitivity';
import { ROLE_LABELS } from '../../shared/words';
import { markPostRead } from '../notifications/notification.repository';
import { cancelPost, reschedulePost } from '../posts/schedule-post';
import { getUnit, unitAndDescendants, unitPath } from '../units/unit.repository';
import { isJobState, isQueueName } from '../../workers/queue/queue-inspector';
import { isUnitJob, postsOfJobs } from '../operations/queue-jobs';
import { STATUS } from '../http/errors';
import { storableInput } from '../http/storable-input';
import { metaPickPage } from './meta-pick.page';
import type { PagePick } from '../channels/meta-connect';
import { type TypedForm, adminPage } from './admin.page';
import { accountTokensCard } from './account-tokens.page';
import { listTokens, revokeToken } from '../users/token.repository';
import {
  addFacebook,
  addInstagram,
  addSubUnit,
  addTelegram,
  addWebhook,
  addXWithTokens,
  adminUnits,
  beginInstagramLogin,
  beginMetaConnect,
  completeInstagramLogin,
  renewInstagramLogin,
  beginXConnect,
  completeMetaConnect,
  metaPickView,
  pickMetaPages,
  changeUser,
  completeXConnect,
  inviteUser,
  reconnect,
  reconnectXStart,
  resetPassword,
  revokeUserTokens,
  setTotpRule,
  setUserDisabled,
  switchChannel,
  testChannel,
  updateUnit,
} from './admin-actions';
import type { AssetStore } from './assets';
import { type CalendarQuery, calendarPage, calendarRange } from './calendar.page';
import { composeData, composePage } from './compose.page';
import { html } from './html';
import { type Lang, langOf, pick, t } from './i18n';
import { layout } from './layout.page';
import { formBody, loginRoutes } from './login.routes';
import { type PageCtx, page, safeNext, sessionEnded } from './page-context';
import { inboxPage, postPage } from './post.page';
import { queuesPage } from './queues.page';
import { approvalInbox, reviewItem, troubledChannels } from './review.view';
import { totpRequiredForPrivileged } from './web-settings.repository';
import type { WebDeps } from './web-deps';
import { accountEmailCard, notificationsRouter } from '../notifications/notifications.routes';
import { IMPORT_MAX_BYTES, importPosts, planProblemsOf, planTemplate, planTooLarge } from '../posts/import-posts';
import { planImportFor, recentPlanImports } from '../posts/plan-imports';
import { figuresOfTargets } from '../reports/collect-engagement';
import { enabledChannels } from '../posts/write-post';
import { multipartForm, uploadedText } from './multipart-form';
import { sessionFromRequest } from './session-auth';
import { PLAN_DRAFTS_LISTED, PLAN_IMPORT_PATIENCE_MS, planImportPage, planImportTitle, planPage } from './plan.page';
import { NO_AMPLIFICATION, amplificationOf } from '../public/amplification.repository';
import { unitReport } from '../reports/unit-report';
import { formatInZone } from '../../shared/time';
import { reportPage } from './report.page';

const Id = z.uuid();
const CALENDAR_STATUSES: PostStatus[] = ['scheduled', 'publishing', 'published', 'failed', 'unconfirmed'];

function idParam(value: unknown): string {
  const r = Id.safeParse(value);
  if (!r.success) throw new AppError('not-found', 'page.not_found', { id: 'Tidak ditemukan.', en: 'Not found.' });
  return r.data;
}

export function webRouter(deps: WebDeps): Router {
  const assets = deps.assets;
  const router = Router();
  router.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          // Photo links are built on PUBLIC_BASE_URL, which may name this server otherwise than the address typed.
          'img-src': ["'self'", 'data:', 'blob:', () => new URL(deps.channels.baseUrl()).origin],
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          // "Connect X" posts a form that redirects to X's consent page.
          // A form that starts a connection is answered with a redirect to the platform's consent page, which
          // browsers check against form-action too.
          'form-action': ["'self'", new URL(deps.channels.x.authorizeUrl).origin, new URL(deps.channels.facebook.dialogUrl).origin, new URL(deps.channels.instagram.loginUrl).origin],
          'upgrade-insecure-requests': deps.cookieSecure ? [] : null,
        },
      },
      strictTransportSecurity: deps.cookieSecure,
    }),
  );
  router.get('/assets/:file', (req, res) => {
    const asset = assets.byFile(req.params.file);
    if (!asset) return res.status(404).end();
    res.set({ 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=31536000, immutable', ETag: `"${asset.hash}"`, Vary: 'Accept-Encoding' });
    const accepts = req.get('accept-encoding') ?? '';
    if (/\bbr\b/.test(accepts)) res.set('Content-Encoding', 'br').send(asset.brotli);
    else if (/\bgzip\b/.test(accepts)) res.set('Content-Encoding', 'gzip').send(asset.gzip);
    else res.send(asset.body);
  });
  /** Before a file is read: a signed-in session (page() then checks the rest: its stage, role and CSRF token). */
  const signedInFirst: express.RequestHandler = async (req, res, next) => {
    if (await sessionFromRequest(deps.db, req, deps.now())) return next();
    res.set('Connection', 'close');
    req.resume();
    next(sessionEnded());
  };
  /** A plan's drafts as its pages list them: in the file's order, each with its unit and time. */
  const draftsListed = async (ids: string[], lang: Lang) => {
    if (ids.length === 0) return [];
    const rows = await deps.db.selectFrom('posts as p').innerJoin('units as u', 'u.id', 'p.unit_id').select(['p.id', 'p.title', 'p.scheduled_at', 'u.time_zone', 'u.name as unit_name']).where('p.id', 'in', ids).execute();
    const byId = new Map(rows.map((p) => [p.id, p]));
    return ids.flatMap((id) => {
      const p = byId.get(id);
      // A draft deleted since is no longer listed.
      return p ? [{ id: p.id, title: p.title, unit: p.unit_name, when: formatInZone(p.scheduled_at, p.time_zone, lang) }] : [];
    });
  };
  const recentImports = (ctx: PageCtx) => recentPlanImports(deps.posts, ctx.user);
  // The posting plan arrives as a file (multipart), larger than any other form: read before the forms' parser.
  router.post('/plan', signedInFirst, multipartForm({ maxFileBytes: IMPORT_MAX_BYTES, tooLarge: planTooLarge() }), express.urlencoded({ extended: false, limit: '64kb' }), page(deps, assets, ['operator', 'supervisor'], async (ctx) => {
    const title = t(ctx.lang, 'planTitle');
    const file = uploadedText(ctx.req);
    if (!file || file.text.length === 0) return ctx.send(title, planPage(ctx.lang, ctx.csrf, { kind: 'refused', message: t(ctx.lang, 'planNoFile'), problems: [] }), undefined, 422);
    try {
      const done = await importPosts(deps.posts, ctx.user, file.text, file.name);
      // A large plan is imported by a job: its page shows the progress and then the same list or problems.
      if (done.kind === 'queued') return ctx.res.redirect(303, `/plan/imports/${done.importId}`);
      // The drafts are listed here, each a link to add its photos and submit it: the calendar shows no drafts. A
      // reload sends the file again, which is refused row by row (the posts exist), so nothing is made twice.
      const drafts = await draftsListed(done.postIds, ctx.lang);
      await ctx.send(title, planPage(ctx.lang, ctx.csrf, { kind: 'imported', count: done.imported, drafts, importId: done.importId }, await recentImports(ctx)), undefined, 201);
    } catch (err) {
      if (!isAppError(err) || (err.kind !== 'validation' && err.kind !== 'too-large')) throw err;
      const { problems, more } = planProblemsOf(err);
      await ctx.send(title, planPage(ctx.lang, ctx.csrf, { kind: 'refused', message: pick(ctx.lang, err.text), problems, more }, await recentImports(ctx)), undefined, err.kind === 'too-large' ? 413 : 422);
    }
  }));
  router.use(express.urlencoded({ extended: false, limit: '64kb' }));
  // Form fields and queries of every page below, sign-in included: text the database cannot hold is refused in words.
  router.use(storableInput());
  router.use(loginRoutes(deps, assets));

  router.use(notificationsRouter(deps, assets));
  const authors = ['operator', 'supervisor'] as const;

  router.get('/account', page(deps, assets, 'any', async (ctx) => {
    const { lang } = ctx;
    const unit = await getUnit(deps.db, ctx.user.unitId);
    const tokens = await listTokens(deps.db, ctx.user.id, deps.now());
    const tokenFlash = ctx.req.query.token === 'revoked' ? t(lang, 'tokenRevoked') : undefined;
    await ctx.send(
      t(lang, 'account'),
      html`<h1>${t(lang, 'account')}</h1><div class="card"><p>${ctx.user.name} · ${ctx.user.email} · ${pick(lang, ROLE_LABELS[ctx.user.role])}</p>
<p>${ctx.user.hasTotp ? html`<span class="ok">${t(lang, 'totpOn')}</span> <a href="/account/totp">${t(lang, 'totpReplace')}</a>` : html`<a class="button" href="/account/totp">${t(lang, 'totpSetup')}</a>`}</p>
<p><a href="/account/password">${t(lang, 'changePassword')}</a></p></div>${await accountEmailCard(deps, ctx.user.id, lang, ctx.csrf)}${accountTokensCard(lang, ctx.csrf, unit.time_zone, tokens, tokenFlash)}`,
    );
  }));
  // Only the holder's own token: another's id revokes nothing and answers the same.
  router.post('/account/tokens/:id/revoke', page(deps, assets, 'any', async (ctx) => {
    await revokeToken(deps.db, ctx.user.id, idParam(ctx.req.params.id), deps.now());
    ctx.res.redirect(303, '/account?token=revoked');
  }));

  const compose = async (ctx: PageCtx, postId: string | undefined) => {
    const post = postId ? await readPost(deps.posts, ctx.user, postId) : undefined;
    const unit = await getUnit(deps.db, post?.unit.id ?? ctx.user.unitId);
    if (!mayAuthor(ctx.user, await unitPath(deps.db, unit.id))) throw new AppError('forbidden', 'post.not_author', { id: 'Anda tidak berwenang menulis pos satuan ini.', en: 'You may not write posts of this unit.' });
    const channels = (await channelsOfUnit(deps.db, unit.id)).filter((c) => c.enabled);
    const photos = post ? await listPostPhotos(deps.media, ctx.user, post.id) : [];
    const tomorrow = DateTime.fromJSDate(deps.now(), { zone: unit.time_zone }).plus({ days: 1 }).set({ hour: 9, minute: 0 });
    await ctx.send(t(ctx.lang, 'compose'), composePage(ctx.lang, unit, channels, post, tomorrow.toFormat("yyyy-MM-dd'T'HH:mm")), {
      script: 'compose',
      data: composeData(ctx.lang, ctx.csrf, unit, channels, deps.posts, post, photos),
    });
  };
  router.get('/compose', page(deps, assets, authors, (ctx) => compose(ctx, undefined)));
  router.get('/report', page(deps, assets, 'any', async (ctx) => {
    const q = ctx.req.query;
    const unitId = typeof q.unitId === 'string' && Id.safeParse(q.unitId).success ? q.unitId : undefined;
    const month = typeof q.month === 'string' ? q.month.slice(0, 7) : undefined;
    const report = await unitReport({ db: deps.db, now: deps.now }, ctx.user, { unitId, month });
    // The units the reader may report on: their own and, unless an operator, those below it.
    const reach = ctx.user.role === 'operator' ? [ctx.user.unitId] : await unitAndDescendants(deps.db, ctx.user.unitId);
    const units = await deps.db.selectFrom('units').select(['id', 'name']).where('id', 'in', reach).orderBy('name').execute();
    await ctx.send(t(ctx.lang, 'reportTitle'), reportPage(ctx.lang, report, report.perDay, units));
  }));
  router.get('/plan', page(deps, assets, authors, async (ctx) => {
    await ctx.send(t(ctx.lang, 'planTitle'), planPage(ctx.lang, ctx.csrf, undefined, await recentImports(ctx)));
  }));
  router.get('/plan/imports/:id', page(deps, assets, authors, async (ctx) => {
    // Someone else's import, or none: not found, as the page wrapper answers an AppError of that kind.
    const job = await planImportFor(deps.posts, ctx.user, idParam(ctx.req.params.id));
    const pages = Math.max(1, Math.ceil(job.postIds.length / PLAN_DRAFTS_LISTED));
    const pageNo = Math.min(pages, Math.max(1, Number.parseInt(typeof ctx.req.query.page === 'string' ? ctx.req.query.page : '1', 10) || 1));
    const drafts = job.status === 'done' ? await draftsListed(job.postIds.slice((pageNo - 1) * PLAN_DRAFTS_LISTED, pageNo * PLAN_DRAFTS_LISTED), ctx.lang) : [];
    // Unfinished, the page asks for itself again every few seconds (progress with no script), for half an hour:
    // an import still waiting then has no worker to run it, and the page says so instead.
    const stuck = job.finishedAt === null && deps.now().getTime() - job.createdAt.getTime() > PLAN_IMPORT_PATIENCE_MS;
    if (job.finishedAt === null && !stuck) ctx.res.set('Refresh', '3');
    await ctx.send(planImportTitle(ctx.lang, job), planImportPage(ctx.lang, job, drafts, { page: pageNo, pages, stuck }));
  }));
  router.get('/plan/template.csv', page(deps, assets, authors, async (ctx) => {
    const unit = await getUnit(deps.db, ctx.user.unitId);
    const kinds = [...(await enabledChannels(deps.db, unit.id)).values()].map((c) => c.kind);
    ctx.res.type('text/csv; charset=utf-8').attachment('templat-rencana-siaran.csv').set('Cache-Control', 'no-store').send(planTemplate(unit.slug, unit.time_zone, deps.now(), kinds));
  }));
  router.get('/compose/:id', page(deps, assets, authors, (ctx) => compose(ctx, idParam(ctx.req.params.id))));

  router.get('/inbox', page(deps, assets, ['supervisor'], async (ctx) => {
    const items = await approvalInbox(deps.posts, deps.media, ctx.user);
    const troubled = await troubledChannels(deps.posts, ctx.user, await unitAndDescendants(deps.db, ctx.user.unitId));
    await ctx.send(t(ctx.lang, 'inbox'), inboxPage(ctx.lang, ctx.csrf, ctx.user.id, items, troubled));
  }));

  router.get('/posts/:id', page(deps, assets, 'any', async (ctx) => {
    const id = idParam(ctx.req.params.id);
    const { post, path } = await postInReach(deps.db, ctx.user, id);
    const view = await readPost(deps.posts, ctx.user, id);
    const item = await reviewItem(deps.posts, deps.media, ctx.user, post, view);
    const history = await postHistory(deps.posts, ctx.user, id);
    // Opening the post is reading what one was told of it.
    await markPostRead(deps.db, ctx.user.id, id, deps.now());
    const mayResolve = ctx.user.role === 'supervisor' && path.includes(ctx.user.unitId);
    // Out on its news page: the share page's address for personnel, and how far it went.
    const onNewsPage = view.targets.some((x) => x.channelKind === 'news_page' && x.status === 'published' && x.retraction === null);
    const amplification = onNewsPage
      ? { shareUrl: `${deps.channels.baseUrl().replace(/\/+$/, '')}/u/${encodeURIComponent(view.unit.slug)}/p/${view.id}/bagikan`, totals: (await amplificationOf(deps.db, [view.id])).get(view.id) ?? NO_AMPLIFICATION }
      : undefined;
    const figures = await figuresOfTargets(deps.db, view.targets.map((x) => x.id));
    await ctx.send(view.title || id, postPage(ctx.lang, ctx.csrf, ctx.user, item, history, mayAuthor(ctx.user, path), mayResolve, amplification, figures));
  }));

  const back = (ctx: PageCtx, fallback: string) => ctx.res.redirect(303, safeNext(formBody(ctx.req).back ?? fallback));
  router.post('/posts/:id/approve', page(deps, assets, ['supervisor'], async (ctx) => {
    const id = idParam(ctx.req.params.id);
    const version = Number(formBody(ctx.req).version);
    // The form carries the version the supervisor was shown; without it there is nothing to approve.
    if (!Number.isInteger(version) || version < 1) throw new AppError('validation', 'approval.version_required', { id: 'Persetujuan harus menyebut versi pos yang diperiksa.', en: 'An approval must name the version of the post that was reviewed.' });
    // Each warning answered on the form carries the supervisor's reason to go ahead.
    const form = formBody(ctx.req);
    const overrides = Object.entries(form)
      .filter(([k, v]) => k.startsWith('override:') && typeof v === 'string' && v.trim() !== '')
      .map(([k, v]) => ({ code: k.slice('override:'.length), reason: (v ?? '').trim().slice(0, 2000) }));
    // The same rule as the API's: a reason is words, not a keystroke.
    if (!ApproveInput.shape.overrides.safeParse(overrides).success) {
      throw new AppError('validation', 'approval.override_reason', {
        id: 'Tulis alasan yang jelas (minimal 3 huruf) untuk setiap peringatan yang tetap disetujui.',
        en: 'Write a clear reason (at least 3 letters) for each warning you approve despite.',
      });
    }
    const note = (form.note ?? '').trim();
    await approvePost(deps.posts, ctx.user, id, { expectedVersion: version, overrides, note: note === '' ? undefined : note.slice(0, 2000) });
    back(ctx, `/posts/${id}`);
  }));
  router.post('/posts/:id/reject', page(deps, assets, ['supervisor'], async (ctx) => {
    const id = idParam(ctx.req.params.id);
    const note = (formBody(ctx.req).note ?? '').trim();
    if (!note) throw new AppError('validation', 'review.note_required', { id: 'Catatan wajib saat menolak.', en: 'A note is required to reject.' });
    await rejectPost(deps.posts, ctx.user, id, { note: note.slice(0, 2000) });
    back(ctx, `/posts/${id}`);
  }));
  router.post('/posts/:id/sensitivity', page(deps, assets, authors, async (ctx) => {
    const id = idParam(ctx.req.params.id);
    const form = formBody(ctx.req);
    await setSensitive(deps.posts, ctx.user, id, { sensitive: form.sensitive === 'true', expectedVersion: Number(form.version) || undefined });
    ctx.res.redirect(303, `/posts/${id}`);
  }));
  router.post('/posts/:id/submit', page(deps, assets, authors, async (ctx) => {
    const id = idParam(ctx.req.params.id);
    // The post's page, where this goes next, lists the posts nearly the same.
    await submitPost(deps.posts, ctx.user, id, { similar: false });
    ctx.res.redirect(303, `/posts/${id}`);
  }));
  router.post('/posts/:id/cancel', page(deps, assets, authors, async (ctx) => {
    const id = idParam(ctx.req.params.id);
    await cancelPost(deps.posts, ctx.user, id, {});
    ctx.res.redirect(303, `/posts/${id}`);
  }));
  router.post('/posts/:id/reschedule', page(deps, assets, authors, async (ctx) => {
    const id = idParam(ctx.req.params.id);
    await reschedulePost(deps.posts, ctx.user, id, { scheduledAt: formBody(ctx.req).scheduledAt ?? '' });
    back(ctx, `/posts/${id}`);
  }));
  router.post('/posts/:id/retract', page(deps, assets, ['supervisor'], async (ctx) => {
    const id = idParam(ctx.req.params.id);
    const reason = (formBody(ctx.req).reason ?? '').trim();
    if (reason.length < 3) throw new AppError('validation', 'retract.reason_required', { id: 'Tuliskan alasan menarik pos.', en: 'Say why the post is taken back.' });
    await retractPost(deps.posts, ctx.user, id, { reason: reason.slice(0, 2000) });
    ctx.res.redirect(303, `/posts/${id}`);
  }));
  router.post('/posts/:id/targets/:targetId/:action', page(deps, assets, ['supervisor'], async (ctx) => {
    const id = idParam(ctx.req.params.id);
    const action = z.enum(['retry', 'release', 'confirm-published', 'confirm-not-published']).safeParse(ctx.req.params.action);
    if (!action.success) throw new AppError('not-found', 'page.not_found', { id: 'Tidak ditemukan.', en: 'Not found.' });
    await resolveTarget(deps.posts, ctx.user, id, idParam(ctx.req.params.targetId), { action: action.data });
    ctx.res.redirect(303, `/posts/${id}`);
  }));

  router.get('/calendar', page(deps, assets, 'any', async (ctx) => {
    const q = ctx.req.query;
    const own = await getUnit(deps.db, ctx.user.unitId);
    const reach = ctx.user.role === 'operator' ? [own.id] : await unitAndDescendants(deps.db, own.id);
    const unitId = typeof q.unit === 'string' && reach.includes(q.unit) ? q.unit : undefined;
    const kind = ChannelKind.safeParse(q.channel);
    const query: CalendarQuery = {
      view: q.view === 'month' ? ('month' as const) : q.view === 'agenda' ? ('agenda' as const) : ('week' as const),
      date: typeof q.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(q.date) ? q.date : DateTime.fromJSDate(deps.now(), { zone: own.time_zone }).toISODate()!,
      unitId,
      channel: kind.success ? kind.data : undefined,
    };
    const range = calendarRange(query, own.time_zone);
    const { posts, more } = await calendarPosts(deps.posts, ctx.user, {
      unitId: unitId ?? own.id,
      includeDescendants: unitId === undefined,
      statuses: CALENDAR_STATUSES,
      from: range.from,
      to: range.to,
      channelKind: query.channel,
    });
    const units = await deps.db.selectFrom('units').select(['id', 'name']).where('id', 'in', reach).orderBy('name').execute();
    // The filter offers the platforms the units in reach have, in the product's order: not every platform there is.
    const had = new Set((await deps.db.selectFrom('channels').select('kind').distinct().where('unit_id', 'in', reach).execute()).map((c) => c.kind));
    const kinds = ChannelKind.options.filter((k) => had.has(k) || k === query.channel);
    await ctx.send(t(ctx.lang, 'calendar'), calendarPage(ctx.lang, query, range, posts, units, kinds, more, ctx.user.role === 'admin' ? undefined : ctx.csrf), {
      script: 'calendar',
      data: { csrf: ctx.csrf, lang: ctx.lang },
    });
  }));

  type Flash = { text: string; secret?: string; error?: boolean };
  const admin = async (ctx: PageCtx, flash?: Flash, status?: number, typed?: TypedForm, at?: string) => {
    const unitIds = await adminUnits(deps, ctx.user);
    const [units, users, channels] = await Promise.all([
      deps.db.selectFrom('units').selectAll().where('id', 'in', unitIds).orderBy('name').execute(),
      deps.db.selectFrom('users').selectAll().where('unit_id', 'in', unitIds).orderBy('name').execute(),
      channelViews(deps.db, unitIds, deps.now(), ctx.user),
    ]);
    const x = { oauth2: Boolean(deps.channels.x.clientId), tokens: Boolean(deps.channels.x.consumerKey && deps.channels.x.consumerSecret) };
    const national = (await getUnit(deps.db, ctx.user.unitId)).parent_id === null;
    const queuesLink = national ? html`<p data-queues-link><a href="/admin/queues">${t(ctx.lang, 'queues')}</a></p>` : '';
    const meta = Boolean(deps.channels.facebook.app);
    const instagramLogin = Boolean(deps.channels.instagram.app);
    await ctx.send(t(ctx.lang, 'admin'), html`${queuesLink}${adminPage(ctx.lang, ctx.csrf, { units, users, channels, x, meta, instagramLogin, instagramBlocked: deps.channels.photosUnreachable, requireTotp: await totpRequiredForPrivileged(deps.db), flash, typed, at })}`, undefined, status);
  };
  /** A refusal the admin can act on is shown on the page; the status tells scripts and tests it was refused. */
  const refusal = (ctx: PageCtx, err: unknown): { flash: Flash; status: number } => {
    if (!isAppError(err) || err.kind === 'not-found' || err.kind === 'forbidden') throw err;
    return { flash: { text: pick(ctx.lang, err.text), error: true }, status: err.kind === 'validation' ? 422 : err.kind === 'unavailable' ? 503 : 409 };
  };
  const adminPost = (path: string, act: (ctx: PageCtx, f: Record<string, string | undefined>) => Promise<Flash | undefined>) =>
    router.post(path, page(deps, assets, ['admin'], async (ctx) => {
      let flash: Flash | undefined;
      let status: number | undefined;
      let typed: TypedForm | undefined;
      const body = formBody(ctx.req);
      try {
        flash = (await act(ctx, body)) ?? { text: t(ctx.lang, 'done') };
      } catch (err) {
        ({ flash, status } = refusal(ctx, err));
        // The refused form comes back as it was typed (secrets aside), for the admin to correct.
        typed = { action: ctx.req.path, fields: body };
      }
      // Told inside the form that was answered, where the page opens (its action's fragment).
      await admin(ctx, flash, status, typed, ctx.req.path);
    }));
  /** Sends the admin to a platform's consent page (X, Facebook, Instagram), or shows why not. */
  const toConsentPage = (start: (ctx: PageCtx) => Promise<string>) =>
    page(deps, assets, ['admin'], async (ctx) => {
      let url: string;
      try {
        url = await start(ctx);
      } catch (err) {
        const r = refusal(ctx, err);
        await admin(ctx, r.flash, r.status);
        return;
      }
      ctx.res.redirect(303, url);
    });
  const releasedText = (lang: Lang, n: number) => (n > 0 ? ` ${n} ${t(lang, 'released')}.` : '');
  // The queues are the whole installation's: only an admin of a top unit sees them.
  const queuesFor = async (ctx: PageCtx, flash?: { text: string; error?: boolean }, status?: number, shown: Record<string, unknown> = ctx.req.query) => {
    const me = await getUnit(deps.db, ctx.user.unitId);
    if (me.parent_id !== null) {
      throw new AppError('forbidden', 'queues.national_only', {
        id: 'Antrean berlaku untuk seluruh instalasi; hanya admin satuan teratas yang dapat membukanya.',
        en: 'The queues serve the whole installation; only an admin of a top unit may open them.',
      });
    }
    const q = shown;
    const queue = typeof q.queue === 'string' && isQueueName(q.queue) ? q.queue : 'publish';
    const state = typeof q.state === 'string' && isJobState(q.state) ? q.state : 'delayed';
    let counts;
    let jobs: Awaited<ReturnType<typeof deps.queues.jobs>> = [];
    let workers: number | undefined;
    try {
      [counts, jobs, workers] = await Promise.all([deps.queues.counts(), deps.queues.jobs(queue, state, 50), deps.liveWorkers()]);
    } catch {
      counts = undefined;
    }
    // Several top units (Polda) may share an installation: each admin sees only jobs of their own units'
    // posts, and the jobs that belong to no unit (maintenance); the counts are numbers only.
    const reach = new Set(await unitAndDescendants(deps.db, me.id));
    const withPosts = (await postsOfJobs(deps.db, jobs)).filter((j) => j.unitId === undefined ? !isUnitJob(j) : reach.has(j.unitId));
    await ctx.send(t(ctx.lang, 'queues'), queuesPage(ctx.lang, ctx.csrf, { counts, queue, state, jobs: withPosts, workers, zone: me.time_zone, flash }), undefined, status);
  };
  router.get('/admin/queues', page(deps, assets, ['admin'], (ctx) => queuesFor(ctx)));
  router.post('/admin/queues/:queue/retry', page(deps, assets, ['admin'], async (ctx) => {
    const me = await getUnit(deps.db, ctx.user.unitId);
    const queue = String(ctx.req.params.queue);
    const jobId = formBody(ctx.req).jobId ?? '';
    if (me.parent_id !== null || !isQueueName(queue)) return queuesFor(ctx);
    const [job] = await postsOfJobs(deps.db, await deps.queues.jobs(queue, 'failed', 1000).then((all) => all.filter((j) => j.id === jobId)).catch(() => []));
    const reach = new Set(await unitAndDescendants(deps.db, me.id));
    const mine = job !== undefined && (job.unitId === undefined ? !isUnitJob(job) : reach.has(job.unitId));
    const retried = mine ? await deps.queues.retry(queue, jobId).catch(() => false) : false;
    if (retried) await deps.db.insertInto('admin_events').values({ actor_id: ctx.user.id, type: 'queue.retry', subject_id: null, data: JSON.stringify({ queue, jobId }) }).execute();
    await queuesFor(ctx, retried ? { text: t(ctx.lang, 'queueRetried') } : { text: t(ctx.lang, 'queueGone'), error: true }, retried ? 200 : 409, { queue, state: 'failed' });
  }));
  /** After "Connect with Facebook": what was connected, unit by unit, new or renewed. */
  const pagesConnectedFlash = async (ctx: PageCtx, q: Record<string, unknown>, released: number): Promise<Flash | undefined> => {
    const idsOf = (v: unknown) => (typeof v === 'string' ? v.split(',').filter((id) => Id.safeParse(id).success).slice(0, 200) : []);
    const added = idsOf(q.added);
    const renewed = idsOf(q.renewed);
    const all = [...added, ...renewed];
    if (all.length === 0) return undefined;
    const reach = await adminUnits(deps, ctx.user);
    const rows = await deps.db.selectFrom('channels').innerJoin('units', 'units.id', 'channels.unit_id').select(['channels.id', 'channels.name', 'units.name as unit', 'units.id as unitId']).where('channels.id', 'in', all).execute();
    const byUnit = new Map<string, string[]>();
    // In the order they were connected: each Page, then its Instagram account.
    const order = idsOf(q.order);
    rows.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
    for (const r of rows.filter((x) => reach.includes(x.unitId))) {
      const word = renewed.includes(r.id) ? t(ctx.lang, 'metaRenewed') : t(ctx.lang, 'metaNew');
      byUnit.set(r.unit, [...(byUnit.get(r.unit) ?? []), `${r.name} (${word})`]);
    }
    const parts = [...byUnit].map(([unit, names]) => `${unit}: ${names.join(', ')}`);
    return { text: `${t(ctx.lang, 'metaPagesConnected')} — ${parts.join('; ')}.${releasedText(ctx.lang, released)}` };
  };
  router.get('/admin', page(deps, assets, ['admin'], async (ctx) => {
    // After a channel action the page is asked for again (a reload repeats nothing); the query says what was done.
    const q = ctx.req.query;
    const channelId = typeof q.channel === 'string' && Id.safeParse(q.channel).success ? q.channel : undefined;
    const channel = channelId ? await deps.db.selectFrom('channels').select(['name', 'unit_id']).where('id', '=', channelId).executeTakeFirst() : undefined;
    const released = Number(q.released);
    const n = Number.isInteger(released) && released > 0 ? released : 0;
    const done = q.done === 'connected' || q.done === 'enabled' || q.done === 'disabled' ? q.done : undefined;
    if (q.done === 'pages') {
      await admin(ctx, await pagesConnectedFlash(ctx, q, n));
      return;
    }
    const shown = channel && done && (await adminUnits(deps, ctx.user)).includes(channel.unit_id);
    const words = { connected: t(ctx.lang, 'connected'), enabled: t(ctx.lang, 'channelEnabled'), disabled: t(ctx.lang, 'channelDisabled') };
    await admin(ctx, shown ? { text: `${words[done]}: ${channel.name}.${releasedText(ctx.lang, n)}` } : undefined, undefined, undefined, shown ? `channel:${channelId}` : undefined);
  }));
  /** A channel action that succeeded shows the admin page anew, by a redirect. */
  const channelPost = (path: string, act: (ctx: PageCtx, f: Record<string, string | undefined>) => Promise<{ channelId: string; done: 'connected' | 'enabled' | 'disabled'; released: number }>) =>
    router.post(path, page(deps, assets, ['admin'], async (ctx) => {
      let r;
      const body = formBody(ctx.req);
      try {
        r = await act(ctx, body);
      } catch (err) {
        const refused = refusal(ctx, err);
        await admin(ctx, refused.flash, refused.status, { action: ctx.req.path, fields: body }, ctx.req.path);
        return;
      }
      // The fragment replaces the form's, so the page opens at the channel's row, where the success is told.
      ctx.res.redirect(303, `/admin?channel=${r.channelId}&done=${r.done}&released=${r.released}#channel-${r.channelId}`);
    }));
  adminPost('/admin/users', async (ctx, f) => ({
    text: t(ctx.lang, 'oneTimePassword'),
    secret: await inviteUser(deps, ctx.user, { email: f.email ?? '', name: f.name ?? '', unitId: f.unitId ?? '', role: f.role ?? '' }),
  }));
  adminPost('/admin/users/:id', async (ctx, f) => {
    await changeUser(deps, ctx.user, idParam(ctx.req.params.id), { role: f.role ?? '', unitId: f.unitId ?? '' });
    return undefined;
  });
  adminPost('/admin/users/:id/reset', async (ctx) => ({ text: t(ctx.lang, 'oneTimePassword'), secret: await resetPassword(deps, ctx.user, idParam(ctx.req.params.id)) }));
  adminPost('/admin/users/:id/tokens/revoke', async (ctx) => ({
    text: `${t(ctx.lang, 'tokensRevoked')}: ${String(await revokeUserTokens(deps, ctx.user, idParam(ctx.req.params.id)))}.`,
  }));
  adminPost('/admin/users/:id/disable', async (ctx, f) => {
    await setUserDisabled(deps, ctx.user, idParam(ctx.req.params.id), f.disabled === 'true');
    return undefined;
  });
  adminPost('/admin/units', async (ctx, f) => ({
    text: `${t(ctx.lang, 'unitAdded')}: ${await addSubUnit(deps, ctx.user, { name: f.name ?? '', parentId: f.parentId ?? '', timeZone: f.timeZone ?? '' })}.`,
  }));
  adminPost('/admin/units/:id', async (ctx, f) => {
    await updateUnit(deps, ctx.user, idParam(ctx.req.params.id), { timeZone: f.timeZone });
    return undefined;
  });
  adminPost('/admin/units/:id/two-approvals', async (ctx, f) => {
    await updateUnit(deps, ctx.user, idParam(ctx.req.params.id), { twoApprovals: f.on === 'true' });
    return undefined;
  });
  adminPost('/admin/units/:id/pause', async (ctx, f) => {
    await updateUnit(deps, ctx.user, idParam(ctx.req.params.id), { paused: f.paused === 'true' });
    return undefined;
  });
  adminPost('/admin/units/:id/webhook', async (ctx, f) => {
    await addWebhook(deps, ctx.user, idParam(ctx.req.params.id), { url: f.url ?? '', secret: f.secret ?? '', name: f.name ?? '' });
    return undefined;
  });
  channelPost('/admin/units/:id/telegram', async (ctx, f) => {
    const channel = await addTelegram(deps, ctx.user, idParam(ctx.req.params.id), { botToken: f.botToken ?? '', chat: f.chat ?? '', name: f.name ?? '' });
    return { channelId: channel.id, done: 'connected', released: 0 };
  });
  channelPost('/admin/units/:id/facebook', async (ctx, f) => {
    const channel = await addFacebook(deps, ctx.user, idParam(ctx.req.params.id), { pageId: f.pageId ?? '', pageToken: f.pageToken ?? '', name: f.name ?? '' });
    return { channelId: channel.id, done: 'connected', released: 0 };
  });
  channelPost('/admin/units/:id/instagram', async (ctx, f) => {
    const channel = await addInstagram(deps, ctx.user, idParam(ctx.req.params.id), { igUserId: f.igUserId ?? '', token: f.token ?? '', name: f.name ?? '' });
    return { channelId: channel.id, done: 'connected', released: 0 };
  });
  channelPost('/admin/units/:id/x/tokens', async (ctx, f) => {
    const channel = await addXWithTokens(deps, ctx.user, idParam(ctx.req.params.id), { accessToken: f.accessToken ?? '', accessSecret: f.accessSecret ?? '', name: f.name ?? '' });
    return { channelId: channel.id, done: 'connected', released: 0 };
  });
  router.post('/admin/units/:id/x/connect', toConsentPage((ctx) => beginXConnect(deps, ctx.user, idParam(ctx.req.params.id))));
  router.post('/admin/channels/:id/x/connect', toConsentPage((ctx) => reconnectXStart(deps, ctx.user, idParam(ctx.req.params.id))));
  /**
   * Where a platform sends the admin back with a code: finishes the flow, then leaves the address that
   * carried the code (so that it is neither bookmarked nor reloaded); a refusal is shown on the admin page.
   */
  const oauthReturn = (path: string, finish: (ctx: PageCtx, input: { state: string; code?: string | undefined; error?: string | undefined }) => Promise<string>) =>
    router.get(path, page(deps, assets, ['admin'], async (ctx) => {
      const q = ctx.req.query;
      const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 2000) : undefined);
      let next: string;
      try {
        next = await finish(ctx, { state: str(q.state) ?? '', code: str(q.code), error: str(q.error) });
      } catch (err) {
        const r = refusal(ctx, err);
        await admin(ctx, r.flash, r.status);
        return;
      }
      ctx.res.redirect(303, next);
    }));
  const connected = (done: { channel: { id: string }; released: number }) => `/admin?channel=${done.channel.id}&done=connected&released=${String(done.released)}`;
  oauthReturn('/admin/oauth/x/callback', async (ctx, input) => connected(await completeXConnect(deps, ctx.user, input)));
  router.post('/admin/units/:id/instagram/connect', toConsentPage((ctx) => beginInstagramLogin(deps, ctx.user, idParam(ctx.req.params.id))));
  router.post('/admin/channels/:id/instagram/connect', toConsentPage((ctx) => renewInstagramLogin(deps, ctx.user, idParam(ctx.req.params.id))));
  oauthReturn('/admin/oauth/instagram/callback', async (ctx, input) => connected(await completeInstagramLogin(deps, ctx.user, input)));
  router.post('/admin/oauth/meta/connect', toConsentPage((ctx) => beginMetaConnect(deps, ctx.user)));
  oauthReturn('/admin/oauth/meta/callback', async (ctx, input) => `/admin/oauth/meta/pick?id=${encodeURIComponent(await completeMetaConnect(deps, ctx.user, input))}`);
  const metaPick = async (ctx: PageCtx, pickId: string, flash?: Flash, status?: number, chosen?: PagePick[]) => {
    const v = await metaPickView(deps, ctx.user, pickId);
    const again = chosen ? new Map(chosen.map((c) => [c.pageId, { unitId: c.unitId, instagram: c.instagram }])) : undefined;
    await ctx.send(t(ctx.lang, 'metaPickTitle'), metaPickPage(ctx.lang, ctx.csrf, { pickId, ...v, chosen: again, flash }), undefined, status);
  };
  router.get('/admin/oauth/meta/pick', page(deps, assets, ['admin'], async (ctx) => {
    const id = typeof ctx.req.query.id === 'string' ? ctx.req.query.id.slice(0, 100) : '';
    try {
      await metaPick(ctx, id);
    } catch (err) {
      const r = refusal(ctx, err);
      await admin(ctx, r.flash, r.status);
    }
  }));
  router.post('/admin/oauth/meta/pick', page(deps, assets, ['admin'], async (ctx) => {
    const f = formBody(ctx.req);
    const pickId = (f.pick ?? '').slice(0, 100);
    const picks = Object.keys(f)
      .filter((k) => k.startsWith('unit:'))
      .map((k) => ({ pageId: k.slice(5), unitId: f[k] ?? '', instagram: f[`ig:${k.slice(5)}`] === 'yes' }));
    let done;
    try {
      done = await pickMetaPages(deps, ctx.user, pickId, picks);
    } catch (err) {
      // The list is shown again with the admin's choices, while it lasts.
      const r = refusal(ctx, err);
      try {
        await metaPick(ctx, pickId, r.flash, r.status, picks);
      } catch {
        await admin(ctx, r.flash, r.status);
      }
      return;
    }
    // Away from the form, so that a reload repeats nothing; the admin page names what was connected.
    const ids = (renewed: boolean) => done.filter((d) => d.reconnected === renewed).map((d) => d.channel.id).join(',');
    const order = done.map((d) => d.channel.id).join(',');
    const released = done.reduce((n, d) => n + d.released, 0);
    ctx.res.redirect(303, `/admin?done=pages&order=${order}&added=${ids(false)}&renewed=${ids(true)}&released=${String(released)}`);
  }));
  channelPost('/admin/channels/:id/reconnect', async (ctx, f) => {
    const done = await reconnect(deps, ctx.user, idParam(ctx.req.params.id), f);
    return { channelId: done.channel.id, done: 'connected', released: done.released };
  });
  channelPost('/admin/channels/:id/enable', async (ctx) => {
    const id = idParam(ctx.req.params.id);
    return { channelId: id, done: 'enabled', released: await switchChannel(deps, ctx.user, id, true) };
  });
  channelPost('/admin/channels/:id/disable', async (ctx) => {
    const id = idParam(ctx.req.params.id);
    await switchChannel(deps, ctx.user, id, false);
    return { channelId: id, done: 'disabled', released: 0 };
  });
  adminPost('/admin/channels/:id/test', async (ctx) => {
    const r = await testChannel(deps, ctx.user, idParam(ctx.req.params.id));
    return { text: `${t(ctx.lang, 'testConnection')}: ${pick(ctx.lang, r.detail)}${releasedText(ctx.lang, r.released)}`, error: !r.ok };
  });
  adminPost('/admin/settings/totp', async (ctx, f) => {
    await setTotpRule(deps, ctx.user, f.on === 'true');
    return undefined;
  });

  router.use(webErrors(deps, assets));
  return router;
}

/** Errors on pages answer as pages; another unit's post is simply not found. */
function webErrors(deps: WebDeps, assets: AssetStore): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (req.path.startsWith('/api/') || res.headersSent) {
      next(err);
      return;
    }
    const lang = langOf(req);
    const kind = isAppError(err) ? err.kind : 'internal';
    // Body-parser errors (too large, bad charset, aborted) carry their own 4xx: the user's, not ours.
    const own = (err as { status?: unknown }).status;
    const clientStatus = !isAppError(err) && typeof own === 'number' && own >= 400 && own < 500 ? own : undefined;
    const status = clientStatus ?? STATUS[kind];
    if (status === 500) deps.log.error({ err, path: req.path }, 'web page failed');
    const text = status === 404 ? t(lang, 'notFound') : isAppError(err) && status !== 500 ? pick(lang, err.text) : t(lang, 'error');
    // Back to where the person was: the page the form named, else the post a post's action was about.
    const form = req.method === 'POST' && typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
    const postPage = /^\/posts\/([0-9a-f-]{36})\//.exec(req.path)?.[1];
    const backTo = typeof form.back === 'string' ? safeNext(form.back) : postPage && status !== 404 ? `/posts/${postPage}` : '/';
    res
      .status(status)
      .type('html')
      .set('Cache-Control', 'no-store')
      .send(layout({ lang, title: t(lang, 'error'), assets, path: req.originalUrl }, html`<h1>${t(lang, 'error')}</h1><p class="flash err" data-error="${status}">${text}</p><p><a class="button secondary" href="${backTo}">${t(lang, 'back')}</a></p>`));
  };
}
