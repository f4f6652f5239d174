// The monthly report on generated data: two Polres of one Polda and a Polsek, a month of posts each with known
// outcomes (on time, late, failed), approvals, rejections, photos and shares. Every figure is computed here from
// the generator and compared with the report; the ranking follows the documented score; the files open.
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import readXlsxFile from 'read-excel-file/node';
import { unitScore } from '../../shared/reports/unit-score';
import { channelsOfUnit } from '../../services/channels/channel.repository';
import { addUnit } from '../../services/units/unit.repository';
import { type Harness, type World, addWebhook, client, seedWorld, startHarness, unitSlug } from '../support/harness';
import { signIn } from '../support/web-session';

let h: Harness;
let world: World;
let lambar: string;
/** October 2026 in WIB: a finished month, whatever day the test runs. */
const MONTH = '2026-10';
const START = Date.parse('2026-09-30T17:00:00Z');

interface Made {
  published: number;
  byKind: Record<string, number>;
  onTime: number;
  late: number;
  failed: number;
  approvalMinutes: number[];
  rejections: number;
  photos: number;
  visits: number;
  shares: number;
}

/** `n` posts of the unit in October, the i-th with outcomes chosen by i; returns what the report should count. */
async function generate(unitId: string, n: number, seed: number): Promise<Made> {
  const db = h.siaran.database.db;
  const channels = await channelsOfUnit(db, unitId);
  const news = channels.find((c) => c.kind === 'news_page')!.id;
  const hook = await addWebhook(db, unitId, 'http://127.0.0.1:9/terima', 'rahasia-webhook-panjang-sekali');
  const author = world.users.operator;
  const made: Made = { published: 0, byKind: {}, onTime: 0, late: 0, failed: 0, approvalMinutes: [], rejections: 0, photos: 0, visits: 0, shares: 0 };
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    const at = new Date(START + ((i * 37 + seed) % (31 * 24)) * 3_600_000);
    const approvalMinutes = 30 + ((i * 13 + seed) % 200);
    const submitted = new Date(at.getTime() - 6 * 3_600_000);
    const approved = new Date(submitted.getTime() + approvalMinutes * 60_000);
    const outcome = (i + seed) % 5; // 0–2: both out on time; 3: the webhook late; 4: the webhook failed
    await db
      .insertInto('posts')
      .values({ id, unit_id: unitId, author_id: author, title: `Kegiatan ${i}`, body: 'Isi.', variants: JSON.stringify({}), channel_options: '{}', status: outcome === 4 ? 'failed' : 'published', scheduled_at: at, version: 1, approved_by: world.users.supervisor, approved_at: approved, updated_at: at })
      .execute();
    const target = (channel: string, status: 'published' | 'failed', late: boolean) => ({
      id: randomUUID(), post_id: id, channel_id: channel, status, updated_at: at, published_at: status === 'published' ? new Date(at.getTime() + (late ? 45 : 1) * 60_000) : null,
    });
    await db.insertInto('post_targets').values([target(news, 'published', false), target(hook, outcome === 4 ? 'failed' : 'published', outcome === 3)]).execute();
    const events = [{ post_id: id, actor_id: author, type: 'submitted', at: submitted, data: JSON.stringify({}) }, { post_id: id, actor_id: world.users.supervisor, type: 'approved', at: approved, data: JSON.stringify({}) }];
    // Every third post was rejected once before it was submitted again.
    if (i % 3 === 0) events.unshift({ post_id: id, actor_id: world.users.supervisor, type: 'rejected', at: new Date(submitted.getTime() - 3_600_000), data: JSON.stringify({ note: 'Perbaiki.' }) });
    await db.insertInto('post_events').values(events).execute();
    const photos = i % 4;
    for (let p = 0; p < photos; p++) {
      await db
        .insertInto('photos')
        .values({ id: randomUUID(), unit_id: unitId, post_id: id, uploaded_by: author, position: p, original_key: `originals/x/${randomUUID()}`, mime: 'image/jpeg', width: 10, height: 10, bytes: 100, sha256: 'x', status: 'ready', updated_at: at })
        .execute();
    }
    const visits = (i * 7 + seed) % 30;
    const shares = i % 6;
    for (const [kind, count] of [['visit', visits], ['share_whatsapp', shares], ['share_copy', i % 2]] as const) {
      if (count > 0) await db.insertInto('amplification_counts').values({ post_id: id, unit_id: unitId, day: at.toISOString().slice(0, 10), kind, count }).execute();
    }
    made.published++;
    made.byKind.news_page = (made.byKind.news_page ?? 0) + 1;
    if (outcome !== 4) made.byKind.webhook = (made.byKind.webhook ?? 0) + 1;
    made.onTime += outcome <= 2 ? 2 : 1;
    made.late += outcome === 3 ? 1 : 0;
    made.failed += outcome === 4 ? 1 : 0;
    made.approvalMinutes.push(approvalMinutes);
    made.rejections += i % 3 === 0 ? 1 : 0;
    made.photos += photos;
    made.visits += visits;
    made.shares += shares + (i % 2);
  }
  return made;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

