// Text PostgreSQL cannot store (NUL, half of a UTF-16 pair) and times no one means (year 10000, 2300) in every
// field, form and query people send: a clear 4xx naming the problem, nothing changed, never a 5xx; and no
// answer of the API or of a signed-in page is kept by a cache.
import { sql } from 'kysely';
import { type Harness, type World, client, inSeconds, seedWorld, startHarness, unitSlug } from '../support/harness';
import { photo } from '../support/platforms';
import { signIn } from '../support/web-session';

const NUL = 'a\u0000b';
const HIGH = 'a\ud800b';
const LOW = 'a\udc00b';
const BAD = { nul: NUL, high: HIGH, low: LOW };

let h: Harness;
let world: World;
let draftId: string;
let draftVersion: number;
let pendingId: string;
let pendingVersion: number;
let photoId: string;
let operatorCookie: string;
let supervisorCookie: string;
let adminCookie: string;
const answers: Array<{ method: string; path: string; status: number; cache: string | null }> = [];

async function api(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const r = await client(h.url, token)(method, path, body, headers);
  answers.push({ method, path, status: r.status, cache: r.headers.get('cache-control') });
  return r;
}

/** A form posted as the browser would, with the page's CSRF token. */
async function form(cookie: string, path: string, fields: Record<string, string>, csrfFrom = '/calendar') {
  const page = await fetch(`${h.url}${csrfFrom}`, { headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(`${h.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
  });
  const text = await res.text();
  answers.push({ method: 'POST', path, status: res.status, cache: res.headers.get('cache-control') });
  return { status: res.status, text };
}

async function get(path: string, cookie?: string) {
  const res = await fetch(`${h.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const text = await res.text();
  answers.push({ method: 'GET', path, status: res.status, cache: res.headers.get('cache-control') });
  return { status: res.status, text, cache: res.headers.get('cache-control') };
}

/** What people wrote, as the database holds it: must be the same before and after the attempts. */
async function snapshot() {
  const db = h.siaran.database.db;
  const rows = async (q: string) => (await sql.raw(q).execute(db)).rows;
  return JSON.stringify({
    posts: await rows('select id, version, status, title, body, variants, channel_options, scheduled_at, review_note, updated_at from posts order by id'),
    targets: await rows('select id, status, channel_id, generation from post_targets order by id'),
    events: await rows('select id from post_events order by id'),
    photos: await rows('select id, alt_text, post_id from photos order by id'),
    users: await rows('select id, email, name, role, unit_id, disabled from users order by id'),
    units: await rows('select id, name, slug, time_zone from units order by id'),
    channels: await rows('select id, name, enabled from channels order by id'),
    admin: await rows('select id from admin_events order by id'),
  });
}

const expectRefused = (r: { status: number; body: any }, code = 'request.unstorable_text') => {
  expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status: 422, code });
  expect(r.body.error.message.length).toBeGreaterThan(20);
  // Words a person reads: never a field's internal name or path, an id, or an escape code.
  expect(r.body.error.message).not.toMatch(/variants\.|[0-9a-f]{8}-[0-9a-f]{4}|\\u[0-9a-f]{4}|"(?:note|body|title|altText|reason)"/i);
};

let before: string;
beforeAll(async () => {
  h = await startHarness();
  world = await seedWorld(h.siaran.database.db);
  const post = { title: 'Patroli malam', body: 'Patroli malam di Tumijajar.', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(3600) };
  const draft = await api(world.tokens.operator, 'POST', '/api/v1/posts', post);
  expect(draft.status).toBe(201);
  draftId = draft.body.id;
  const pending = await api(world.tokens.operator, 'POST', '/api/v1/posts', post);
  pendingId = pending.body.id;
  const submitted = await api(world.tokens.operator, 'POST', `/api/v1/posts/${pendingId}/submit`);
  expect(submitted.body.status).toBe('pending_approval');
  pendingVersion = submitted.body.version;
  const up = await fetch(`${h.url}/api/v1/photos?postId=${draftId}&alt=${encodeURIComponent('Patroli')}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${world.tokens.operator}`, 'content-type': 'image/jpeg' },
    body: await photo(),
  });
  expect(up.status).toBe(201);
  photoId = ((await up.json()) as { id: string }).id;
  draftVersion = (await api(world.tokens.operator, 'GET', `/api/v1/posts/${draftId}`)).body.version;
  [operatorCookie, supervisorCookie, adminCookie] = [await signIn({ h, world }, 'operator'), await signIn({ h, world }, 'supervisor'), await signIn({ h, world }, 'admin')];
  before = await snapshot();
});

afterAll(async () => {
  try {
    expect(await snapshot()).toEqual(before);
    expect(answers.length).toBeGreaterThan(60);
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    // Every answer of the API, and every answer to a signed-in person, is not to be kept.
    expect(answers.filter((a) => (a.path.startsWith('/api/') || !a.path.startsWith('/u/')) && a.status !== 303 && a.cache !== 'no-store')).toEqual([]);
  } finally {
    await h.close();
  }
});

