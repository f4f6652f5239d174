// Sign-in, second factor, sign-out, the language switch and the first run's set-up. Each sign-in step
// issues a new session id.
import { randomBytes } from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import { SetupInput, checkSetupToken, completeSetup, isSetUp, setupErrors, setupIssueText, setupToken } from '../setup/first-run';
import { revokeTokens } from '../users/token.repository';
import { findUserByEmail } from '../users/user.repository';
import type { AssetStore } from './assets';
import { type Html, html } from './html';
import { type Lang, type MessageKey, langOf, pick, t, waitMessage } from './i18n';
import { qrCodeSvg } from './qr-code';
import { layout } from './layout.page';
import { loginPage, passwordPage, totpPage, totpSetupPage } from './login.page';
import { notSetUpNotice, setupPage } from './setup.page';
import { clearFailures, reserveAttempt } from './login-throttle.repository';
import { KNOWN_DEVICE_COOKIE, KNOWN_DEVICE_DAYS, credentialMark, readKnownDevices, rememberDevice, reserveSignIn, signInSucceeded } from './sign-in-throttle';
import { safeNext } from './page-context';
import { PASSWORD_MIN, checkPassword, hashPassword, setPassword } from './password-hash';
import { type SessionStage, createSession, deleteSession, deleteUserSessions } from './session.repository';
import { LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE, assertCsrf, csrfRejected, readCookies, sameSecret, sessionFromRequest } from './session-auth';
import { matchTotp, newTotpSecret, otpauthUri } from './totp';
import { requiresTotp } from './web-settings.repository';
import type { WebDeps } from './web-deps';

