// A large posting plan (a Polda's month for its units) is imported by a job on its own BullMQ queue, its progress
// reported as it checks and shown on its page: 1,000 rows with two bad ones import nothing and name both; fixed,
// they make 1,000 drafts in one transaction. The same import run twice at once makes its drafts once, and one whose
// job Redis lost is queued again by the sweep.
import { QueueEvents } from 'bullmq';
import { planImportFor, runPlanImport } from '../../services/posts/plan-imports';
import { importPosts } from '../../services/posts/import-posts';
import { IMPORT_QUEUE } from '../../workers/queue/import-queue';
import { type Harness, type World, client, seedWorld, startHarness, unitSlug, waitFor } from '../support/harness';
import { signIn } from '../support/web-session';

let h: Harness;
let world: World;
let slug: string;

beforeAll(async () => {
  h = await startHarness();
  world = await seedWorld(h.siaran.database.db);
  slug = await unitSlug(h.siaran.database.db, world.units.polres);
});
afterAll(() => h.close());

function wib(days: number, hour: number): string {
  const at = new Date(Date.now() + days * 86_400_000);
  return `${at.toLocaleDateString('sv-SE', { timeZone: 'Asia/Jakarta' })} ${String(hour).padStart(2, '0')}:00`;
}

/** `n` rows as a spreadsheet saves them; `spoil` changes some. */
function plan(tag: string, n: number, spoil: (row: string[], i: number) => string[] = (r) => r): string {
  const rows = Array.from({ length: n }, (_, i) => spoil([slug, `Giat ${tag} ke-${i + 1}`, `Personel melaksanakan giat ${tag} nomor ${i + 1} bersama warga.`, wib(2 + (i % 28), 6 + (i % 16)), 'Halaman berita'], i));
  return ['satuan;judul;teks;waktu;kanal', ...rows.map((r) => r.join(';'))].join('\r\n') + '\r\n';
}

async function postsOfUnit(): Promise<number> {
  const r = await h.siaran.database.db.selectFrom('posts').select((eb) => eb.fn.countAll<string>().as('n')).where('unit_id', '=', world.units.polres).executeTakeFirstOrThrow();
  return Number(r.n);
}