let tubaba: Made;
let lampungBarat: Made;

beforeAll(async () => {
  h = await startHarness();
  const db = h.siaran.database.db;
  world = await seedWorld(db);
  const polda = await unitSlug(db, world.units.polda);
  lambar = (await addUnit(db, { slug: `polres-lambar-${polda.slice(-6)}`, name: 'Polres Lampung Barat', parentSlug: polda, timeZone: 'Asia/Jakarta' })).id;
  tubaba = await generate(world.units.polres, 40, 3);
  lampungBarat = await generate(lambar, 55, 11);
}, 120_000);
afterAll(() => h.close());

const expectFigures = (row: Record<string, any>, made: Made) => {
  expect(row).toMatchObject({
    published: made.published,
    onTime: made.onTime,
    late: made.late,
    failed: made.failed,
    rejections: made.rejections,
    visits: made.visits,
    shares: made.shares,
    medianApprovalMinutes: Math.round(median(made.approvalMinutes)),
    photosPerPost: Math.round((made.photos / made.published) * 10) / 10,
    score: unitScore(made),
  });
  expect(row.byKind).toMatchObject({ news_page: made.byKind.news_page, webhook: made.byKind.webhook, x: 0 });
};

test('each unit of the Polda gets its month counted as generated, and the Polres rank by the documented score', async () => {
  const r = await client(h.url, world.tokens.poldaSupervisor)('GET', `/api/v1/reports/units?month=${MONTH}`);
  expect(r.status).toBe(200);
  const rows = r.body.units as Array<Record<string, any>>;
  expect(rows.map((u) => u.unitName)).toEqual(['Polda Lampung', 'Polres Lampung Barat', 'Polres Tulangbawang Barat', 'Polsek Tumijajar']);
  expectFigures(rows[1]!, lampungBarat);
  expectFigures(rows[2]!, tubaba);
  expect(unitScore(lampungBarat)).toBeGreaterThan(unitScore(tubaba));
  expect(rows.map((u) => [u.depth, u.rank])).toEqual([[0, 1], [1, 1], [1, 2], [2, 1]]);
  expect(rows[0]).toMatchObject({ published: 0, score: 0 });
  expect(rows[3]).toMatchObject({ published: 0, medianApprovalMinutes: null, photosPerPost: null });
  // Posts out per day of October: 31 days, adding up to every post with a channel out.
  expect(r.body.perDay).toHaveLength(31);
  expect(r.body.perDay.reduce((a: number, b: number) => a + b, 0)).toBe(tubaba.published + lampungBarat.published);
  // Another month holds none of them.
  expect((await client(h.url, world.tokens.poldaSupervisor)('GET', '/api/v1/reports/units?month=2026-09')).body.units[1].published).toBe(0);
});

test("a Polres' Kasi Humas gets their own tree; an operator their own unit; a unit out of reach is not found; a bad month is refused in words", async () => {
  const kasi = (await client(h.url, world.tokens.supervisor)('GET', `/api/v1/reports/units?month=${MONTH}`)).body.units;
  expect(kasi.map((u: { unitName: string }) => u.unitName)).toEqual(['Polres Tulangbawang Barat', 'Polsek Tumijajar']);
  expectFigures(kasi[0], tubaba);
  const operator = (await client(h.url, world.tokens.operator)('GET', `/api/v1/reports/units?month=${MONTH}`)).body.units;
  expect(operator.map((u: { unitName: string }) => u.unitName)).toEqual(['Polres Tulangbawang Barat']);
  expect((await client(h.url, world.tokens.supervisor)('GET', `/api/v1/reports/units?unitId=${lambar}&month=${MONTH}`)).status).toBe(404);
  const bad = await client(h.url, world.tokens.supervisor)('GET', '/api/v1/reports/units?month=Oktober');
  expect(bad.status).toBe(422);
  expect(bad.body.error.message).toBe('Bulan ditulis TTTT-BB, mis. 2026-12.');
});

