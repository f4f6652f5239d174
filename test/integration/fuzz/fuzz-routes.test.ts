// Hostile input over every route the server answers (read from the app itself): thousands of generated bodies,
// query strings, path values and headers, as the API's and the web app's own users. Every answer is a 2xx, a 3xx or
// a clear 4xx (a JSON error with a code, or a page) — never a 5xx — and a refused request changes nothing: the
// stored state is fingerprinted before and after each 4xx. `FUZZ_RUNS` sets the requests per route (default 24).
import fc from 'fast-check';
import { sql } from 'kysely';
import { type Harness, type World, client, inSeconds, seedWorld, startHarness } from '../../support/harness';
import { signIn } from '../../support/web-session';
import { testDbKind } from '../../support/test-db';

// The embedded database answers each fingerprint slower; a quarter of the cases there keep the whole run within its
// time, and its own failures (a year the embedded database cannot store) still meet six cases a route.
const RUNS = Number(process.env.FUZZ_RUNS ?? (testDbKind() === 'pglite' ? 6 : 24));

let h: Harness;
let world: World;
const sessions: Record<'operator' | 'supervisor' | 'admin', { cookie: string; csrf: string }> = {} as never;
/** Values a path parameter is filled with: a real thing of the operator's unit, or something hostile. */
let ids: { draft: string; pending: string; target: string; photo: string; unitSlug: string };

beforeAll(async () => {
  h = await startHarness();
  const db = h.siaran.database.db;
  world = await seedWorld(db);
  for (const who of ['operator', 'supervisor', 'admin'] as const) {
    const cookie = await signIn({ h, world }, who);
    const page = await fetch(`${h.url}/account`, { headers: { cookie } });
    sessions[who] = { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]! };
  }
  const operator = client(h.url, world.tokens.operator);
  const make = async () => {
    const r = await operator('POST', '/api/v1/posts', { title: 'Patroli dialogis', body: 'Personel berdialog dengan warga.', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(86_400) });
    return r.body as { id: string; version: number };
  };
  const draft = await make();
  const pending = await make();
  await operator('POST', `/api/v1/posts/${pending.id}/submit`);
  const target = await db.selectFrom('post_targets').select('id').where('post_id', '=', draft.id).executeTakeFirstOrThrow();
  const sharp = (await import('sharp')).default;
  const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#48a' } }).jpeg().toBuffer();
  const photo = await fetch(`${h.url}/api/v1/photos?postId=${draft.id}`, { method: 'POST', headers: { authorization: `Bearer ${world.tokens.operator}`, 'content-type': 'image/jpeg' }, body: jpeg });
  const unit = await db.selectFrom('units').select('slug').where('id', '=', world.units.polres).executeTakeFirstOrThrow();
  ids = { draft: draft.id, pending: pending.id, target: target.id, photo: ((await photo.json()) as { id: string }).id, unitSlug: unit.slug };
}, 120_000);

afterAll(async () => {
  await h.close();
});

/** Strings that have broken servers: control characters, lone surrogates, huge and absurd values, markup, paths. */
const nasty = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ud83d',
  '\u202e\u200b\ufeff',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '../../../etc/passwd',
  '%00',
  '%',
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00.000Z',
  '10000-01-01T00:00:00Z',
  '0000-00-00T00:00:00Z',
  '2026-02-30T10:00:00+07:00',
  '1e309',
  'NaN',
  '-1',
  '00000000-0000-0000-0000-000000000000',
  'true',
  'null',
  '[]',
  '{}',
  'ö'.repeat(3000),
  'x'.repeat(70_000),
  '🙂'.repeat(500),
);
const text = fc.oneof(nasty, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom(2 ** 53, -(2 ** 31), 1e308, 0));
/** Field names the product's bodies use, so generated bodies reach past "unknown key" into each field's checks. */
const FIELDS = [
  'title', 'body', 'channelIds', 'variants', 'channelOptions', 'scheduledAt', 'unitId', 'expectedVersion', 'note', 'overrides', 'sensitive',
  'reason', 'altText', 'position', 'fit', 'postId', 'email', 'name', 'role', 'password', 'current', 'confirm', 'code', 'version', 'url',
  'secret', 'botToken', 'chat', 'pageId', 'pageToken', 'igUserId', 'token', 'accessToken', 'accessSecret', 'timeZone', 'parentId', 'on',
  'paused', 'disabled', 'jobId', 'pick', 'back', 'next', 'to', 'lang', 'view', 'date', 'from', 'limit', 'offset', 'status', 'includeDescendants',
  'sebelum', 'sesudah', 'state', 'queue', 'alt', 'filename', 'expires', 'signature', '__proto__', 'constructor',
];
const field = fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 12 }));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(field, tie('v'), { maxKeys: 4 })),
})).v;
const jsonBody = fc.oneof(fc.dictionary(field, value, { maxKeys: 8 }), value);
const formBody = fc.dictionary(field, fc.oneof(text, fc.array(text, { maxLength: 3 })), { maxKeys: 8 });
/** Bodies no JSON parser should choke on: broken JSON, deep nesting, the wrong encoding. */
const rawBody = fc.oneof(
  fc.constantFrom('{', '{"title":', '[1,2', 'null', '"x"', '\u0000', '{"a":1}{"b":2}', `${'['.repeat(5000)}${']'.repeat(5000)}`, `{"a":${'{"a":'.repeat(3000)}1${'}'.repeat(3001)}`),
  fc.string({ unit: 'binary', maxLength: 200 }),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=x',
  'image/jpeg',
  'application/xml',
  undefined,
);