async function upload(csv: string) {
  const res = await fetch(`${h.url}/api/v1/imports`, { method: 'POST', headers: { authorization: `Bearer ${world.tokens.operator}`, 'content-type': 'text/csv' }, body: csv });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const progressOf = (url: string) => client(h.url, world.tokens.operator)('GET', url.replace(/^\/api\/v1/, '/api/v1'));

async function ended(url: string) {
  return waitFor('the import to end', async () => {
    const r = await progressOf(url);
    return ['done', 'refused', 'failed'].includes(r.body.status) ? r.body : undefined;
  }, 120_000, 200);
}

test('1,000 rows with two bad ones: the job reports its progress, imports nothing and names both; fixed, 1,000 drafts', async () => {
  const before = await postsOfUnit();
  const events = new QueueEvents(IMPORT_QUEUE, { connection: { host: '127.0.0.1', port: 6379 }, prefix: h.prefix });
  await events.waitUntilReady();
  const progress: Array<{ jobId: string; checked: number; rows: number }> = [];
  events.on('progress', ({ jobId, data }) => progress.push({ jobId, ...(data as { checked: number; rows: number }) }));
  try {
    // Row 400 has no title; row 901 is in the past.
    const refused = await upload(plan('bulanan', 1000, (r, i) => (i === 398 ? [r[0]!, '', r[2]!, r[3]!, r[4]!] : i === 899 ? [r[0]!, r[1]!, r[2]!, '2020-01-01 09:00', r[4]!] : r)));
    expect(refused.status).toBe(202);
    expect(refused.body).toMatchObject({ kind: 'queued', rows: 1000, progressUrl: `/api/v1/imports/${String(refused.body.importId)}` });
    const first = await ended(refused.body.progressUrl);
    expect(first).toMatchObject({ status: 'refused', rows: 1000, checked: 1000, imported: 0, postIds: [] });
    expect(first.message.id).toMatch(/^2 dari 1\.000 baris bermasalah; belum ada yang diimpor/);
    expect(first.problems.map((p: { row: number; column: string; code: string }) => [p.row, p.column, p.code])).toEqual([
      [400, 'judul', 'import.required'],
      [901, 'waktu', 'schedule.in_past'],
    ]);
    expect(await postsOfUnit()).toBe(before);
    // Progress came as the rows were checked, not only at the end.
    const mine = progress.filter((e) => e.jobId === `plan-${String(refused.body.importId)}`);
    expect(mine.some((e) => e.checked > 0 && e.checked < 1000)).toBe(true);
    expect(mine.every((e) => e.rows === 1000)).toBe(true);

    // Its author is told, wherever they are, with the way to the problems.
    const toldOf = async (kind: string, importId: unknown) => h.siaran.database.db.selectFrom('notifications').select(['user_id', 'data']).where('kind', '=', kind).where('event_key', '=', String(importId)).execute();
    expect((await toldOf('plan.refused', refused.body.importId)).map((n) => n.user_id)).toEqual([world.users.operator]);
    // Only its author follows it.
    expect((await client(h.url, world.tokens.supervisor)('GET', refused.body.progressUrl)).status).toBe(404);

    const fixed = await upload(plan('bulanan', 1000));
    expect(fixed.status).toBe(202);
    const second = await ended(fixed.body.progressUrl);
    expect(second).toMatchObject({ status: 'done', rows: 1000, checked: 1000, imported: 1000 });
    expect(second.postIds).toHaveLength(1000);
    expect(await postsOfUnit()).toBe(before + 1000);
    expect((await toldOf('plan.imported', fixed.body.importId)).map((n) => [n.user_id, (n.data as { imported: string }).imported])).toEqual([[world.users.operator, '1000']]);
    const made = await h.siaran.database.db.selectFrom('posts').select(['status', 'author_id']).where('id', 'in', second.postIds).execute();
    expect(made.every((p) => p.status === 'draft' && p.author_id === world.users.operator)).toBe(true);

    // Its page lists the drafts 500 at a time, in the file's order, each with its unit; the plan page links to it.
    const cookie = await signIn({ h, world }, 'operator');
    const page = await fetch(`${h.url}/plan/imports/${String(fixed.body.importId)}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('refresh')).toBeNull();
    const text = await page.text();
    expect(text).toContain('data-import-status="done"');
    expect(text).toContain('1.000 draf dibuat dari rencana');
    const listed = [...text.matchAll(/data-imported-post="([^"]+)"/g)].map((m) => m[1]);
    expect(listed).toEqual(second.postIds.slice(0, 500));
    expect(text).toContain('halaman 1 dari 2');
    const next = await (await fetch(`${h.url}/plan/imports/${String(fixed.body.importId)}?page=2`, { headers: { cookie } })).text();
    expect([...next.matchAll(/data-imported-post="([^"]+)"/g)].map((m) => m[1])).toEqual(second.postIds.slice(500));
    const planPage = await (await fetch(`${h.url}/plan`, { headers: { cookie } })).text();
    expect(planPage).toContain(`<a href="/plan/imports/${String(fixed.body.importId)}">rencana.csv</a>`);
  } finally {
    await events.close();
  }
}, 240_000);

test('while the job runs, its page shows the rows checked and asks for itself again', async () => {
  const db = h.siaran.database.db;
  const id = '6f1d3a52-4b7e-4c1a-9d2e-0a5b8c7d6e11';
  const now = new Date();
  await db.insertInto('plan_imports').values({ id, user_id: world.users.operator, file_name: 'rencana-desember.csv', file: null, rows: 1000, status: 'checking', checked: 300, created_at: now, updated_at: now }).execute();
  try {
    const cookie = await signIn({ h, world }, 'operator');
    const page = await fetch(`${h.url}/plan/imports/${id}`, { headers: { cookie } });
    expect(page.headers.get('refresh')).toBe('3');
    const text = await page.text();
    expect(text).toContain('Memeriksa baris: 300 dari 1.000');
    expect(text).toMatch(/<progress max="1000" value="300"/);
    // Half an hour on, nothing runs it: the page stops asking for itself and says why.
    await db.updateTable('plan_imports').set({ created_at: new Date(Date.now() - 31 * 60_000) }).where('id', '=', id).execute();
    const stuck = await fetch(`${h.url}/plan/imports/${id}`, { headers: { cookie } });
    expect(stuck.headers.get('refresh')).toBeNull();
    expect(await stuck.text()).toContain('sudah menunggu lebih dari 30 menit');
    const other = await signIn({ h, world }, 'supervisor');
    expect((await fetch(`${h.url}/plan/imports/${id}`, { headers: { cookie: other } })).status).toBe(404);
  } finally {
    await db.deleteFrom('plan_imports').where('id', '=', id).execute();
  }
});

test('the same import run twice at once makes its drafts once; one whose job was lost is queued again by the sweep', async () => {
  const deps = postDepsWithoutQueue();
  const actor = { id: world.users.operator, role: 'operator' as const, unitId: world.units.polres };
  const before = await postsOfUnit();
  const kept = await importPosts(deps, actor, plan('serentak', 320), 'serentak.csv');
  expect(kept.kind).toBe('queued');
  const importId = kept.kind === 'queued' ? kept.importId : '';
  const runs = await Promise.all([runPlanImport(deps, importId, () => Promise.resolve()), runPlanImport(deps, importId, () => Promise.resolve())]);
  expect(runs).toEqual(['done', 'done']);
  expect(await postsOfUnit()).toBe(before + 320);
  expect(await planImportFor(deps, actor, importId)).toMatchObject({ status: 'done', imported: 320, checked: 320 });

  // Kept while Redis was away (nothing queued), and untouched for three minutes: the sweep queues it. The worker's
  // own sweep runs every second here and may take it first, so this call finds it or finds it already taken; either
  // way nothing but a sweep queues it (these deps have no queue).
  const lost = await importPosts(deps, actor, plan('tertinggal', 310), 'tertinggal.csv');
  const lostId = lost.kind === 'queued' ? lost.importId : '';
  expect(await planImportFor(deps, actor, lostId)).toMatchObject({ status: 'queued' });
  await h.siaran.database.db.updateTable('plan_imports').set({ updated_at: new Date(Date.now() - 180_000) }).where('id', '=', lostId).execute();
  expect(await h.siaran.imports!.sweep()).toBeLessThanOrEqual(1);
  expect(await ended(`/api/v1/imports/${lostId}`)).toMatchObject({ status: 'done', imported: 310 });
  expect(await postsOfUnit()).toBe(before + 320 + 310);
}, 120_000);

test('two uploads of one plan imported at once make its drafts once; a file that stops its worker is given up after three runs', async () => {
  const deps = postDepsWithoutQueue();
  const actor = { id: world.users.operator, role: 'operator' as const, unitId: world.units.polres };
  const before = await postsOfUnit();
  const csv = plan('kembar', 305);
  const ids = [];
  for (const name of ['kembar-a.csv', 'kembar-b.csv']) {
    const kept = await importPosts(deps, actor, csv, name);
    ids.push(kept.kind === 'queued' ? kept.importId : '');
  }
  const outcomes = await Promise.all(ids.map((id) => runPlanImport(deps, id, () => Promise.resolve())));
  expect([...outcomes].sort()).toEqual(['done', 'refused']);
  expect(await postsOfUnit()).toBe(before + 305);
  const ended = await Promise.all(ids.map((id) => planImportFor(deps, actor, id)));
  const loser = ended.find((e) => e.status === 'refused')!;
  expect(loser.problems[0]).toMatchObject({ row: 2, code: 'import.exists' });

  // Counted at each start: a run that never ended (its worker killed) counts as much as one that did.
  const crashing = await importPosts(deps, actor, plan('mogok', 302), 'mogok.csv');
  const crashingId = crashing.kind === 'queued' ? crashing.importId : '';
  await h.siaran.database.db.updateTable('plan_imports').set({ runs: 3 }).where('id', '=', crashingId).execute();
  expect(await runPlanImport(deps, crashingId, () => Promise.resolve())).toBe('failed');
  expect((await planImportFor(deps, actor, crashingId)).message?.id).toMatch(/^Impor terhenti/);
}, 120_000);

test('a large plan is kept only for someone who writes posts, two at a time per person; a cell of one word repeated is one problem', async () => {
  const admin = await fetch(`${h.url}/api/v1/imports`, { method: 'POST', headers: { authorization: `Bearer ${world.tokens.admin}`, 'content-type': 'text/csv' }, body: plan('admin', 310) });
  expect(admin.status).toBe(403);
  expect(((await admin.json()) as { error: { code: string } }).error.code).toBe('import.not_author');

  const deps = postDepsWithoutQueue();
  const actor = { id: world.users.operator, role: 'operator' as const, unitId: world.units.polres };
  const waiting = [];
  for (const tag of ['antre-1', 'antre-2']) {
    const kept = await importPosts(deps, actor, plan(tag, 301), `${tag}.csv`);
    waiting.push(kept.kind === 'queued' ? kept.importId : '');
  }
  const third = await upload(plan('antre-3', 301));
  expect(third.status).toBe(409);
  expect(third.body.error.code).toBe('import.busy');
  await h.siaran.database.db.deleteFrom('plan_imports').where('id', 'in', waiting).execute();

  // Twenty thousand characters of the same unknown channel name: one problem for the row, the name cut short.
  const noisy = await upload(plan('bising', 5, (r, i) => (i === 2 ? [r[0]!, r[1]!, r[2]!, r[3]!, `${'TikTokX;'.repeat(2500)}Halaman berita`] : r)));
  expect(noisy.status).toBe(422);
  expect(noisy.body.error.details.problems).toEqual([expect.objectContaining({ row: 4, code: 'import.unknown_channel' })]);
  // A cell longer than any post's text is refused as such, naming its row and column.
  const runaway = await upload(plan('liar', 5, (r, i) => (i === 1 ? [r[0]!, r[1]!, 'x'.repeat(45_000), r[3]!, r[4]!] : r)));
  expect(runaway.status).toBe(422);
  expect(runaway.body.error.code).toBe('import.cell_too_long');
  expect(runaway.body.error.message).toMatch(/^Baris 3, kolom "teks"/);
});

test('a row repeated in one file and a title too long are named in words; a file name keeps its own letters', async () => {
  const file = plan('ulang', 4, (r, i) => (i === 3 ? plan('ulang', 4).split('\r\n')[1]!.split(';') : i === 1 ? [r[0]!, 'J'.repeat(201), r[2]!, r[3]!, r[4]!] : r));
  const refused = await upload(file);
  expect(refused.status).toBe(422);
  expect(refused.body.error.details.problems.map((p: { row: number; code: string; message: { id: string } }) => [p.row, p.code, p.message.id])).toEqual([
    [3, 'import.invalid_value', 'Terlalu panjang: paling banyak 200 karakter.'],
    [5, 'import.duplicate_row', 'Baris ini sama dengan baris 2 (satuan, judul, dan waktu yang sama). Hapus salah satunya.'],
  ]);

  const cookie = await signIn({ h, world }, 'operator');
  const form = await fetch(`${h.url}/plan`, { headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const body = new FormData();
  body.set('_csrf', csrf);
  body.set('file', new Blob([plan('huruf', 3)], { type: 'text/csv' }), 'Rencana Humas – Januari.csv');
  const sent = await fetch(`${h.url}/plan`, { method: 'POST', headers: { cookie }, body, redirect: 'manual' });
  expect(sent.status).toBe(201);
  expect(await sent.text()).toContain('Rencana Humas – Januari.csv');
});

/** The post use cases as the server has them, but with no import queue: as the CLI, or a server whose Redis is away. */
function postDepsWithoutQueue() {
  const s = h.siaran;
  return { db: s.database.db, scheduler: s.queue, log: s.log, now: () => new Date(), minLeadSeconds: 0 };
}