test('the report as CSV and as an XLSX workbook, opened by a spreadsheet library, holds the same figures', async () => {
  const auth = { authorization: `Bearer ${world.tokens.poldaSupervisor}` };
  const csv = await fetch(`${h.url}/api/v1/reports/units.csv?month=${MONTH}`, { headers: auth });
  expect(csv.status).toBe(200);
  // Named by its unit and month; in Indonesian separated by ";", as a spreadsheet set to Indonesian reads it.
  expect(csv.headers.get('content-disposition')).toBe(`attachment; filename=laporan-humas-${await unitSlug(h.siaran.database.db, world.units.polda)}-${MONTH}.csv`);
  const rows: string[][] = parse(await csv.text(), { bom: true, delimiter: ';' });
  expect(rows[0]!.slice(0, 5)).toEqual(['Peringkat', 'Satuan', 'Satuan atas', 'Bulan', 'Pos terbit']);
  const lambarRow = rows.find((r) => r[1] === 'Polres Lampung Barat')!;
  expect(lambarRow.slice(0, 5)).toEqual(['1', 'Polres Lampung Barat', 'Polda Lampung', MONTH, String(lampungBarat.published)]);
  expect(lambarRow.at(-1)).toBe(String(unitScore(lampungBarat)));
  // The total row adds up the units' posts; a score is not added.
  const total = rows.at(-1)!;
  expect([total[1], total[4], total.at(-1)]).toEqual(['Jumlah', String(lampungBarat.published + tubaba.published), '']);
  const english: string[][] = parse(await (await fetch(`${h.url}/api/v1/reports/units.csv?month=${MONTH}&lang=en`, { headers: auth })).text(), { bom: true });
  expect(english[0]!.slice(0, 5)).toEqual(['Rank', 'Unit', 'Unit above', 'Month', 'Posts published']);

  const xlsx = await fetch(`${h.url}/api/v1/reports/units.xlsx?month=${MONTH}`, { headers: auth });
  expect(xlsx.status).toBe(200);
  expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const [book] = await readXlsxFile(Buffer.from(await xlsx.arrayBuffer()));
  expect(book!.sheet).toBe('Laporan');
  const sheet = book!.data;
  expect(sheet[0]![0]).toBe('Laporan bulanan Humas Polda Lampung');
  expect(String(sheet[1]![0])).toContain('2026-10');
  expect(String(sheet[1]![0])).toContain('WIB');
  const header = sheet.findIndex((r) => r[0] === 'Peringkat');
  expect(sheet[header]!.slice(0, 5)).toEqual(['Peringkat', 'Satuan', 'Satuan atas', 'Bulan', 'Pos terbit']);
  const units = sheet.slice(header + 1);
  expect(units.map((r) => String(r[1]).trim())).toEqual(['Polda Lampung', 'Polres Lampung Barat', 'Polres Tulangbawang Barat', 'Polsek Tumijajar', 'Jumlah']);
  const tubabaRow = units[2]!;
  expect(tubabaRow[0]).toBe(2);
  expect(tubabaRow[4]).toBe(tubaba.published);
  expect(tubabaRow.at(-1)).toBe(unitScore(tubaba));
  expect(units[4]![4]).toBe(lampungBarat.published + tubaba.published);
});

test('the report page shows the ranking, the day chart and the score rule, in words', async () => {
  const page = await (await fetch(`${h.url}/report?month=${MONTH}`, { headers: { cookie: await signIn({ h, world }, 'poldaSupervisor') } })).text();
  expect(page).toContain('<h1>Laporan bulanan · Polda Lampung</h1>');
  expect(page).toMatch(new RegExp(`<tr data-unit-row="${lambar}" data-depth="1"><td>1</td><th scope="row" class="depth-1">Polres Lampung Barat</th><td>${lampungBarat.published}</td>`));
  expect(page).toContain('<figure class="card chart" data-day-chart>');
  expect((page.match(/<rect /g) ?? []).length).toBe(31);
  expect(page).toContain('Skor: 10 poin per pos yang terbit');
  expect(page).toContain(`href="/api/v1/reports/units.xlsx?unitId=${world.units.polda}&#38;month=${MONTH}&#38;lang=id"`);
});
