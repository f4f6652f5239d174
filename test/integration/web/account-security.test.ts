// Accounts under fire: API tokens that can be revoked, changes to how one signs in that take proof, a sign-in
// limit an attacker cannot turn against the real user or an office, the second factor on API calls made with a
// session, sign-in work that does not tell which addresses have accounts, and invitations that do not either.
import { type Harness, type World, seedWorld, startHarness, unitSlug } from '../../support/harness';
import { browserAt } from '../../support/web-browser';
import { describeResult, executeCommand, parseCommand } from '../../../services/cli/commands';
import { DateTime } from 'luxon';
import QRCode from 'qrcode';
import { hashPassword, hashWork } from '../../../services/users/passwords';
import { createToken } from '../../../services/users/token.repository';
import { addUser } from '../../../services/users/user.repository';
import { setPassword } from '../../../services/web/password-hash';
import { totpAt } from '../../../services/web/totp';
import { setTotpRequiredForPrivileged } from '../../../services/web/web-settings.repository';
import { testDbKind } from '../../support/test-db';

const PASSWORD = 'kata-sandi-rahasia-123';
let h: Harness;
let world: World;
const emails: Record<string, string> = {};

beforeAll(async () => {
  // Three failures a window keeps the tests short; the addresses come from X-Forwarded-For through a loopback proxy.
  h = await startHarness({ LOGIN_RATE_LIMIT_ATTEMPTS: '3', LOGIN_RATE_LIMIT_WINDOW_SECONDS: '600', TRUST_PROXY: 'loopback' });
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

const browser = (ip?: string) => browserAt(h.url, ip);
const db = () => h.siaran.database.db;
const me = (token: string) => fetch(`${h.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });

let passwordHash: Promise<string> | undefined;
/** A fresh account in Polres Tulangbawang Barat with PASSWORD (hashed once: argon2 is slow on purpose). */
async function person(name: string, role: 'operator' | 'supervisor' | 'admin' = 'operator', unitId = world.units.polres) {
  const user = await addUser(db(), { email: `${name}.${Math.random().toString(36).slice(2, 8)}@test.siaran`, name, unitSlug: await unitSlug(db(), unitId), role });
  passwordHash ??= hashPassword(PASSWORD);
  await db().updateTable('users').set({ password_hash: await passwordHash }).where('id', '=', user.id).execute();
  return user;
}
/** Tests that sign in many times: each sign-in verifies an argon2 hash, slow on a busy machine. */
const MANY_SIGN_INS_MS = 240_000;
const onPostgres = testDbKind() === 'postgres' ? describe : describe.skip;

describe('API tokens can be revoked', () => {
  test('the account page lists its holder\'s own tokens without the secret, and its button revokes one', async () => {
    const u = await person('pemilik-token');
    const mine = await createToken(db(), u.id, { label: 'laptop-kantor', days: 30 });
    const other = await person('orang-lain');
    const theirs = await createToken(db(), other.id, { label: 'punya-orang-lain', days: 30 });
    const theirId = (await db().selectFrom('api_tokens').select('id').where('user_id', '=', other.id).executeTakeFirstOrThrow()).id;
    const myId = (await db().selectFrom('api_tokens').select('id').where('user_id', '=', u.id).executeTakeFirstOrThrow()).id;
    const b = browser();
    expect((await b.signIn(u.email, PASSWORD)).status).toBe(303);
    const page = await b.go('GET', '/account');
    expect(page.text).toContain('laptop-kantor');
    expect(page.text).toContain(`data-token="${myId}"`);
    expect(page.text).not.toContain(mine.token);
    expect(page.text).not.toContain('punya-orang-lain');

    // Another person's token id revokes nothing.
    const csrf = await b.pageCsrf('/account');
    expect((await b.go('POST', `/account/tokens/${theirId}/revoke`, { _csrf: csrf })).status).toBe(303);
    expect((await me(theirs.token)).status).toBe(200);

    expect((await me(mine.token)).status).toBe(200);
    const revoked = await b.go('POST', `/account/tokens/${myId}/revoke`, { _csrf: csrf });
    expect(revoked.location).toBe('/account?token=revoked');
    const answer = await me(mine.token);
    expect(answer.status).toBe(401);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('auth.revoked');
    expect((await b.go('GET', '/account')).text).not.toContain(`data-token="${myId}"`);
  });

  test('an admin revokes the tokens of a user in reach; a user out of reach is not found', async () => {
    const u = await person('token-dicabut-admin');
    const { token } = await createToken(db(), u.id, { label: 'skrip', days: 30 });
    const admin = browser();
    expect((await admin.signIn(emails.admin!, PASSWORD)).status).toBe(303);
    const csrf = await admin.pageCsrf('/admin');
    expect((await admin.go('POST', `/admin/users/${u.id}/tokens/revoke`, { _csrf: csrf })).status).toBe(200);
    expect((await me(token)).status).toBe(401);
    const events = await db().selectFrom('admin_events').select(['type', 'actor_id']).where('subject_id', '=', u.id).execute();
    expect(events).toEqual([{ type: 'user.tokens_revoked', actor_id: world.users.admin }]);

    expect((await admin.go('POST', `/admin/users/${world.users.otherOperator}/tokens/revoke`, { _csrf: csrf })).status).toBe(404);
    expect((await me(world.tokens.otherOperator)).status).toBe(200);
  });

  test('the CLI lists a user\'s tokens without the secret and revokes one, then all', async () => {
    const u = await person('token-cli');
    const a = await createToken(db(), u.id, { label: 'satu', days: 30 });
    const b = await createToken(db(), u.id, { label: 'dua', days: 30 });
    const run = (argv: string[]) => executeCommand(parseCommand(argv, h.env).command, { db: db(), env: h.env, stdin: () => Promise.resolve(''), applied: [] });
    const listed = await run(['token', 'list', '--email', u.email]);
    if (listed.command !== 'token list') throw new Error('wrong result');
    expect(listed.tokens.map((tk) => tk.label).sort()).toEqual(['dua', 'satu']);
    expect(JSON.stringify(listed)).not.toContain(a.token);
    // Printed for a person in the holder's unit's zone (Polres Tulangbawang Barat: WIB), not in UTC.
    const printed = describeResult(listed, h.env).join('\n');
    const wib = DateTime.fromJSDate(a.expiresAt).setZone('Asia/Jakarta').toFormat('yyyy-MM-dd HH:mm');
    expect(printed).toContain(`valid until ${wib} WIB`);
    expect(printed).toContain('last used never');
    const first = listed.tokens.find((tk) => tk.label === 'satu')!;
    expect(await run(['token', 'revoke', '--email', u.email, '--id', first.id])).toMatchObject({ revoked: 1 });
    expect((await me(a.token)).status).toBe(401);
    expect((await me(b.token)).status).toBe(200);
    await expect(run(['token', 'revoke', '--email', u.email, '--id', first.id])).rejects.toMatchObject({ code: 'token.not_found' });
    expect(await run(['token', 'revoke', '--email', u.email])).toMatchObject({ revoked: 1 });
    expect((await me(b.token)).status).toBe(401);
  });

  test('changing the password revokes every API token and ends the other sessions, not this one', async () => {
    const u = await person('ganti-sandi');
    const { token } = await createToken(db(), u.id, { label: 'skrip', days: 30 });
    const here = browser();
    const there = browser();
    expect((await here.signIn(u.email, PASSWORD)).status).toBe(303);
    expect((await there.signIn(u.email, PASSWORD)).status).toBe(303);
    const csrf = await here.pageCsrf('/account/password');
    const changed = await here.go('POST', '/account/password', { _csrf: csrf, currentPassword: PASSWORD, password: 'sandi-baru-sekali-123', confirm: 'sandi-baru-sekali-123' });
    expect(changed.status).toBe(303);
    expect((await me(token)).status).toBe(401);
    expect((await there.go('GET', '/api/v1/me')).status).toBe(401);
    expect((await here.go('GET', '/api/v1/me')).status).toBe(200);
  });

  test('an admin\'s password reset revokes the user\'s API tokens', async () => {
    const u = await person('direset-admin');
    const { token } = await createToken(db(), u.id, { label: 'skrip', days: 30 });
    const admin = browser();
    expect((await admin.signIn(emails.admin!, PASSWORD)).status).toBe(303);
    expect((await admin.go('POST', `/admin/users/${u.id}/reset`, { _csrf: await admin.pageCsrf('/admin') })).status).toBe(200);
    expect((await me(token)).status).toBe(401);
  });

  test('a disabled user\'s tokens stop working', async () => {
    const u = await person('dinonaktifkan');
    const { token } = await createToken(db(), u.id, { label: 'skrip', days: 30 });
    const admin = browser();
    expect((await admin.signIn(emails.admin!, PASSWORD)).status).toBe(303);
    expect((await admin.go('POST', `/admin/users/${u.id}/disable`, { _csrf: await admin.pageCsrf('/admin'), disabled: 'true' })).status).toBe(200);
    const answer = await me(token);
    expect(answer.status).toBe(401);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('auth.disabled');
  });
});

describe('a borrowed session cannot take the account over', () => {
  test('when the password change comes without the current password, or a wrong one, then 403 and the password stays', async () => {
    const u = await person('sesi-dipinjam');
    const b = browser();
    expect((await b.signIn(u.email, PASSWORD)).status).toBe(303);
    const csrf = await b.pageCsrf('/account/password');
    const form = { _csrf: csrf, password: 'sandi-si-peminjam-1', confirm: 'sandi-si-peminjam-1' };
    expect((await b.go('POST', '/account/password', form)).status).toBe(403);
    expect((await b.go('POST', '/account/password', { ...form, currentPassword: 'tebakan-salah-1' })).status).toBe(403);
    expect((await browser().signIn(u.email, 'sandi-si-peminjam-1')).status).toBe(401);
    expect((await browser().signIn(u.email, PASSWORD)).status).toBe(303);
  });

  test('guessing the current password from a session stops at the limit', async () => {
    const u = await person('tebak-dari-sesi');
    const b = browser();
    expect((await b.signIn(u.email, PASSWORD)).status).toBe(303);
    const csrf = await b.pageCsrf('/account/password');
    const form = { _csrf: csrf, password: 'sandi-si-peminjam-1', confirm: 'sandi-si-peminjam-1' };
    for (let i = 0; i < 3; i++) expect((await b.go('POST', '/account/password', { ...form, currentPassword: `salah-${i}` })).status).toBe(403);
    const limited = await b.go('POST', '/account/password', { ...form, currentPassword: PASSWORD });
    expect(limited.status).toBe(429);
    // Said as what it is (not a sign-in), with how long to wait: the window of the limit (600 s here).
    expect(limited.text).toContain('Terlalu banyak jawaban salah untuk kata sandi atau kode saat ini. Coba lagi dalam 10 menit.');
    // Later, the time left, not the whole window again: here the window began 7½ minutes ago.
    await h.siaran.database.db
      .updateTable('login_throttle')
      .set({ window_start: new Date(Date.now() - 450_000) })
      .where('key', '=', `reauth:${u.id}`)
      .execute();
    const later = await b.go('POST', '/account/password', { ...form, currentPassword: PASSWORD });
    expect(later.status).toBe(429);
    expect(later.text).toContain('Coba lagi dalam 3 menit.');
  });

  test('a key that is not one the server issued is answered with a new key, not a 500', async () => {
    const u = await person('totp-aneh');
    const b = browser();
    expect((await b.signIn(u.email, PASSWORD)).status).toBe(303);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await b.go('GET', '/account/totp')).text)![1]!;
    // Too long to draw as a QR code, and no key at all.
    const odd = await b.go('POST', '/account/totp', { _csrf: csrf, secret: 'A'.repeat(3000), code: '123456', currentPassword: PASSWORD });
    expect(odd.status).toBe(422);
    expect(odd.text).toMatch(/name="secret" value="[A-Z2-7]{32}"/);
    // Shown to be typed in groups of four.
    expect(odd.text).toMatch(/id="totp-secret">(?:[A-Z2-7]{4} ){7}[A-Z2-7]{4}</);
    expect((await db().selectFrom('users').select('totp_secret').where('id', '=', u.id).executeTakeFirstOrThrow()).totp_secret).toBeNull();
  });

  test('when a session enrols its own TOTP without the password, then 403 and nothing is enrolled', async () => {
    const u = await person('totp-dipinjam');
    const b = browser();
    expect((await b.signIn(u.email, PASSWORD)).status).toBe(303);
    const setup = await b.go('GET', '/account/totp');
    const secret = /name="secret" value="([A-Z2-7]+)"/.exec(setup.text)![1]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(setup.text)![1]!;
    // The page's QR code is the otpauth address of that same key: the modules drawn are those of its encoding.
    const uri = /<a href="(otpauth:[^"]+)" data-otpauth>/.exec(setup.text)![1]!.replace(/&#38;/g, '&');
    expect(uri).toContain(`secret=${secret}`);
    // The quiet zone is the 4 modules the QR code standard asks for.
    const drawn = /<div class="qr-box" data-totp-qr><svg [^>]*>(.*?)<\/svg>/.exec(setup.text)![1]!;
    const expected = /<svg [^>]*>(.*?)<\/svg>/.exec(await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }))![1]!;
    expect(drawn).toBe(expected);
    const now = new Date();
    expect((await b.go('POST', '/account/totp', { _csrf: csrf, secret, code: totpAt(secret, now) })).status).toBe(403);
    expect((await db().selectFrom('users').select('totp_secret').where('id', '=', u.id).executeTakeFirstOrThrow()).totp_secret).toBeNull();
    const enrolled = await b.go('POST', '/account/totp', { _csrf: csrf, secret, code: totpAt(secret, now), currentPassword: PASSWORD });
    expect(enrolled.status).toBe(303);
    expect((await db().selectFrom('users').select('totp_secret').where('id', '=', u.id).executeTakeFirstOrThrow()).totp_secret).not.toBeNull();

    // With TOTP on, replacing it or changing the password takes the password and a fresh code of the factor in place.
    const again = await b.go('GET', '/account/totp');
    const secret2 = /name="secret" value="([A-Z2-7]+)"/.exec(again.text)![1]!;
    const csrf2 = /name="_csrf" value="([^"]+)"/.exec(again.text)![1]!;
    const later = new Date(now.getTime() + 30_000);
    expect((await b.go('POST', '/account/totp', { _csrf: csrf2, secret: secret2, code: totpAt(secret2, later), currentCode: totpAt(secret, later) })).status).toBe(403);
    expect((await b.go('POST', '/account/password', { _csrf: csrf2, currentPassword: PASSWORD, password: 'sandi-baru-sekali-123', confirm: 'sandi-baru-sekali-123' })).status).toBe(403);
    const changed = await b.go('POST', '/account/password', { _csrf: csrf2, currentPassword: PASSWORD, currentCode: totpAt(secret, later), password: 'sandi-baru-sekali-123', confirm: 'sandi-baru-sekali-123' });
    expect(changed.status).toBe(303);
  });
});

// Dozens of argon2 sign-ins: on PostgreSQL only, to keep the whole run within its time. The limit's statements
// are the same on the embedded database, where web-security.test.ts signs in against the limit too (it runs on both).
onPostgres('the sign-in limit cannot be turned against the real user or an office', () => {
  test('when someone fails many times from many addresses, the holder still signs in from the browser they used before; unknown clients wait', async () => {
    const victim = await person('korban-serangan');
    const own = browser('10.20.0.1');
    expect((await own.signIn(victim.email, PASSWORD)).status).toBe(303);
    expect(own.jar.has('siaran_known')).toBe(true);
    for (let i = 0; i < 20; i++) {
      const attacker = browser(`203.0.113.${String(i + 1)}`);
      const res = await attacker.signIn(victim.email, `tebakan-${String(i)}-xyz`);
      expect([401, 429]).toContain(res.status);
    }
    // Guessing stays slow: from yet another address, even the right password waits.
    expect((await browser('203.0.113.200').signIn(victim.email, PASSWORD)).status).toBe(429);
    // The holder's own browser is not locked out.
    expect((await own.signIn(victim.email, PASSWORD)).status).toBe(303);
  }, MANY_SIGN_INS_MS);

  test('guessing from one client stops at the limit, known browser or not', async () => {
    const target = await person('ditebak');
    const stranger = browser('198.51.100.7');
    for (let i = 0; i < 3; i++) expect((await stranger.signIn(target.email, `salah-${String(i)}-abc`)).status).toBe(401);
    expect((await stranger.signIn(target.email, PASSWORD)).status).toBe(429);

    // A browser that once signed in, taken and used to guess, is limited too.
    const known = browser('198.51.100.8');
    expect((await known.signIn(target.email, PASSWORD)).status).toBe(303);
    for (let i = 0; i < 3; i++) expect((await known.signIn(target.email, `salah-${String(i)}-def`)).status).toBe(401);
    expect((await known.signIn(target.email, PASSWORD)).status).toBe(429);
  }, MANY_SIGN_INS_MS);

  test('a known browser earned with a password that has since changed is a stranger again', async () => {
    const victim = await person('pernah-bocor');
    // Someone who once knew the password signed in with it, and keeps the browser's cookie.
    const old = browser('198.51.100.30');
    expect((await old.signIn(victim.email, PASSWORD)).status).toBe(303);
    // The holder's password is changed (as the holder's change or an admin's reset does: a new hash), and the
    // holder signs in with it.
    const newPassword = 'kata-sandi-baru-yang-panjang-789';
    await setPassword(h.siaran.database.db, victim.id, newPassword);
    const own = browser('10.20.0.9');
    expect((await own.signIn(victim.email, newPassword)).status).toBe(303);
    // An attack from many addresses fills the account's count of unknown clients.
    for (let i = 0; i < 20; i++) expect([401, 429]).toContain((await browser(`203.0.113.${String(i + 60)}`).signIn(victim.email, `tebakan-${String(i)}-jkl`)).status);
    // The old browser is one of them now: it waits, even with the new password; the holder's browser does not.
    expect((await old.signIn(victim.email, newPassword)).status).toBe(429);
    expect((await own.signIn(victim.email, newPassword)).status).toBe(303);
  }, MANY_SIGN_INS_MS);

  test('behind one office address, ten colleagues who each mistype once all still sign in', async () => {
    const colleagues = [];
    for (let i = 0; i < 10; i++) colleagues.push(await person(`rekan-polres-${String(i)}`));
    const browsers = colleagues.map(() => browser('10.77.0.1'));
    for (const [i, c] of colleagues.entries()) expect((await browsers[i]!.signIn(c.email, 'salah-ketik-123')).status).toBe(401);
    for (const [i, c] of colleagues.entries()) expect((await browsers[i]!.signIn(c.email, PASSWORD)).status).toBe(303);
  }, MANY_SIGN_INS_MS);
});

describe('the second factor holds on API calls made with a session', () => {
  test('when TOTP becomes required after a supervisor signed in without it, the session no longer acts through the API', async () => {
    const sup = await person('kasi-tanpa-totp', 'supervisor');
    const b = browser();
    expect((await b.signIn(sup.email, PASSWORD)).status).toBe(303);
    expect((await b.go('GET', '/api/v1/me')).status).toBe(200);
    await setTotpRequiredForPrivileged(db(), true, new Date());
    try {
      const res = await b.go('GET', '/api/v1/me');
      expect(res.status).toBe(401);
      expect(res.text).toContain('auth.sign_in_unfinished');
      const csrf = await b.pageCsrf('/account/totp');
      expect((await b.go('POST', '/api/v1/posts', undefined, { 'content-type': 'application/json', 'x-csrf-token': csrf })).status).toBe(401);
    } finally {
      await setTotpRequiredForPrivileged(db(), false, new Date());
    }
  });
});

describe('sign-in work does not tell which addresses have accounts', () => {
  test('an unknown e-mail, an account made by the CLI and one without a password cost the same hash work', async () => {
    const slug = await unitSlug(db(), world.units.polres);
    const cliEmail = `dibuat-cli.${Math.random().toString(36).slice(2, 8)}@test.siaran`;
    await executeCommand(parseCommand(['user', 'add', '--email', cliEmail, '--unit', slug, '--role', 'operator'], h.env).command, { db: db(), env: h.env, stdin: () => Promise.resolve(''), applied: [] });
    const noPassword = await addUser(db(), { email: `tanpa-sandi.${Math.random().toString(36).slice(2, 8)}@test.siaran`, name: 'Tanpa Sandi', unitSlug: slug, role: 'operator' });
    const works: string[][] = [];
    try {
      for (const email of ['tidak-ada@test.siaran', cliEmail, noPassword.email, emails.operator!]) {
        const seen: string[] = [];
        hashWork.observe = (w) => seen.push(w);
        expect((await browser(`192.0.2.${String(works.length + 1)}`).signIn(email, 'bukan-sandinya-123')).status).toBe(401);
        works.push(seen);
      }
    } finally {
      hashWork.observe = undefined;
    }
    expect(works[0]).toHaveLength(1);
    expect(works[0]![0]).toMatch(/^\$argon2id\$/);
    for (const w of works) expect(w).toEqual(works[0]);
  });
});

describe('inviting an address that already has an account', () => {
  test('a sub-unit admin who cannot see that account gets the same answer as for a new address; the holder is told, the account unchanged', async () => {
    const localAdmin = await person('admin-polres', 'admin');
    const b = browser();
    expect((await b.signIn(localAdmin.email, PASSWORD)).status).toBe(303);
    const csrf = await b.pageCsrf('/admin');
    const before = await db().selectFrom('users').selectAll().where('id', '=', world.users.otherOperator).executeTakeFirstOrThrow();
    const invite = (email: string) => b.go('POST', '/admin/users', { _csrf: csrf, email, name: 'Orang Baru', unitId: world.units.polres, role: 'operator' });
    const fresh = await invite(`baru.${Math.random().toString(36).slice(2, 8)}@test.siaran`);
    const taken = await invite(emails.otherOperator!);
    expect(taken.status).toBe(fresh.status);
    expect(fresh.status).toBe(200);
    const flash = (text: string) => /<div class="flash[^"]*" role="status">([\s\S]*?)<pre class="secret" id="one-time">/.exec(text)?.[1];
    expect(flash(taken.text)).toBeDefined();
    expect(flash(taken.text)).toBe(flash(fresh.text));
    expect(taken.text).not.toMatch(/sudah terdaftar|already registered/);

    const after = await db().selectFrom('users').selectAll().where('id', '=', world.users.otherOperator).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    const decoy = /<pre class="secret" id="one-time">([^<]+)</.exec(taken.text)![1]!;
    expect((await browser('192.0.2.99').signIn(emails.otherOperator!, decoy)).status).toBe(401);
    const told = await db().selectFrom('notifications').select(['user_id', 'kind']).where('kind', '=', 'account.invite_existing').execute();
    expect(told.map((n) => n.user_id)).toContain(world.users.otherOperator);
    // Inviting again the same day tells nobody twice: the holder and the admins above are not flooded.
    expect((await invite(emails.otherOperator!)).status).toBe(200);
    const toldAgain = await db().selectFrom('notifications').select(['user_id']).where('kind', '=', 'account.invite_existing').where('user_id', '=', world.users.otherOperator).execute();
    expect(toldAgain).toHaveLength(1);
    const audit = await db().selectFrom('admin_events').select(['type', 'actor_id']).where('subject_id', '=', world.users.otherOperator).execute();
    expect(audit).toContainEqual({ type: 'user.invite_existing', actor_id: localAdmin.id });
  });

  test('an admin who can see the account is told it exists', async () => {
    const b = browser();
    expect((await b.signIn(emails.admin!, PASSWORD)).status).toBe(303);
    const res = await b.go('POST', '/admin/users', { _csrf: await b.pageCsrf('/admin'), email: emails.operator!, name: 'Lagi', unitId: world.units.polres, role: 'operator' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('sudah terdaftar');
  });
});