describe.each(Object.entries(BAD))('%s in the JSON API', (_name, bad) => {
  const op = () => world.tokens.operator;
  const sup = () => world.tokens.supervisor;
  const base = () => ({ title: 'Judul', body: 'Isi', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(3600) });

  test('creating a post: title, body, a channel text and its key, the time, a channel option key', async () => {
    for (const body of [
      { ...base(), title: bad },
      { ...base(), body: `Patroli ${bad}` },
      { ...base(), variants: { [world.newsPage.polres]: bad } },
      { ...base(), variants: { [bad]: 'x' } },
      { ...base(), scheduledAt: `${inSeconds(3600)}${bad}` },
      { ...base(), channelOptions: { [bad]: { thread: true } } },
    ]) {
      expectRefused(await api(op(), 'POST', '/api/v1/posts', body));
    }
  });

  test('editing a post names the field', async () => {
    for (const [field, body] of [
      ['title', { title: bad }],
      ['body', { body: bad }],
      [`variants.${world.newsPage.polres}`, { variants: { [world.newsPage.polres]: bad } }],
    ] as const) {
      const r = await api(op(), 'PATCH', `/api/v1/posts/${draftId}`, { ...body, expectedVersion: draftVersion });
      expectRefused(r);
      expect(r.body.error.details).toEqual({ where: 'body', field, problem: bad === NUL ? 'nul' : 'lone-surrogate' });
    }
  });

  test('notes and reasons of the review, cancel and retract', async () => {
    expectRefused(await api(sup(), 'POST', `/api/v1/posts/${pendingId}/approve`, { note: bad, expectedVersion: pendingVersion }));
    expectRefused(await api(sup(), 'POST', `/api/v1/posts/${pendingId}/approve`, { expectedVersion: pendingVersion, overrides: [{ code: bad, reason: 'karena penting' }] }));
    expectRefused(await api(sup(), 'POST', `/api/v1/posts/${pendingId}/reject`, { note: bad }));
    expectRefused(await api(op(), 'POST', `/api/v1/posts/${pendingId}/cancel`, { note: bad }));
    expectRefused(await api(sup(), 'POST', `/api/v1/posts/${pendingId}/retract`, { reason: bad }));
    expectRefused(await api(op(), 'POST', `/api/v1/posts/${pendingId}/reschedule`, { scheduledAt: bad }));
  });

  test("a photo's alt text, on upload and after", async () => {
    expectRefused(await api(op(), 'PATCH', `/api/v1/photos/${photoId}`, { altText: bad }));
    if (bad === NUL) {
      const up = await fetch(`${h.url}/api/v1/photos?postId=${draftId}&alt=${encodeURIComponent(bad)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${op()}`, 'content-type': 'image/jpeg' },
        body: await photo(),
      });
      answers.push({ method: 'POST', path: '/api/v1/photos', status: up.status, cache: up.headers.get('cache-control') });
      expectRefused({ status: up.status, body: await up.json() });
      const named = await fetch(`${h.url}/api/v1/photos?postId=${draftId}&filename=${encodeURIComponent(bad)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${op()}`, 'content-type': 'image/jpeg' },
        body: await photo(),
      });
      answers.push({ method: 'POST', path: '/api/v1/photos', status: named.status, cache: named.headers.get('cache-control') });
      expectRefused({ status: named.status, body: await named.json() });
    }
  });
});

describe('query strings and paths', () => {
  test('a NUL in a query or a path is refused; a broken UTF-8 sequence is read as U+FFFD and changes nothing', async () => {
    expectRefused(await api(world.tokens.operator, 'GET', '/api/v1/posts?from=%00'));
    expectRefused(await api(world.tokens.operator, 'GET', `/api/v1/posts?unitId=${world.units.polres}%00`));
    expectRefused(await api(world.tokens.operator, 'GET', '/api/v1/posts/%00'));
    expectRefused(await api(world.tokens.operator, 'GET', `/api/v1/photos?postId=${draftId}%00`));
    for (const q of ['%ED%A0%80', '%ED%B0%80', '%C0%80']) {
      const r = await api(world.tokens.operator, 'GET', `/api/v1/posts?from=${q}`);
      expect(r.status).toBe(422);
      expect((await api(world.tokens.operator, 'GET', `/api/v1/posts/${q}`)).status).toBeLessThan(500);
    }
    const slug = await unitSlug(h.siaran.database.db, world.units.polres);
    for (const path of [`/u/${slug}%00`, `/u/${slug}?sebelum=%00`, `/u/${slug}?sesudah=9999-12-31`, `/u/${slug}?sebelum=275760-09-13`, `/u/${slug}/berita/%00`, '/u/%ED%A0%80']) {
      const r = await get(path);
      expect(r.status).toBeGreaterThanOrEqual(400);
    }
  });
});

