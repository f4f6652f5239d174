// A month's posting plan from a spreadsheet: 200 rows with 3 bad ones import nothing and name each problem by
// its row and column; fixed, they become 200 drafts in one go. The template imports as it is; a post list comes
// back out as CSV, where no cell can become a formula.
import { parse } from 'csv-parse/sync';
import { type Harness, type World, client, inSeconds, seedWorld, startHarness, unitSlug } from '../support/harness';
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

const operator = () => client(h.url, world.tokens.operator);

/** A CSV file's rows, as a spreadsheet reads them. */
function csvRows(text: string): string[][] {
  const rows: string[][] = parse(text, { bom: true });
  return rows;
}

/** The date and time `days` from now in WIB, as a person types it ("2026-12-07 09:00"). */
function wib(days: number, hour: number): string {
  const at = new Date(Date.now() + days * 86_400_000);
  return `${at.toLocaleDateString('sv-SE', { timeZone: 'Asia/Jakarta' })} ${String(hour).padStart(2, '0')}:${hour % 2 === 0 ? '00' : '30'}`;
}

/** 200 rows as a spreadsheet set to Indonesian saves them: ";" between columns, quotes where a cell needs them. */
function plan(tag: string, spoil: (row: string[], i: number) => string[] = (r) => r): string {
  const rows = Array.from({ length: 200 }, (_, i) =>
    spoil([slug, `Kegiatan ${tag} ke-${i + 1}`, `Personel Polres melaksanakan kegiatan ${tag} nomor ${i + 1}; warga menyambut "baik".`, wib(2 + (i % 28), 7 + (i % 14)), 'Halaman berita'], i),
  );
  const cell = (v: string) => (/[;"\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return ['satuan;judul;teks;waktu;kanal', ...rows.map((r) => r.map(cell).join(';'))].join('\r\n') + '\r\n';
}

/** Three rows spoiled: the 12th without a title, the 77th in the past, the 150th naming a platform Siaran has no channel for. */
const spoiled = (row: string[], i: number): string[] =>
  i === 11 ? [row[0]!, '', row[2]!, row[3]!, row[4]!] : i === 76 ? [row[0]!, row[1]!, row[2]!, '2020-01-01 09:00', row[4]!] : i === 149 ? [row[0]!, row[1]!, row[2]!, row[3]!, 'Halaman berita; TikTok'] : row;

async function postsOfUnit(): Promise<number> {
  const r = await h.siaran.database.db.selectFrom('posts').select((eb) => eb.fn.countAll<string>().as('n')).where('unit_id', '=', world.units.polres).executeTakeFirstOrThrow();
  return Number(r.n);
}

async function importCsv(csv: string) {
  const res = await fetch(`${h.url}/api/v1/imports`, { method: 'POST', headers: { authorization: `Bearer ${world.tokens.operator}`, 'content-type': 'text/csv' }, body: csv });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

test('200 rows with 3 bad ones import nothing and point at each; fixed, they make 200 drafts', async () => {
  const before = await postsOfUnit();
  const refused = await importCsv(plan('bakti', spoiled));
  expect(refused.status).toBe(422);
  expect(refused.body.error.code).toBe('import.invalid');
  expect(refused.body.error.message).toBe('3 dari 200 baris bermasalah; belum ada yang diimpor. Perbaiki baris yang disebut, lalu unggah lagi berkas seluruhnya.');
  // Rows as the spreadsheet numbers them (its header is row 1), each with its column's header and what to do.
  const problems = refused.body.error.details.problems as Array<{ row: number; column: string; code: string; message: { id: string } }>;
  expect(problems.map((p) => [p.row, p.column, p.code])).toEqual([
    [13, 'judul', 'import.required'],
    [78, 'waktu', 'schedule.in_past'],
    [151, 'kanal', 'import.unknown_channel'],
  ]);
  expect(problems[2]!.message.id).toBe('"TikTok" bukan nama kanal. Kanal satuan ini: Halaman berita.');
  // Times as spreadsheets and people write them read as the form reads them; the unit by its name too.
  const written = await importCsv(`satuan;judul;teks;waktu;kanal\nPolres Tulangbawang Barat;Ditulis dengan nama satuan;Isi.;${wib(3, 9).replace(/^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/, '$3/$2/$1 $4.$5')};halaman berita\n`);
  expect(written.status).toBe(201);
  const unreadable = await importCsv('judul;teks;waktu;kanal\nA;B;besok pagi;Halaman berita\n');
  expect(unreadable.body.error.details.problems[0].message.id).toBe('Waktu "besok pagi" tidak terbaca. Tulis tanggal dan jam menurut waktu satuan, mis. 2026-12-07 09:00 atau 07/12/2026 09.00.');
  expect(await postsOfUnit()).toBe(before + 1);

  const done = await importCsv(plan('bakti'));
  expect(done.status).toBe(201);
  expect(done.body.imported).toBe(200);
  expect(await postsOfUnit()).toBe(before + 201);
  const db = h.siaran.database.db;
  const made = await db.selectFrom('posts').select(['status', 'author_id', 'title']).where('id', 'in', done.body.postIds as string[]).execute();
  expect(made).toHaveLength(200);
  expect(new Set(made.map((p) => p.status))).toEqual(new Set(['draft']));
  expect(new Set(made.map((p) => p.author_id))).toEqual(new Set([world.users.operator]));
  // Each with its channel and its first history entry, as a draft written in the form has.
  const one = (await operator()('GET', `/api/v1/posts/${done.body.postIds[76]}`)).body;
  expect(one).toMatchObject({ title: 'Kegiatan bakti ke-77', body: 'Personel Polres melaksanakan kegiatan bakti nomor 77; warga menyambut "baik".', status: 'draft' });
  expect(one.targets.map((t: { channelId: string }) => t.channelId)).toEqual([world.newsPage.polres]);
  // Row 77: the 13th hour after 7 (76 mod 14 = 6), at half past, in WIB.
  expect(one.scheduledLocal).toContain('13.30 WIB');
  const history = (await operator()('GET', `/api/v1/posts/${one.id}/history`)).body.events;
  expect(history.map((e: { type: string }) => e.type)).toEqual(['created']);

  // The same file again would make every post twice: each row is named, and nothing is imported.
  const again = await importCsv(plan('bakti'));
  expect(again.status).toBe(422);
  expect(again.body.error.message).toMatch(/^200 dari 200 baris bermasalah/);
  expect(new Set(again.body.error.details.problems.map((p: { code: string; column: string }) => `${p.code} ${p.column}`))).toEqual(new Set(['import.exists judul']));
  expect(await postsOfUnit()).toBe(before + 201);
}, 60_000);

test('the template imports as it is; a plan for a unit out of reach, or a file that is no plan, is refused in words', async () => {
  const template = await fetch(`${h.url}/api/v1/imports/template`, { headers: { authorization: `Bearer ${world.tokens.operator}` } });
  expect(template.status).toBe(200);
  expect(template.headers.get('content-type')).toContain('text/csv');
  const text = await template.text();
  const rows = csvRows(text);
  expect(rows[0]).toEqual(['satuan', 'judul', 'teks', 'waktu', 'kanal']);
  expect(rows.slice(1).map((r) => r[0])).toEqual([slug, slug]);
  expect((await importCsv(text)).body.imported).toBe(2);

  const otherSlug = await unitSlug(h.siaran.database.db, world.units.other);
  const foreign = await importCsv(`satuan,judul,teks,waktu,kanal\n${otherSlug},Judul,Teks,${wib(3, 9)},Halaman berita\n`);
  expect(foreign.status).toBe(422);
  expect(foreign.body.error.details.problems).toEqual([expect.objectContaining({ row: 2, column: 'satuan', code: 'import.unit' })]);
  const noColumns = await importCsv('nama,alamat\nBudi,Jl. Merdeka 1\n');
  expect(noColumns.status).toBe(422);
  expect(noColumns.body.error.code).toBe('import.columns');
  const broken = await importCsv(`judul,teks,waktu,kanal\nA\u0000,B,${wib(3, 9)},Halaman berita\n`);
  expect(broken.status).toBe(422);
  expect(broken.body.error.code).toBe('import.unstorable');
  const notCsv = await fetch(`${h.url}/api/v1/imports`, { method: 'POST', headers: { authorization: `Bearer ${world.tokens.operator}`, 'content-type': 'application/json' }, body: '{}' });
  expect(notCsv.status).toBe(415);
});

test('a post list comes out as CSV, in the reader\'s language, with no cell a spreadsheet would run', async () => {
  const created = await operator()('POST', '/api/v1/posts', { title: '=HYPERLINK("http://contoh.test","klik")', body: 'Isi.', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(86_400 * 40) });
  expect(created.status).toBe(201);
  const res = await fetch(`${h.url}/api/v1/exports/posts?unitId=${world.units.polres}`, { headers: { authorization: `Bearer ${world.tokens.supervisor}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-disposition')).toBe('attachment; filename=pos-siaran.csv');
  const rows = csvRows(await res.text());
  expect(rows[0]).toEqual(['id', 'satuan', 'judul', 'status', 'waktu', 'zona', 'penulis', 'kanal', 'tautan']);
  const row = rows.find((r) => r[0] === created.body.id)!;
  expect(row[2]).toBe('\'=HYPERLINK("http://contoh.test","klik")');
  expect(row[3]).toBe('Draf');
  expect(row[7]).toBe('Halaman berita: Belum disetujui');
  expect(rows.length).toBeGreaterThan(200);
  const english = csvRows(await (await fetch(`${h.url}/api/v1/exports/posts?unitId=${world.units.polres}&lang=en`, { headers: { authorization: `Bearer ${world.tokens.supervisor}` } })).text());
  expect(english[0]![2]).toBe('title');
  expect(english.find((r) => r[0] === created.body.id)![3]).toBe('Draft');
});

test('on the page: the file is checked, its problems listed by row and column; fixed, it makes the drafts', async () => {
  const cookie = await signIn({ h, world }, 'operator');
  const page = await (await fetch(`${h.url}/plan`, { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  expect(page).toContain('href="/plan/template.csv"');
  const send = (csv: string) => {
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('file', new Blob([csv], { type: 'text/csv' }), 'rencana-desember.csv');
    return fetch(`${h.url}/plan`, { method: 'POST', headers: { cookie }, body: form, redirect: 'manual' });
  };
  const refused = await send(plan('halaman', spoiled));
  expect(refused.status).toBe(422);
  const text = await refused.text();
  expect(text).toContain('3 dari 200 baris bermasalah; belum ada yang diimpor.');
  expect([...text.matchAll(/<tr data-row="(\d+)" data-column="([^"]*)">/g)].map((m) => [m[1], m[2]])).toEqual([
    ['13', 'judul'],
    ['78', 'waktu'],
    ['151', 'kanal'],
  ]);
  const before = await postsOfUnit();
  const done = await send(plan('halaman'));
  expect(done.status).toBe(201);
  expect(await postsOfUnit()).toBe(before + 200);
  // The drafts are listed where the operator is, each a link to add its photos (the calendar shows no drafts).
  const after = await done.text();
  expect(after).toContain('200 draf dibuat dari rencana.');
  expect((after.match(/<li data-imported-post="[0-9a-f-]{36}"><a href="\/compose\/[0-9a-f-]{36}">Kegiatan halaman ke-\d+<\/a>/g) ?? []).length).toBe(200);
  // Sent again (a reload), it makes nothing twice.
  expect((await send(plan('halaman'))).status).toBe(422);
  expect(await postsOfUnit()).toBe(before + 200);
  // A form cut short (its file part never closed) is refused in words, and the server goes on answering.
  const boundary = 'siaran-test-boundary';
  const cut = `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\njudul,teks\r\nA,B`;
  const broken = await fetch(`${h.url}/plan`, { method: 'POST', headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` }, body: cut, redirect: 'manual' });
  expect(broken.status).toBe(422);
  expect(await broken.text()).toContain('Unggahan terputus atau tidak terbaca');
  expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  // No file is read for someone not signed in, nor one declared larger than the limit.
  const anonymous = new FormData();
  anonymous.set('file', new Blob(['judul,teks\n'], { type: 'text/csv' }), 'x.csv');
  expect((await fetch(`${h.url}/plan`, { method: 'POST', body: anonymous, redirect: 'manual' })).status).toBe(401);
  const huge = await fetch(`${h.url}/api/v1/imports`, { method: 'POST', headers: { authorization: `Bearer ${world.tokens.operator}`, 'content-type': 'text/csv' }, body: 'x'.repeat(8 * 1024 * 1024 + 1) });
  expect(huge.status).toBe(413);
  // Without its CSRF token the form does nothing.
  const form = new FormData();
  form.set('file', new Blob([plan('tanpa-token')], { type: 'text/csv' }), 'x.csv');
  expect((await fetch(`${h.url}/plan`, { method: 'POST', headers: { cookie }, body: form, redirect: 'manual' })).status).toBe(403);
}, 60_000);