/**
 * A valid body (or query) per route, which a case then breaks in one or two fields: random bodies alone rarely get
 * past the first "unknown field" check, and the fields' own handling is where a server breaks.
 */
function templates(): Record<string, { body?: Record<string, unknown>; query?: Record<string, string> }> {
  const ch = world.newsPage.polres;
  const at = inSeconds(2 * 86_400);
  return {
    'POST /api/v1/posts': { body: { title: 'Patroli', body: 'Isi kegiatan.', channelIds: [ch], scheduledAt: at, variants: { [ch]: 'Teks kanal' } } },
    'PATCH /api/v1/posts/:id': { body: { title: 'Patroli', body: 'Isi.', channelIds: [ch], scheduledAt: at, variants: { [ch]: 'Teks' }, channelOptions: { [ch]: { thread: true } } } },
    'POST /api/v1/posts/:id/approve': { body: { expectedVersion: 2, note: 'Setuju.', overrides: [{ code: 'x', reason: 'alasan' }] } },
    'POST /api/v1/posts/:id/reject': { body: { note: 'Perbaiki.' } },
    'POST /api/v1/posts/:id/sensitivity': { body: { sensitive: true, expectedVersion: 1 } },
    'POST /api/v1/posts/:id/cancel': { body: { note: 'Batal.' } },
    'POST /api/v1/posts/:id/reschedule': { body: { scheduledAt: at } },
    'POST /api/v1/posts/:id/retract': { body: { reason: 'Keliru.' } },
    'PATCH /api/v1/photos/:id': { body: { altText: 'Warga', position: 1, fit: 'pad', postId: ids.draft } },
    'POST /api/v1/photos': { query: { postId: ids.draft, alt: 'Warga', filename: 'foto.jpg', fit: 'crop' } },
    'GET /api/v1/posts': { query: { unitId: world.units.polres, status: 'draft,scheduled', from: at, to: at, limit: '10', offset: '0' } },
    'GET /calendar': { query: { view: 'month', date: '2026-12-05', unit: world.units.polres, channel: 'webhook' } },
    'GET /u/:slug': { query: { sebelum: ids.draft } },
    'GET /u/:slug/feed.xml': { query: { sebelum: ids.draft } },
    'POST /posts/:id/approve': { body: { version: '2', note: 'Setuju.' } },
    'POST /posts/:id/reject': { body: { note: 'Perbaiki.' } },
    'POST /posts/:id/reschedule': { body: { scheduledAt: at } },
    'POST /posts/:id/retract': { body: { reason: 'Keliru.' } },
    'POST /posts/:id/sensitivity': { body: { sensitive: 'true', version: '1' } },
    'POST /account/password': { body: { current: 'kata-sandi-rahasia-123', password: 'kata-sandi-baru-456789', confirm: 'kata-sandi-baru-456789' } },
    'POST /account/notifications': { body: { email: 'true' } },
    'POST /admin/users': { body: { email: 'baru@test.siaran', name: 'Bripda Baru', unitId: world.units.polres, role: 'operator' } },
    'POST /admin/users/:id': { body: { role: 'operator', unitId: world.units.polres } },
    'POST /admin/units': { body: { name: 'Polsek Baru', parentId: world.units.polres, timeZone: 'Asia/Jakarta' } },
    'POST /admin/units/:id': { body: { timeZone: 'Asia/Makassar' } },
    'POST /admin/units/:id/webhook': { body: { url: 'http://127.0.0.1:9/hook', secret: 'rahasia-webhook-panjang-sekali', name: 'Hook' } },
    'POST /admin/units/:id/telegram': { body: { botToken: '123:abc', chat: '@humas', name: 'TG' } },
    'POST /admin/queues/:queue/retry': { body: { jobId: 'x' } },
    'GET /admin/queues': { query: { queue: 'publish', state: 'failed' } },
  };
}

