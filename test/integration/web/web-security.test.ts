// Sign-in security over plain HTTP: CSRF, session fixation, the sign-in limit, TOTP.
import { type Harness, type World, seedWorld, startHarness } from '../../support/harness';
import { addUser } from '../../../services/users/user.repository';
import { setPassword } from '../../../services/web/password-hash';
import { totpAt } from '../../../services/web/totp';
import { setTotpRequiredForPrivileged } from '../../../services/web/web-settings.repository';

const PASSWORD = 'kata-sandi-rahasia-123';
let h: Harness;
let world: World;
const emails: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness({ LOGIN_RATE_LIMIT_ATTEMPTS: '3', LOGIN_RATE_LIMIT_WINDOW_SECONDS: '600' });
  const db = h.siaran.database.db;
  world = await seedWorld(db);
  for (const [key, id] of Object.entries(world.users)) {
    await setPassword(db, id, PASSWORD);
    emails[key] = (await db.selectFrom('users').select('email').where('id', '=', id).executeTakeFirstOrThrow()).email;
  }
});
afterAll(async () => {
  await h.close();
});

/** A cookie jar of one browser, enough for these flows. */
function browser(ip = '127.0.0.1') {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  async function go(method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetch(`${h.url}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        cookie: cookieHeader(),
        'x-forwarded-for': ip,
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /Expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(name);
      else jar.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), text: await res.text(), setCookie: res.headers.getSetCookie() };
  }
  const loginCsrf = async () => {
    const page = await go('GET', '/login');
    return /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  };
  const pageCsrf = async (path: string) => /name="_csrf" value="([^"]+)"/.exec((await go('GET', path)).text)![1]!;
  return { jar, go, loginCsrf, pageCsrf };
}

describe('sign-in', () => {
  test('when the login form comes without its CSRF token, then 403 and no session', async () => {
    const b = browser();
    await b.loginCsrf();
    const res = await b.go('POST', '/login', { email: emails.operator!, password: PASSWORD });
    expect(res.status).toBe(403);
    expect(b.jar.has('siaran_sid')).toBe(false);
  });

  test('when a signed-in form is posted without the session CSRF token, then 403; with it, it works', async () => {
    const b = browser();
    const csrf = await b.loginCsrf();
    const login = await b.go('POST', '/login', { _csrf: csrf, email: emails.operator!, password: PASSWORD });
    expect(login.status).toBe(303);
    const cookie = login.setCookie.find((c) => c.startsWith('siaran_sid='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const bad = await b.go('POST', '/logout', { _csrf: 'not-the-token' });
    expect(bad.status).toBe(403);
    // The cookie alone does not move the API either.
    const api = await b.go('POST', '/api/v1/posts', undefined, { 'content-type': 'application/json' });
    expect(api.status).toBe(403);
    expect((await b.go('GET', '/api/v1/me')).status).toBe(200);
    const good = await b.go('POST', '/logout', { _csrf: await b.pageCsrf('/account') });
    expect(good.status).toBe(303);
    expect((await b.go('GET', '/api/v1/me')).status).toBe(401);
  });

  test('when a browser brings a planted session id, then sign-in issues a new one and the old one is dead', async () => {
    const b = browser();
    const first = await b.loginCsrf();
    await b.go('POST', '/login', { _csrf: first, email: emails.supervisor!, password: PASSWORD });
    const before = b.jar.get('siaran_sid')!;
    const again = await b.go('POST', '/login', { _csrf: first, email: emails.supervisor!, password: PASSWORD });
    expect(again.status).toBe(303);
    const after = b.jar.get('siaran_sid')!;
    expect(after).not.toBe(before);
    const stale = await fetch(`${h.url}/api/v1/me`, { headers: { cookie: `siaran_sid=${before}` } });
    expect(stale.status).toBe(401);
    const fresh = await fetch(`${h.url}/api/v1/me`, { headers: { cookie: `siaran_sid=${after}` } });
    expect(fresh.status).toBe(200);
  });

  test('bearer tokens keep working beside sessions', async () => {
    const res = await fetch(`${h.url}/api/v1/me`, { headers: { authorization: `Bearer ${world.tokens.operator}` } });
    expect(res.status).toBe(200);
  });
});

describe('TOTP', () => {
  test('when an admin requires TOTP, a supervisor enrols, then every sign-in needs a fresh code', async () => {
    const db = h.siaran.database.db;
    await setTotpRequiredForPrivileged(db, true, new Date());
    try {
      const b = browser('10.0.0.8');
      const csrf = await b.loginCsrf();
      const login = await b.go('POST', '/login', { _csrf: csrf, email: emails.otherSupervisor!, password: PASSWORD });
      expect(login.location).toBe('/account/totp');
      // Half signed in: the API and the pages stay shut.
      expect((await b.go('GET', '/api/v1/me')).status).toBe(401);
      expect((await b.go('GET', '/inbox')).location).toBe('/account/totp');
      const setup = await b.go('GET', '/account/totp');
      const secret = /name="secret" value="([A-Z2-7]+)"/.exec(setup.text)![1]!;
      const sessionCsrf = /name="_csrf" value="([^"]+)"/.exec(setup.text)![1]!;
      expect((await b.go('POST', '/account/totp', { _csrf: sessionCsrf, secret, code: '000000', currentPassword: PASSWORD })).status).toBe(422);
      // The code and its moment are kept: the 30-second step may roll over before the replay below.
      const enrolledAt = new Date();
      const enrolCode = totpAt(secret, enrolledAt);
      const enrolled = await b.go('POST', '/account/totp', { _csrf: sessionCsrf, secret, code: enrolCode, currentPassword: PASSWORD });
      // At rest the secret is sealed: a copy of the users table alone cannot mint codes.
      const stored = await h.siaran.database.db.selectFrom('users').select('totp_secret').where('id', '=', world.users.otherSupervisor).executeTakeFirstOrThrow();
      expect(stored.totp_secret).not.toContain(secret);
      expect(enrolled.status).toBe(303);
      expect((await b.go('GET', '/api/v1/me')).status).toBe(200);

      const b2 = browser('10.0.0.9');
      const csrf2 = await b2.loginCsrf();
      const step1 = await b2.go('POST', '/login', { _csrf: csrf2, email: emails.otherSupervisor!, password: PASSWORD });
      expect(step1.location).toMatch(/^\/login\/totp/);
      const halfId = b2.jar.get('siaran_sid');
      expect((await b2.go('GET', '/api/v1/me')).status).toBe(401);
      const form = await b2.go('GET', '/login/totp');
      const c2 = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
      // The code used at enrolment is spent: a replay fails.
      expect((await b2.go('POST', '/login/totp', { _csrf: c2, code: enrolCode })).status).toBe(401);
      const next = totpAt(secret, new Date(enrolledAt.getTime() + 30_000));
      const ok = await b2.go('POST', '/login/totp', { _csrf: c2, code: next });
      expect(ok.status).toBe(303);
      expect(b2.jar.get('siaran_sid')).not.toBe(halfId);
      expect((await b2.go('GET', '/api/v1/me')).status).toBe(200);
    } finally {
      await setTotpRequiredForPrivileged(db, false, new Date());
    }
  });

  test('the TOTP code matches RFC 6238 test vector', () => {
    // RFC 6238 appendix B, SHA-1 secret "12345678901234567890" at T=59 s: 94287082 (8 digits); we keep the last 6.
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(totpAt(secret, new Date(59_000))).toBe('287082');
  });
});

describe('the sign-in limit', () => {
  test('admin form mistakes are 4xx pages, never 500s', async () => {
    const b = browser();
    const login = await b.go('POST', '/login', { _csrf: await b.loginCsrf(), email: emails.admin!, password: PASSWORD });
    expect(login.status).toBe(303);
    const csrf = await b.pageCsrf('/admin');
    const badRole = await b.go('POST', '/admin/users', { _csrf: csrf, email: 'baru@test.siaran', name: 'Baru', unitId: world.units.polres, role: 'raja' });
    expect(badRole.status).toBe(422);
    // The refused form comes back as typed, to be corrected rather than typed again.
    expect(badRole.text).toContain('value="baru@test.siaran"');
    expect(badRole.text).toContain('value="Baru"');
    const badHook = await b.go('POST', `/admin/units/${world.units.polres}/webhook`, { _csrf: csrf, url: 'https://kominfo.test/terima', name: 'Kominfo', secret: 'rahasia-pendek' });
    expect(badHook.status).toBe(422);
    expect(badHook.text).toContain('value="https://kominfo.test/terima"');
    expect(badHook.text).toContain('value="Kominfo"');
    expect(badHook.text).not.toContain('rahasia-pendek');
    // The refusal is inside the refused form, naming its unit and what was being done, and the answer opens
    // scrolled to it (the form's id is its action's fragment); nothing is said at the top of the long page.
    const hookForm = `admin-units-${world.units.polres}-webhook`;
    expect(badHook.text).toMatch(
      new RegExp(
        `<details open><summary>Tambah kanal webhook</summary><form method="post" action="/admin/units/${world.units.polres}/webhook#${hookForm}" id="${hookForm}">` +
          `<div class="flash err" role="alert" data-refused><strong>Polres [^<]+ · Tambah kanal webhook</strong> — Rahasia webhook minimal 16 karakter\\. Ketik rahasia yang lebih panjang[^<]* Demi keamanan, rahasia dan token tidak diisi ulang: ketik lagi\\.</div>`,
      ),
    );
    expect(badHook.text).not.toContain('role="status"');
    expect(badRole.text).toMatch(/<form method="post" action="\/admin\/users#admin-users" id="admin-users" class="card"><div class="flash err" role="alert" data-refused><strong>Undang pengguna<\/strong> — /);
    expect(badRole.text).toContain('<option value="">— pilih peran —</option>');
    // Corrected, it is added; the admin page shows an admin the whole address (operators see only its host).
    const added = await b.go('POST', `/admin/units/${world.units.polres}/webhook`, { _csrf: csrf, url: 'https://kominfo.test/terima/siaran', name: 'Kominfo', secret: 'rahasia-webhook-panjang-sekali' });
    expect(added.status).toBeLessThan(400);
    // Its success is told where the admin is: in the form just sent (open), not at the top of the page.
    expect(added.text).toContain(`<details open><summary>Tambah kanal webhook</summary><form method="post" action="/admin/units/${world.units.polres}/webhook#${hookForm}" id="${hookForm}"><div class="flash" role="status">`);
    // A typed address is filled back without its user name and password.
    const withUser = await b.go('POST', `/admin/units/${world.units.polres}/webhook`, { _csrf: csrf, url: 'https://pengguna:sandi-rahasia@kominfo.test/x', name: 'K', secret: 'rahasia-webhook-panjang-sekali' });
    expect(withUser.status).toBe(422);
    expect(withUser.text).toContain('value="https://kominfo.test/x"');
    expect(withUser.text).not.toContain('sandi-rahasia');
    expect((await b.go('GET', '/admin')).text).toContain('<span class="address" data-webhook-url>https://kominfo.test/terima/siaran</span>');
    const badZone = await b.go('POST', `/admin/units/${world.units.polres}`, { _csrf: csrf, timeZone: 'Bogus/Zone' });
    expect(badZone.status).toBe(422);
    const huge = await b.go('POST', '/admin/users', { _csrf: csrf, name: 'x'.repeat(200_000) });
    expect(huge.status).toBe(413);
    const dashes = await b.go('GET', '/api/v1/photos/------------------------------------');
    expect(dashes.status).toBe(404);
  });

  test('only an admin of the top unit may change the nationwide two-factor rule', async () => {
    const db = h.siaran.database.db;
    const slug = (await db.selectFrom('units').select('slug').where('id', '=', world.units.polres).executeTakeFirstOrThrow()).slug;
    const local = await addUser(db, { email: 'admin-polres@test.siaran', name: 'Admin Polres', unitSlug: slug, role: 'admin' });
    await setPassword(db, local.id, PASSWORD);
    const b = browser();
    expect((await b.go('POST', '/login', { _csrf: await b.loginCsrf(), email: 'admin-polres@test.siaran', password: PASSWORD })).status).toBe(303);
    const res = await b.go('POST', '/admin/settings/totp', { _csrf: await b.pageCsrf('/admin'), on: 'true' });
    expect(res.status).toBe(403);
    const setting = await db.selectFrom('web_settings').selectAll().execute();
    expect(JSON.stringify(setting)).not.toMatch(/"value":"?true/);
  });

  test('a password an admin hands over works once: its holder must choose their own, and the reset is on the record', async () => {
    const db = h.siaran.database.db;
    const adminBrowser = browser();
    expect((await adminBrowser.go('POST', '/login', { _csrf: await adminBrowser.loginCsrf(), email: emails.admin!, password: PASSWORD })).status).toBe(303);
    const reset = await adminBrowser.go('POST', `/admin/users/${world.users.poldaSupervisor}/reset`, { _csrf: await adminBrowser.pageCsrf('/admin') });
    expect(reset.status).toBe(200);
    const audit = await db.selectFrom('admin_events').selectAll().where('subject_id', '=', world.users.poldaSupervisor).execute();
    expect(audit.map((e) => [e.type, e.actor_id])).toEqual([['user.password_reset', world.users.admin]]);
    await expect(db.deleteFrom('admin_events').execute()).rejects.toThrow(/append-only/);

    const handedOver = 'handed-over-password-1';
    await setPassword(db, world.users.poldaSupervisor, handedOver);
    const b = browser();
    const login = await b.go('POST', '/login', { _csrf: await b.loginCsrf(), email: emails.poldaSupervisor!, password: handedOver });
    expect(login.location).toBe('/account/password');
    expect((await b.go('GET', '/inbox')).location).toBe('/account/password');
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await b.go('GET', '/account/password')).text)![1]!;
    expect((await b.go('GET', '/api/v1/me')).status).toBe(401);
    expect((await b.go('POST', '/account/password', { _csrf: csrf, currentPassword: handedOver, password: 'pendek', confirm: 'pendek' })).status).toBe(422);
    const chosen = await b.go('POST', '/account/password', { _csrf: csrf, currentPassword: handedOver, password: 'pilihan-sendiri-123', confirm: 'pilihan-sendiri-123' });
    expect(chosen.status).toBe(303);
    expect((await b.go('GET', '/inbox')).status).toBe(200);
    const row = await db.selectFrom('users').select('password_must_change').where('id', '=', world.users.poldaSupervisor).executeTakeFirstOrThrow();
    expect(row.password_must_change).toBe(false);
  });

  test('when the limit of failed sign-ins is used up, then even the right password waits', async () => {
    const b = browser('10.0.0.7');
    const csrf = await b.loginCsrf();
    for (let i = 0; i < 3; i++) {
      expect((await b.go('POST', '/login', { _csrf: csrf, email: emails.admin!, password: 'salah-salah-salah' })).status).toBe(401);
    }
    const blocked = await b.go('POST', '/login', { _csrf: csrf, email: emails.admin!, password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(b.jar.has('siaran_sid')).toBe(false);
  });


  test('guesses sent all at once still stop at the limit', async () => {
    const b = browser();
    const csrf = await b.loginCsrf();
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => b.go('POST', '/login', { _csrf: csrf, email: emails.otherSupervisor!, password: 'tebakan-salah-123' })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((x) => x === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThanOrEqual(9);
  });
});
