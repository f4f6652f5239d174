// What an operator of the server watches: /metrics (behind METRICS_TOKEN) moves when a post is published,
// /readyz counts live workers, and a top unit's admin sees the queues and retries a failed job.
import fs from 'node:fs';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { addUser } from '../../services/users/user.repository';
import { setPassword } from '../../services/web/password-hash';
import { loadEnv } from '../../config/env';
import { type Harness, type World, client, dropTestState, inSeconds, seedWorld, startHarness, testEnv, waitFor } from '../support/harness';
import { spawnSiaran } from '../support/processes';
import { testDbKind } from '../support/test-db';
import { signIn, signInWith } from '../support/web-session';

const TOKEN = 'metrics-token-of-24-characters-or-more';
let h: Harness;
let world: World;

beforeAll(async () => {
  h = await startHarness({ METRICS_TOKEN: TOKEN });
  world = await seedWorld(h.siaran.database.db);
});
afterAll(async () => {
  await h.close();
});

async function scrape(): Promise<string> {
  const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one series in the exposition, 0 when it is not there yet. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0]!;
    if (want.every((w) => labelText.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

test('/metrics wants the token, and its publish counter and lateness move when a post goes out', async () => {
  expect((await fetch(`${h.url}/metrics`)).status).toBe(401);
  expect((await fetch(`${h.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-of-the-same-length!!!!!' } })).status).toBe(401);

  const before = await scrape();
  const published = { channel_kind: 'news_page', result: 'published' };
  const operator = client(h.url, world.tokens.operator);
  const created = await operator('POST', '/api/v1/posts', { title: 'Terukur', body: 'Patroli yang tercatat di metrik.', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(5) });
  const submitted = await operator('POST', `/api/v1/posts/${created.body.id}/submit`);
  // Five seconds ahead: on a busy machine writing, submitting and approving has taken more than two (schedule.passed).
  const approved = await client(h.url, world.tokens.supervisor)('POST', `/api/v1/posts/${created.body.id}/approve`, { expectedVersion: submitted.body.version });
  expect(approved.status).toBe(200);
  await waitFor('published', async () => (await operator('GET', `/api/v1/posts/${created.body.id}`)).body.status === 'published', 30_000);

  const after = await scrape();
  expect(value(after, 'siaran_publish_outcomes_total', published)).toBe(value(before, 'siaran_publish_outcomes_total', published) + 1);
  expect(value(after, 'siaran_publish_lateness_seconds_count', { channel_kind: 'news_page' })).toBe(value(before, 'siaran_publish_lateness_seconds_count', { channel_kind: 'news_page' }) + 1);
  // Requests are timed by route pattern, never by the raw path with its ids.
  expect(after).toMatch(/siaran_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/posts\/:id\/submit"/);
  expect(after).not.toContain(created.body.id as string);
  // What the whole installation shares: queues, live workers, round trips.
  expect(after).toMatch(/siaran_queue_jobs\{[^}]*queue="publish",state="delayed"/);
  expect(value(after, 'siaran_workers_alive')).toBe(1);
  expect(value(after, 'siaran_database_roundtrip_seconds')).toBeGreaterThan(0);
  expect(value(after, 'siaran_redis_roundtrip_seconds')).toBeGreaterThan(0);
  expect(after).toContain('siaran_process_resident_memory_bytes');

  // A channel an admin switched off is counted among the held ones, by kind and reason.
  const db = h.siaran.database.db;
  await db.updateTable('channels').set({ enabled: false }).where('id', '=', world.newsPage.other).execute();
  expect(value(await scrape(), 'siaran_channels_held', { channel_kind: 'news_page', reason: 'disabled' })).toBe(1);
  await db.updateTable('channels').set({ enabled: true }).where('id', '=', world.newsPage.other).execute();
  expect(value(await scrape(), 'siaran_channels_held', { channel_kind: 'news_page', reason: 'disabled' })).toBe(0);

  // The Grafana dashboard and the operations guide name only metrics this process really serves.
  const served = new Set([...after.matchAll(/^# TYPE (siaran_\w+) /gm)].map((m) => m[1]!));
  const base = (name: string) => name.replace(/_(bucket|count|sum)$/, '');
  for (const doc of ['docs/grafana-dashboard.json', 'docs/operations.md']) {
    const named = new Set([...fs.readFileSync(path.join(__dirname, '../..', doc), 'utf8').matchAll(/siaran_[a-z0-9_]*[a-z0-9]/g)].map((m) => base(m[0])));
    const unknown = [...named].filter((n) => !served.has(n) && !/^siaran_(process|nodejs)$/.test(n));
    expect({ doc, unknown }).toEqual({ doc, unknown: [] });
  }
}, 60_000);

test('/readyz counts the worker heartbeat beside the database and Redis', async () => {
  const ready = await client(h.url)('GET', '/readyz');
  expect(ready.status).toBe(200);
  expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok', workers: 'ok' } });
});

test('a top unit’s admin sees the queues in words and retries a failed job; a Polres admin may not', async () => {
  // A maintenance job that failed (they are the ones BullMQ keeps), made while this process's own
  // maintenance worker is paused so that the failing one below takes it.
  const connection = { host: '127.0.0.1', port: 6379 };
  const own = h.siaran.workers!.maintenance;
  await own.pause();
  const maintenance = new Queue('maintenance', { connection, prefix: h.prefix });
  const failing = new Worker('maintenance', null, { connection, prefix: h.prefix, autorun: false });
  const failed = `broken-${String(Date.now())}`;
  try {
    const job = await maintenance.add('reconcile', {}, { jobId: failed, attempts: 1, removeOnFail: 100 });
    const taken = await waitFor('the job', async () => {
      const j = await failing.getNextJob('test-lock');
      return (j as typeof j | undefined)?.id === job.id ? j : undefined;
    });
    await taken.moveToFailed(new Error('database unreachable'), 'test-lock', false);
  } finally {
    await failing.close();
    await maintenance.close();
    await own.resume();
  }
  const cookie = await signIn({ h, world }, 'admin');
  const page = await fetch(`${h.url}/admin/queues?queue=maintenance&state=failed`, { headers: { cookie } });
  expect(page.status).toBe(200);
  const text = await page.text();
  expect(text).toContain('Pemeliharaan');
  expect(text).toContain('Periksa jadwal terhadap basis data');
  expect(text).toContain('database unreachable');
  expect(text).toContain('data-workers');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(text)![1]!;
  // Without the CSRF token, nothing is retried.
  const forged = await fetch(`${h.url}/admin/queues/maintenance/retry`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: `jobId=${failed}` });
  expect(forged.status).toBe(403);
  const retried = await fetch(`${h.url}/admin/queues/maintenance/retry`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, jobId: failed }).toString() });
  expect(retried.status).toBe(200);
  expect(await retried.text()).toContain('Pekerjaan dijalankan lagi.');
  const again = await fetch(`${h.url}/admin/queues/maintenance/retry`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, jobId: failed }).toString() });
  expect(again.status).toBe(409);

  // A post scheduled for later is a delayed publish job: its unit's top admin sees it, another Polda's does not.
  const operator = client(h.url, world.tokens.operator);
  const later = await operator('POST', '/api/v1/posts', { title: 'Nanti', body: 'Dijadwalkan.', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(3600) });
  const sub = await operator('POST', `/api/v1/posts/${later.body.id}/submit`);
  await client(h.url, world.tokens.supervisor)('POST', `/api/v1/posts/${later.body.id}/approve`, { expectedVersion: sub.body.version });
  const delayed = await (await fetch(`${h.url}/admin/queues?queue=publish&state=delayed`, { headers: { cookie } })).text();
  expect(delayed).toContain(`/posts/${later.body.id as string}`);
  const dbm = h.siaran.database.db;
  const malut = await dbm.selectFrom('units').select('slug').where('name', '=', 'Polda Maluku Utara').where('parent_id', 'is', null).executeTakeFirstOrThrow();
  const malutAdmin = await addUser(dbm, { email: `admin.malut.${String(Date.now())}@test.siaran`, name: 'Admin Malut', unitSlug: malut.slug, role: 'admin' });
  await setPassword(dbm, malutAdmin.id, 'kata-sandi-rahasia-123');
  const malutCookie = await signInWith(h.url, malutAdmin.email, 'kata-sandi-rahasia-123');
  const theirs = await fetch(`${h.url}/admin/queues?queue=publish&state=delayed`, { headers: { cookie: malutCookie } });
  expect(theirs.status).toBe(200);
  expect(await theirs.text()).not.toContain(later.body.id as string);

  // An admin of a Polres: the queues are the installation's, not theirs.
  const db = h.siaran.database.db;
  const polresAdmin = await addUser(db, { email: `admin.polres.${Date.now()}@test.siaran`, name: 'Admin Polres', unitSlug: (await db.selectFrom('units').select('slug').where('id', '=', world.units.polres).executeTakeFirstOrThrow()).slug, role: 'admin' });
  await setPassword(db, polresAdmin.id, 'kata-sandi-rahasia-123');
  const polresCookie = await signInWith(h.url, polresAdmin.email, 'kata-sandi-rahasia-123');
  const refused = await fetch(`${h.url}/admin/queues`, { headers: { cookie: polresCookie } });
  expect(refused.status).toBe(403);
  expect(await refused.text()).toContain('hanya admin satuan teratas');
  // Operators and supervisors are refused too.
  expect((await fetch(`${h.url}/admin/queues`, { headers: { cookie: await signIn({ h, world }, 'supervisor') } })).status).toBe(403);
}, 60_000);

// An API with no worker anywhere is not ready: nothing would publish what it schedules.
(testDbKind() === 'postgres' ? test : test.skip)('/readyz of an API process with no live worker says so, in words, with 503', async () => {
  const env = testEnv({ LOG_LEVEL: 'info' });
  const api = spawnSiaran(env, ['--api']);
  try {
    const ready = await client(await api.url)('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'not-ready', checks: { database: 'ok', redis: 'ok', workers: 'no live worker' } });
    // Liveness does not depend on the workers: a load balancer keeps sending people to the pages.
    expect((await client(await api.url)('GET', '/healthz')).status).toBe(200);
  } finally {
    expect(await api.kill('SIGTERM')).toBe(0);
    await dropTestState(loadEnv(env));
  }
}, 60_000);