interface Case {
  pathValues: string[];
  query: Record<string, string | string[]>;
  body: { kind: 'json'; value: unknown } | { kind: 'form'; value: Record<string, string | string[]> } | { kind: 'raw'; value: string } | { kind: 'none' };
  contentType: string | undefined;
  as: 'operator' | 'supervisor' | 'admin' | 'anonymous';
  lang: string | undefined;
  /** Fields of the route's template replaced: [field, value]; with none, the generated body and query are sent. */
  mutations: Array<[number, unknown]>;
}

const pathValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('draft', 'pending', 'target', 'photo', 'unit', 'slug', 'channel') },
  { weight: 2, arbitrary: fc.uuid().map((u) => `=${u}`) },
  { weight: 2, arbitrary: nasty.map((s) => `=${s}`) },
);

const caseOf = fc.record({
  pathValues: fc.array(pathValue, { minLength: 4, maxLength: 4 }),
  query: fc.dictionary(field, fc.oneof(text, fc.array(text, { maxLength: 3 })), { maxKeys: 4 }),
  body: fc.oneof(
    fc.record({ kind: fc.constant('json' as const), value: jsonBody }),
    fc.record({ kind: fc.constant('form' as const), value: formBody }),
    fc.record({ kind: fc.constant('raw' as const), value: rawBody }),
    fc.constant({ kind: 'none' as const }),
  ),
  contentType,
  as: fc.constantFrom('operator', 'supervisor', 'admin', 'anonymous'),
  lang: fc.option(fc.oneof(fc.constantFrom('id', 'en', 'en-US,en;q=0.9', '*', ''), text), { nil: undefined }),
  mutations: fc.oneof(
    { weight: 1, arbitrary: fc.constant([] as Array<[number, unknown]>) },
    { weight: 3, arbitrary: fc.array(fc.tuple(fc.nat(), fc.oneof({ weight: 3, arbitrary: nasty }, { weight: 1, arbitrary: value })), { minLength: 1, maxLength: 2 }) },
  ),
}) as fc.Arbitrary<Case>;

/** A form or query value as a browser would send it. */
function asText(v: unknown): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The case with the route's template in place of its generated body and query, one or two fields broken. */
function applyTemplate(route: string, c: Case): Case {
  const t = templates()[route];
  if (!t || c.mutations.length === 0) return c;
  const out: Case = { ...c, as: c.as === 'anonymous' ? 'supervisor' : c.as };
  if (t.body) {
    const body: Record<string, unknown> = { ...t.body };
    const keys = Object.keys(body);
    for (const [i, v] of c.mutations) body[keys[i % keys.length]!] = v;
    const web = !route.includes(' /api/');
    out.body = web ? { kind: 'form', value: Object.fromEntries(Object.entries(body).map(([k, v]) => [k, asText(v)])) } : { kind: 'json', value: body };
    out.contentType = undefined;
  }
  if (t.query) {
    const query: Record<string, string> = { ...t.query };
    const keys = Object.keys(query);
    for (const [i, v] of c.mutations) query[keys[i % keys.length]!] = asText(v);
    out.query = query;
  }
  return out;
}

function fill(path: string, values: string[]): string {
  let i = 0;
  return path.replace(/:(\w+)/g, (_m, param: string) => {
    const v = values[i++ % values.length]!;
    if (v.startsWith('=')) return encodeURIComponent(v.slice(1));
    if (param === 'slug') return ids.unitSlug;
    if (param === 'queue') return 'publish';
    if (param === 'action') return 'retry';
    if (param === 'file' || param === 'name') return encodeURIComponent(v);
    if (param === 'targetId') return ids.target;
    if (param === 'unitId' || v === 'unit') return world.units.polres;
    if (v === 'channel') return world.newsPage.polres;
    if (v === 'photo') return ids.photo;
    if (v === 'pending') return ids.pending;
    if (v === 'target') return ids.target;
    return ids.draft;
  });
}