describe('absurd times', () => {
  const op = () => world.tokens.operator;
  const base = () => ({ title: 'Judul', body: 'Isi', channelIds: [world.newsPage.polres] });

  test('a post more than a year ahead, or past the year 9999, is refused with the reason in words', async () => {
    for (const at of ['9999-12-31T23:59:59-12:00', '9999-12-31T23:00', '2300-01-01T09:00', inSeconds(367 * 86_400)]) {
      const created = await api(op(), 'POST', '/api/v1/posts', { ...base(), scheduledAt: at });
      expectRefused(created, 'schedule.too_far');
      expect(created.body.error.message).toMatch(/latest publish time|paling lambat/);
      expectRefused(await api(op(), 'PATCH', `/api/v1/posts/${draftId}`, { scheduledAt: at }), 'schedule.too_far');
      expectRefused(await api(op(), 'POST', `/api/v1/posts/${pendingId}/reschedule`, { scheduledAt: at }), 'schedule.too_far');
    }
    for (const at of ['275760-09-13T00:00:00Z', '+275760-09-13T00:00:00Z', '0000-01-01T00:00', '9999-99-99']) {
      const r = await api(op(), 'POST', '/api/v1/posts', { ...base(), scheduledAt: at });
      expect(r.status).toBe(422);
    }
  });

  test('a search range reaching year 0 or 10000 reads as "everything"', async () => {
    for (const q of ['from=0000-01-01&to=9999-12-31T23:59-12:00', 'from=0001-01-01T00:00%2B14:00', 'to=9999-12-31T23:59:59.999-23:59']) {
      const r = await api(op(), 'GET', `/api/v1/posts?${q}`);
      expect(r.status).toBe(200);
    }
  });
});

describe.each(Object.entries(BAD))('%s in the web forms', (_name, bad) => {
  const expectPage = (r: { status: number; text: string }) => {
    expect(r.status).toBe(bad === NUL ? 422 : 303);
    if (bad === NUL) expect(r.text).toMatch(/tidak dapat disimpan/);
  };
  // A form cannot carry half of a UTF-16 pair: the browser sends U+FFFD in its place, which is stored as it is;
  // these forms are refused for what else they lack, and nothing changes.
  test('sign-in, review, reschedule, retract', async () => {
    const login = await fetch(`${h.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: `x${bad}@test.siaran`, password: bad }).toString(),
    });
    const text = await login.text();
    answers.push({ method: 'POST', path: '/login', status: login.status, cache: login.headers.get('cache-control') });
    if (bad === NUL) expect({ status: login.status, refused: /tidak dapat disimpan/.test(text) }).toEqual({ status: 422, refused: true });
    else expect(login.status).toBeLessThan(500);
    if (bad !== NUL) return;
    expectPage(await form(supervisorCookie, `/posts/${pendingId}/reject`, { note: bad }));
    expectPage(await form(supervisorCookie, `/posts/${pendingId}/approve`, { note: bad, version: String(pendingVersion) }));
    expectPage(await form(supervisorCookie, `/posts/${pendingId}/approve`, { [`override:${bad}`]: 'alasan jelas', version: String(pendingVersion) }));
    expectPage(await form(operatorCookie, `/posts/${pendingId}/reschedule`, { scheduledAt: bad }));
    expectPage(await form(supervisorCookie, `/posts/${pendingId}/retract`, { reason: bad }));
    expectPage(await form(adminCookie, '/admin/users', { email: `baru${bad}@test.siaran`, name: bad, unitId: world.units.polres, role: 'operator' }, '/admin'));
    expectPage(await form(adminCookie, '/admin/units', { name: `Polsek ${bad}`, parentId: world.units.polres, timeZone: 'Asia/Jakarta' }, '/admin'));
  });

  test('calendar and pages with a bad query', async () => {
    if (bad !== NUL) return;
    for (const path of [`/calendar?unit=${encodeURIComponent(bad)}`, `/calendar?date=${encodeURIComponent(bad)}`, `/posts/${pendingId}?x=${encodeURIComponent(bad)}`]) {
      const r = await get(path, supervisorCookie);
      expect({ status: r.status, refused: /tidak dapat disimpan/.test(r.text) }).toEqual({ status: 422, refused: true });
    }
  });
});

describe('absurd times on pages', () => {
  test('the calendar at the edges of time shows a calendar; a reschedule to 2300 says why not', async () => {
    for (const date of ['9999-12-31', '0000-01-01', '0001-01-01', '1970-01-01', '9999-99-99']) {
      for (const view of ['week', 'month', 'agenda']) {
        const r = await get(`/calendar?view=${view}&date=${date}`, supervisorCookie);
        expect(r.status).toBe(200);
      }
    }
    const r = await form(operatorCookie, `/posts/${pendingId}/reschedule`, { scheduledAt: '2300-01-01T09:00' });
    expect(r.status).toBe(422);
    expect(r.text).toMatch(/paling lambat/);
  });
});