export function loginRoutes(deps: WebDeps, assets: AssetStore): Router {
  const router = Router();
  const cookieBase = { httpOnly: true, sameSite: 'lax' as const, secure: deps.cookieSecure, path: '/' };

  const bare = (req: Request, res: Response, title: string, body: Html, status = 200): Promise<void> => {
    res.status(status).type('html').set('Cache-Control', 'no-store').send(layout({ lang: langOf(req), title, assets, path: req.originalUrl }, body));
    return Promise.resolve();
  };

  const startSession = async (req: Request, res: Response, userId: string, stage: SessionStage) => {
    // Whatever session id the browser brought (perhaps planted by someone else) dies here.
    const old = readCookies(req)[SESSION_COOKIE];
    if (old) await deleteSession(deps.db, old);
    const { cookieValue } = await createSession(deps.db, { userId, stage, now: deps.now(), ttlHours: deps.sessionTtlHours });
    res.cookie(SESSION_COOKIE, cookieValue, { ...cookieBase, maxAge: deps.sessionTtlHours * 3_600_000 });
  };

  /** Once the second factor (if any) is passed: a handed-over password is replaced first, then TOTP enrolled where required. */
  const stageAfterSecondFactor = async (userId: string): Promise<SessionStage> => {
    const u = await deps.db.selectFrom('users').select(['role', 'totp_secret', 'password_must_change']).where('id', '=', userId).executeTakeFirstOrThrow();
    if (u.password_must_change) return 'password';
    return !u.totp_secret && (await requiresTotp(deps.db, u.role)) ? 'enroll' : 'full';
  };
  const landing = (stage: SessionStage, next: string): string =>
    stage === 'password' ? '/account/password' : stage === 'enroll' ? '/account/totp' : stage === 'totp' ? '/login/totp' : next;

  /** proveHolder's refusal in words; the limit says how long is left to wait. */
  const said = (lang: Lang, refused: Refusal): string => (refused.key === 'throttledCheck' && refused.until ? waitMessage(lang, refused.key, refused.until, deps.now()) : t(lang, refused.key));
  type Refusal = { key: MessageKey; until?: Date };

  /**
   * A change to how the account signs in (its password, its second factor) takes the current password, and
   * the current code where TOTP is on: a session left open on a shared computer, or stolen, must not be able
   * to take the account over. Wrong answers count like failed sign-ins, so a borrowed session cannot guess.
   * The code given here is spent, as at sign-in.
   */
  const proveHolder = async (userId: string, body: Record<string, string | undefined>): Promise<Refusal | undefined> => {
    const keys = [`reauth:${userId}`];
    const until = await reserveAttempt(deps.db, keys, deps.loginLimit, deps.now());
    if (until) return { key: 'throttledCheck', until };
    const u = await deps.db.selectFrom('users').select(['password_hash', 'totp_secret', 'totp_last_step']).where('id', '=', userId).executeTakeFirstOrThrow();
    if (!(await checkPassword(body.currentPassword ?? '', u.password_hash)).ok) return { key: 'badCurrentPassword' };
    if (u.totp_secret) {
      const step = matchTotp(deps.box.open(u.totp_secret), (body.currentCode ?? '').trim(), deps.now(), u.totp_last_step === null ? null : Number(u.totp_last_step));
      if (step === undefined) return { key: 'badTotp' };
      const taken = await deps.db
        .updateTable('users')
        .set({ totp_last_step: step })
        .where('id', '=', userId)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 0) return { key: 'badTotp' };
    }
    await clearFailures(deps.db, keys);
    return undefined;
  };

  /** The two-step set-up page for `secret`: its key, its QR code and link, and `message` when a try was refused. */
  const totpSetupFor = async (lang: Lang, session: { csrfToken: string; stage: SessionStage; user: { email: string } }, secret: string, replacing: boolean, message?: string): Promise<Html> => {
    const uri = otpauthUri(secret, session.user.email);
    return totpSetupPage(lang, session.csrfToken, secret, uri, await qrCodeSvg(uri, t(lang, 'totpQrLabel')), session.stage === 'enroll', message, replacing);
  };

  const loginCsrf = (req: Request, res: Response): string => {
    const existing = readCookies(req)[LOGIN_CSRF_COOKIE];
    if (existing && /^[A-Za-z0-9_-]{32,}$/.test(existing)) return existing;
    const token = randomBytes(24).toString('base64url');
    res.cookie(LOGIN_CSRF_COOKIE, token, { ...cookieBase, maxAge: 3_600_000 });
    return token;
  };

  router.get('/login', async (req, res) => {
    const lang = langOf(req);
    const token = await setupToken(deps.db, deps.setupKey, deps.now());
    // The set-up token never travels in a page: a reverse proxy on the server's own machine makes every
    // visitor look local. The page says where the person who started the server finds the link.
    const notice = token === undefined ? (req.query.setup === 'done' ? html`<p class="flash" role="status" data-set-up>${pick(lang, setupErrors.done().text)}</p>` : '') : notSetUpNotice(lang);
    await bare(req, res, t(lang, 'signIn'), html`${notice}${loginPage(lang, loginCsrf(req, res), safeNext(req.query.next))}`);
  });

  const blankSetup = { unitName: '', timeZone: 'Asia/Jakarta', adminName: '', email: '' };
  router.get('/setup', async (req, res) => {
    const lang = langOf(req);
    if (await isSetUp(deps.db)) return res.redirect(303, '/login?setup=done');
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    await checkSetupToken(deps.db, deps.setupKey, token);
    await bare(req, res, t(lang, 'setupTitle'), setupPage(lang, loginCsrf(req, res), token, blankSetup));
  });

  router.post('/setup', async (req, res) => {
    const lang = langOf(req);
    const body = formBody(req);
    if (!sameSecret(body._csrf, readCookies(req)[LOGIN_CSRF_COOKIE])) throw csrfRejected();
    const token = body.token ?? '';
    await checkSetupToken(deps.db, deps.setupKey, token);
    const values = { unitName: body.unitName ?? '', timeZone: body.timeZone ?? '', adminName: body.adminName ?? '', email: body.email ?? '' };
    const again = (message: string) => bare(req, res, t(lang, 'setupTitle'), setupPage(lang, loginCsrf(req, res), token, values, message), 422);
    if ((body.password ?? '') !== (body.confirm ?? '')) return again(t(lang, 'passwordMismatch'));
    const input = SetupInput.safeParse({ ...values, password: body.password ?? '' });
    if (!input.success) {
      const fields: Record<string, MessageKey> = { unitName: 'setupUnitName', timeZone: 'zone', adminName: 'name', email: 'email', password: 'password' };
      return again(input.error.issues.map((i) => `${t(lang, fields[String(i.path[0])] ?? 'name')}: ${setupIssueText(i)[lang]}`).join('; '));
    }
    const { userId } = await completeSetup(deps.db, deps.setupKey, token, input.data);
    deps.log.info({ userId }, 'first run: set up');
    const stage = await stageAfterSecondFactor(userId);
    await startSession(req, res, userId, stage);
    res.redirect(303, landing(stage, '/admin'));
  });

  router.post('/login', async (req, res) => {
    const lang = langOf(req);
    const body = formBody(req);
    if (!sameSecret(body._csrf, readCookies(req)[LOGIN_CSRF_COOKIE])) throw csrfRejected();
    const email = (body.email ?? '').trim().toLowerCase();
    const next = safeNext(body.next);
    const again = (status: number, message: string) => bare(req, res, t(lang, 'signIn'), loginPage(lang, loginCsrf(req, res), next, message, email.slice(0, 320)), status);
    const user = email ? await findUserByEmail(deps.db, email) : undefined;
    // How failures are limited, and why this browser may be exempt from an attack on its account: sign-in-throttle.ts.
    const known = readKnownDevices(deps.box, readCookies(req)[KNOWN_DEVICE_COOKIE], deps.now());
    const mark = user ? credentialMark(user.password_hash) : undefined;
    const client = { email, ip: req.ip ?? 'unknown', device: user ? known.find((e) => e.u === user.id && e.k === mark)?.d : undefined };
    const waitUntil = await reserveSignIn(deps.db, client, deps.loginLimit, deps.now());
    if (waitUntil) {
      res.set('Retry-After', String(Math.max(1, Math.ceil((waitUntil.getTime() - deps.now().getTime()) / 1000))));
      return again(429, waitMessage(lang, 'throttled', waitUntil, deps.now()));
    }
    const check = await checkPassword(body.password ?? '', user?.password_hash ?? null);
    if (!user || !check.ok || user.disabled) return again(401, t(lang, 'badLogin'));
    await signInSucceeded(deps.db, client);
    let passwordHash = user.password_hash;
    if (check.upgrade) {
      passwordHash = await hashPassword(body.password ?? '');
      await deps.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', user.id).execute();
    }
    res.cookie(KNOWN_DEVICE_COOKIE, rememberDevice(deps.box, known, user.id, credentialMark(passwordHash), deps.now()), { ...cookieBase, maxAge: KNOWN_DEVICE_DAYS * 86_400_000 });
    const stage: SessionStage = user.totp_secret ? 'totp' : await stageAfterSecondFactor(user.id);
    await startSession(req, res, user.id, stage);
    res.redirect(303, stage === 'totp' ? `/login/totp?next=${encodeURIComponent(next)}` : landing(stage, next));
  });

  router.get('/login/totp', async (req, res) => {
    const session = await sessionFromRequest(deps.db, req, deps.now());
    if (session?.stage !== 'totp') return res.redirect(303, '/login');
    const lang = langOf(req);
    await bare(req, res, t(lang, 'totpTitle'), totpPage(lang, session.csrfToken));
  });

  router.post('/login/totp', async (req, res) => {
    const session = await sessionFromRequest(deps.db, req, deps.now());
    if (session?.stage !== 'totp') return res.redirect(303, '/login');
    assertCsrf(req, session);
    const lang = langOf(req);
    const keys = [`totp:${session.user.id}`];
    const waitUntil = await reserveAttempt(deps.db, keys, deps.loginLimit, deps.now());
    if (waitUntil) {
      return bare(req, res, t(lang, 'totpTitle'), totpPage(lang, session.csrfToken, waitMessage(lang, 'throttled', waitUntil, deps.now())), 429);
    }
    const user = await deps.db.selectFrom('users').select(['totp_secret', 'totp_last_step']).where('id', '=', session.user.id).executeTakeFirstOrThrow();
    const step = user.totp_secret
      ? matchTotp(deps.box.open(user.totp_secret), (formBody(req).code ?? '').trim(), deps.now(), user.totp_last_step === null ? null : Number(user.totp_last_step))
      : undefined;
    if (step === undefined) return bare(req, res, t(lang, 'totpTitle'), totpPage(lang, session.csrfToken, t(lang, 'badTotp')), 401);
    // The step is taken only if no other request took it (or a later one) first: a code works once.
    const taken = await deps.db
      .updateTable('users')
      .set({ totp_last_step: step })
      .where('id', '=', session.user.id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 0) return bare(req, res, t(lang, 'totpTitle'), totpPage(lang, session.csrfToken, t(lang, 'badTotp')), 401);
    await clearFailures(deps.db, keys);
    const stage = await stageAfterSecondFactor(session.user.id);
    await startSession(req, res, session.user.id, stage);
    res.redirect(303, landing(stage, safeNext(req.query.next)));
  });

  router.get('/account/totp', async (req, res) => {
    const session = await sessionFromRequest(deps.db, req, deps.now());
    if (!session || session.stage === 'totp') return res.redirect(303, '/login');
    const lang = langOf(req);
    const secret = newTotpSecret();
    const current = await deps.db.selectFrom('users').select('totp_secret').where('id', '=', session.user.id).executeTakeFirstOrThrow();
    await bare(req, res, t(lang, 'totpSetup'), await totpSetupFor(lang, session, secret, current.totp_secret !== null));
  });

  router.post('/account/totp', async (req, res) => {
    const session = await sessionFromRequest(deps.db, req, deps.now());
    if (!session || session.stage === 'totp') return res.redirect(303, '/login');
    assertCsrf(req, session);
    const lang = langOf(req);
    const body = formBody(req);
    const typedSecret = (body.secret ?? '').trim();
    // The key comes back from the page; one that is not a key the server issued gets a new one in the form shown again.
    const wellFormed = /^[A-Z2-7]{32}$/.test(typedSecret);
    const secret = wellFormed ? typedSecret : newTotpSecret();
    const current = await deps.db.selectFrom('users').select(['totp_secret']).where('id', '=', session.user.id).executeTakeFirstOrThrow();
    // Enrolling or replacing a second factor takes the password, and the factor in place: a borrowed session
    // must not be able to swap it or enrol its own.
    const again = async (message: string, status: number) => bare(req, res, t(lang, 'totpSetup'), await totpSetupFor(lang, session, secret, current.totp_secret !== null, message), status);
    const refused = await proveHolder(session.user.id, body);
    if (refused) return again(said(lang, refused), refused.key === 'throttledCheck' ? 429 : 403);
    const step = wellFormed ? matchTotp(secret, (body.code ?? '').trim(), deps.now(), null) : undefined;
    if (step === undefined) return again(t(lang, 'badTotp'), 422);
    // Sealed like channel secrets: a copy of the users table alone cannot mint codes.
    await deps.db.updateTable('users').set({ totp_secret: deps.box.seal(secret), totp_last_step: step }).where('id', '=', session.user.id).execute();
    // Every other session of the user began under the old factor.
    await deleteUserSessions(deps.db, session.user.id);
    await startSession(req, res, session.user.id, 'full');
    res.redirect(303, '/account?totp=on');
  });

  router.get('/account/password', async (req, res) => {
    const session = await sessionFromRequest(deps.db, req, deps.now());
    if (!session || session.stage === 'totp' || session.stage === 'enroll') return res.redirect(303, '/login');
    await bare(req, res, t(langOf(req), 'newPassword'), passwordPage(langOf(req), session.csrfToken, session.stage === 'password', undefined, session.user.hasTotp));
  });

  router.post('/account/password', async (req, res) => {
    const session = await sessionFromRequest(deps.db, req, deps.now());
    if (!session || session.stage === 'totp' || session.stage === 'enroll') return res.redirect(303, '/login');
    assertCsrf(req, session);
    const lang = langOf(req);
    const body = formBody(req);
    const password = body.password ?? '';
    const problem =
      password.length < PASSWORD_MIN || password.length > 200 ? t(lang, 'passwordTooShort') : password !== (body.confirm ?? '') ? t(lang, 'passwordMismatch') : undefined;
    const form = (message: string) => passwordPage(lang, session.csrfToken, session.stage === 'password', message, session.user.hasTotp);
    if (problem) return bare(req, res, t(lang, 'newPassword'), form(problem), 422);
    const refused = await proveHolder(session.user.id, body);
    if (refused) return bare(req, res, t(lang, 'newPassword'), form(said(lang, refused)), refused.key === 'throttledCheck' ? 429 : 403);
    await setPassword(deps.db, session.user.id, password);
    await deps.db.updateTable('users').set({ password_must_change: false }).where('id', '=', session.user.id).execute();
    // Whoever knew the old password keeps no session and no API token made with it.
    await deleteUserSessions(deps.db, session.user.id);
    await revokeTokens(deps.db, session.user.id, deps.now());
    const stage = await stageAfterSecondFactor(session.user.id);
    await startSession(req, res, session.user.id, stage);
    res.redirect(303, landing(stage, '/'));
  });

  router.post('/logout', async (req, res) => {
    const cookie = readCookies(req)[SESSION_COOKIE];
    const session = await sessionFromRequest(deps.db, req, deps.now());
    if (session) assertCsrf(req, session);
    if (cookie) await deleteSession(deps.db, cookie);
    res.clearCookie(SESSION_COOKIE, cookieBase);
    res.redirect(303, '/login');
  });

  router.get('/lang', (req, res) => {
    const to: Lang = req.query.to === 'en' ? 'en' : 'id';
    res.cookie(LANG_COOKIE, to, { ...cookieBase, httpOnly: false, maxAge: 365 * 86_400_000 });
    res.redirect(303, safeNext(req.query.back));
  });

  router.get('/', async (req, res) => {
    const session = await sessionFromRequest(deps.db, req, deps.now());
    if (!session) return res.redirect(303, '/login');
    res.redirect(303, session.user.role === 'operator' ? '/compose' : session.user.role === 'supervisor' ? '/inbox' : '/admin');
  });

  return router;
}

/** Fields of a urlencoded form; anything that is not a plain string is dropped. */
export function formBody(req: Request): Record<string, string | undefined> {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(Object.entries(body as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * A browser on the server's own machine: a loopback peer, asking for a loopback name, through no proxy.
 * A reverse proxy on the same machine forwards the public name or a Forwarded header, so it is not one.
 */