/** The stored state a refused request must leave alone; columns that record only reading or signing in are left out. */
async function fingerprint(): Promise<string> {
  const tables = ['units', 'users', 'channels', 'posts', 'post_targets', 'post_events', 'news_items', 'photos', 'unit_watermarks', 'web_settings', 'admin_events', 'notifications', 'api_tokens'];
  const db = h.siaran.database.db;
  const parts = tables.map((t) => `(select md5(coalesce(string_agg((to_jsonb(x) - 'last_used_at' - 'last_seen_at')::text, '|' order by (to_jsonb(x))::text), '')) from ${t} x)`);
  const { rows } = await sql<{ f: string }>`select concat_ws(',', ${sql.raw(parts.join(', '))}) as f`.execute(db);
  return rows[0]!.f;
}

async function send(method: string, path: string, c: Case): Promise<{ status: number; type: string; text: string }> {
  const url = new URL(`${h.url}${path}`);
  for (const [k, v] of Object.entries(c.query)) for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, one);
  const headers: Record<string, string> = {};
  const api = path.startsWith('/api/');
  if (c.as !== 'anonymous') {
    if (api) headers.authorization = `Bearer ${world.tokens[c.as]}`;
    else headers.cookie = sessions[c.as].cookie;
  }
  if (c.lang !== undefined) headers['accept-language'] = c.lang.replace(/[^\t\x20-\x7e]/g, '');
  let body: string | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    if (c.body.kind === 'json') {
      // undefined (a generated `undefined`) has no JSON: sent as null.
      const json = JSON.stringify(c.body.value) as string | undefined;
      body = json ?? 'null';
    }
    else if (c.body.kind === 'form') {
      const form = new URLSearchParams();
      // Most web forms are sent with the session's CSRF token, so they reach the action's own checks.
      if (!api && c.as !== 'anonymous') form.append('_csrf', sessions[c.as].csrf);
      for (const [k, v] of Object.entries(c.body.value)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
      body = form.toString();
    } else if (c.body.kind === 'raw') body = c.body.value;
    if (body !== undefined && c.contentType !== undefined) headers['content-type'] = c.contentType;
    else if (body !== undefined) headers['content-type'] = c.body.kind === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
  }
  const res = await fetch(url, { method, headers, redirect: 'manual', ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(30_000) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

test('no generated request gets a 5xx, and no refused one changes anything', async () => {
  const routes = h.siaran.routes().filter((r) => r.method !== 'HEAD');
  const statuses = new Map<number, number>();
  const wrong: string[] = [];
  let requests = 0;
  for (const route of routes) {
    await fc.assert(
      fc.asyncProperty(caseOf, async (generated) => {
        const c = applyTemplate(`${route.method} ${route.path}`, generated);
        const path = fill(route.path, c.pathValues);
        const before = await fingerprint();
        const answer = await send(route.method, path, c);
        requests++;
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const where = `${route.method} ${route.path} → ${answer.status}`;
        if (answer.status >= 500) {
          wrong.push(`${where}: ${answer.text.slice(0, 200)} — case ${JSON.stringify(c).slice(0, 300)}`);
          return false;
        }
        if (answer.status >= 400) {
          // A clear error: the API answers a code in JSON; pages answer a page.
          if (path.startsWith('/api/') && answer.type.includes('json') && !/"code":"[a-z_.]+"/.test(answer.text)) wrong.push(`${where}: no error code — ${answer.text.slice(0, 200)}`);
          if ((await fingerprint()) !== before) {
            wrong.push(`${where}: a refused request changed what is stored — case ${JSON.stringify(c).slice(0, 300)}`);
            return false;
          }
        }
        return true;
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261205), endOnFailure: true },
    ).catch(() => undefined);
  }
  const summary = [...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${String(s)}: ${String(n)}`).join(', ');
  console.log(`fuzz: ${String(routes.length)} routes, ${String(requests)} requests; statuses ${summary}; 5xx = ${String([...statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0))}`);
  expect(wrong).toEqual([]);
}, 900_000);
