// The monthly report of a Polda (the Polda and its 10 Polres) with many posts stored (default 1,000,000 across
// 34 Poldas over two years, each with two targets, photos, events and amplification counts), on PostgreSQL:
// Siaran's report read (one statement, then the ranking) beside a plain count of the same month's posts, rounds
// alternated; and the report statement's plan. Options: --posts=N --rounds=N. Its schema is dropped afterwards.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import pg from 'pg';
import { monthQuery, unitReport } from '../services/reports/unit-report';
import { type Database, migrateToLatest, openDatabase } from '../services/storage/database';
import { type Row, dropSchema, median, seedPoldas } from './support';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const POSTS = arg('posts', 1_000_000);
const ROUNDS = arg('rounds', 20);
const POLDAS = 34;
const POLRES_EACH = 10;

export async function run(): Promise<Row[]> {
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_rep_${randomBytes(4).toString('hex')}`;
  const database: Database = await openDatabase({ databaseUrl: url, schema, dataDir: 'memory://' });
  try {
    await migrateToLatest(database, schema);
    const db = database.db;
    const { poldas, authorId } = await seedPoldas(db, POLDAS, POLRES_EACH);
    const author = { id: authorId };
    const started = Date.now();
    const start = DateTime.fromISO('2025-01-01T00:00:00', { zone: 'Asia/Jakarta' });
    // Each unit gets a webhook beside its news page, so each post has two targets.
    await sql`insert into channels (id, unit_id, kind, name, settings, enabled) select gen_random_uuid(), id, 'webhook', 'Penerima', '{"url":"https://example.go.id/hook"}'::jsonb, true from units`.execute(db);
    await sql`
      with u as (select id, row_number() over (order by id) - 1 as k, count(*) over () as n from units),
      p as (select gen_random_uuid() as id, u.id as unit_id, g from generate_series(0, ${POSTS - 1}) g join u on u.k = g % u.n)
      insert into posts (id, unit_id, author_id, title, body, status, scheduled_at, approved_at)
      select id, unit_id, ${author.id}, 'Kegiatan ' || g, 'Isi berita kegiatan', (array['published','published','published','scheduled','failed'])[1 + g % 5],
             ${start.toJSDate()}::timestamptz + (g::double precision / ${POSTS} * interval '730 days'),
             ${start.toJSDate()}::timestamptz + (g::double precision / ${POSTS} * interval '730 days') - interval '2 hours'
      from p`.execute(db);
    await sql`
      insert into post_targets (id, post_id, channel_id, status, attempts, published_at)
      select gen_random_uuid(), p.id, c.id,
             case when p.status = 'failed' and c.kind = 'webhook' then 'failed' when p.status = 'scheduled' then 'scheduled' else 'published' end, 1,
             p.scheduled_at + (case when c.kind = 'webhook' and hashtext(p.id::text) % 4 = 0 then interval '30 minutes' else interval '1 minute' end)
      from posts p join channels c on c.unit_id = p.unit_id`.execute(db);
    await sql`
      insert into post_events (post_id, actor_id, type, at, data)
      select id, author_id, 'submitted', approved_at - (hashtext(id::text) % 180 + 180) * interval '1 minute', '{}'::jsonb from posts
      union all
      select id, author_id, 'rejected', approved_at - interval '1 day', '{}'::jsonb from posts where hashtext(id::text) % 7 = 0`.execute(db);
    await sql`
      insert into photos (id, unit_id, post_id, uploaded_by, position, original_key, mime, width, height, bytes, sha256, status)
      select gen_random_uuid(), unit_id, id, author_id, 0, 'originals/' || id, 'image/jpeg', 1600, 1000, 1, 'x', 'ready' from posts where hashtext(id::text) % 3 <> 0`.execute(db);
    await sql`
      insert into amplification_counts (post_id, unit_id, day, kind, count)
      select id, unit_id, (scheduled_at at time zone 'UTC')::date, k, 1 + abs(hashtext(id::text || k)) % 20
        from posts cross join unnest(array['visit', 'share_whatsapp']) k where status = 'published'`.execute(db);
    // Platform figures for every published target of a post's second channel (standing in for a Facebook Page's):
    // the report reads them by the target's own key.
    await sql`
      insert into target_engagement (target_id, views, reactions, comments, reposts, gone, collected_at)
      select t.id, abs(hashtext(t.id::text)) % 5000, abs(hashtext(t.id::text)) % 300, abs(hashtext(t.id::text)) % 40, abs(hashtext(t.id::text)) % 25, false, t.published_at + interval '1 day'
        from post_targets t join channels c on c.id = t.channel_id where c.kind = 'webhook' and t.status = 'published'`.execute(db);
    await sql`analyze`.execute(db);
    const seeded = (Date.now() - started) / 1000;

    const polda = poldas[7]!;
    const month = start.plus({ months: 14 });
    const from = month.toJSDate();
    const to = month.plus({ months: 1 }).toJSDate();
    const supervisor = { id: author.id, role: 'supervisor' as const, unitId: polda };
    const deps = { db, now: () => new Date() };
    const subtree = (await db.selectFrom('units').select('id').where((eb) => eb.or([eb('id', '=', polda), eb('parent_id', '=', polda)])).execute()).map((u) => u.id);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`set search_path to ${schema}`);
    const baseline = async () =>
      Number((await client.query<{ n: string }>('select count(*) as n from posts where unit_id = any($1) and scheduled_at >= $2 and scheduled_at < $3', [subtree, from, to])).rows[0]!.n);
    const siaran = async () => (await unitReport(deps, supervisor, { unitId: polda, month: month.toFormat('yyyy-MM') })).units.reduce((n, u) => n + u.published, 0);

    const times = { baseline: [] as number[], siaran: [] as number[] };
    let rows = { baseline: 0, siaran: 0 };
    for (let i = 0; i < ROUNDS + 3; i++) {
      const order = i % 2 === 0 ? (['baseline', 'siaran'] as const) : (['siaran', 'baseline'] as const);
      for (const which of order) {
        const t0 = process.hrtime.bigint();
        const n = which === 'baseline' ? await baseline() : await siaran();
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (i >= 3) times[which].push(ms);
        rows = { ...rows, [which]: n };
      }
    }
    const compiled = monthQuery(subtree, from, to).compile(db);
    const plan = (await client.query(`explain (analyze, costs off, timing off, summary on) ${compiled.sql}`, [...compiled.parameters])).rows.map((r: Record<string, string>) => r['QUERY PLAN']);
    await client.end();
    const b = median(times.baseline);
    const s = median(times.siaran);
    console.log(`${String(POSTS)} posts stored (seeded in ${seeded.toFixed(0)} s); a Polda's month: ${String(rows.baseline)} posts, ${String(rows.siaran)} out; ${String(ROUNDS)} rounds alternated, medians`);
    console.log('The report statement\'s plan:');
    for (const line of plan) console.log(`  ${line}`);
    console.log('| figure | baseline: a count of the same posts | Siaran | ratio | goal |');
    console.log('|---|---|---|---|---|');
    console.log(`| a Polda's monthly report, PostgreSQL | ${b.toFixed(1)} ms | ${s.toFixed(1)} ms | ${(s / b).toFixed(2)}× | ≤ 200 ms |`);
    return [
      {
        figure: `a Polda's monthly report (${String(rows.baseline)} posts), ${String(POSTS)} stored, PostgreSQL`,
        baseline: `a count of the same posts: ${b.toFixed(1)} ms`,
        siaran: `${s.toFixed(1)} ms`,
        ratio: `${(s / b).toFixed(2)}×`,
        goal: '≤ 200 ms',
        command: `npm run bench -- report --posts=${String(POSTS)} --rounds=${String(ROUNDS)}`,
      },
    ];
  } finally {
    await database.close();
    await dropSchema(url, schema);
  }
}
