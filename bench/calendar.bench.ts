// A Polda's month in the calendar with many posts stored (default 1,000,000 across 34 Poldas of 10 Polres
// each, over two years), on PostgreSQL: Siaran's calendar read (the unit tree, the posts, their units,
// authors and targets, made into views) beside one SQL statement returning the same rows with their targets,
// rounds alternated. Options: --posts=N --rounds=N. Its schema is dropped afterwards.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import pg from 'pg';
import pino from 'pino';
import { RECONCILER_QUEUES } from '../services/posts/deps';
import { calendarPosts } from '../services/posts/read-post';
import { type Database, migrateToLatest, openDatabase } from '../services/storage/database';
import { type Row, dropSchema, median, seedPoldas } from './support';
import { CountQueries } from '../test/support/count-queries';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const POSTS = arg('posts', 1_000_000);
const ROUNDS = arg('rounds', 20);
const POLDAS = 34;
const POLRES_EACH = 10;
const STATUSES = ['scheduled', 'publishing', 'published', 'failed', 'unconfirmed'];


export async function run(): Promise<Row[]> {
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_cal_${randomBytes(4).toString('hex')}`;
  const database: Database = await openDatabase({ databaseUrl: url, schema, dataDir: 'memory://' });
  try {
    await migrateToLatest(database, schema);
    const db = database.db;
    // The hierarchy: Poldas, each with its Polres (each with its news page channel).
    const { poldas, authorId } = await seedPoldas(db, POLDAS, POLRES_EACH);
    const author = { id: authorId };
    const started = Date.now();
    const start = DateTime.fromISO('2025-01-01T00:00:00', { zone: 'Asia/Jakarta' });
    // Posts spread evenly over all units and two years, each with a target on its unit's news page.
    await sql`
      with u as (select id, row_number() over (order by id) - 1 as k, count(*) over () as n from units),
      p as (
        select gen_random_uuid() as id, u.id as unit_id, g
        from generate_series(0, ${POSTS - 1}) g join u on u.k = g % u.n
      )
      insert into posts (id, unit_id, author_id, title, body, status, scheduled_at)
      select id, unit_id, ${author.id}, 'Kegiatan ' || g, 'Isi berita kegiatan', (array['published','published','published','scheduled','failed'])[1 + g % 5],
             ${start.toJSDate()}::timestamptz + (g::double precision / ${POSTS} * interval '730 days')
      from p`.execute(db);
    await sql`
      insert into post_targets (id, post_id, channel_id, status, attempts, published_at)
      select gen_random_uuid(), p.id, c.id, case when p.status = 'failed' then 'failed' when p.status = 'published' then 'published' else 'scheduled' end, 1, p.scheduled_at
      from posts p join channels c on c.unit_id = p.unit_id and c.kind = 'news_page'`.execute(db);
    await sql`analyze`.execute(db);
    const seeded = (Date.now() - started) / 1000;

    const polda = poldas[7]!;
    const month = start.plus({ months: 14 });
    const from = month.toJSDate();
    const to = month.plus({ months: 1 }).toJSDate();
    const subtree = (await db.selectFrom('units').select('id').where((eb) => eb.or([eb('id', '=', polda), eb('parent_id', '=', polda)])).execute()).map((u) => u.id);
    const counter = new CountQueries();
    const deps = { db: counter.attach(db), scheduler: RECONCILER_QUEUES, log: pino({ level: 'silent' }), now: () => new Date(), minLeadSeconds: 0 };
    const supervisor = { id: author.id, role: 'supervisor' as const, unitId: polda };

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`set search_path to ${schema}`);
    const baseline = async () =>
      (
        await client.query(
          `select p.*, u.name as unit_name, u.slug, u.time_zone, a.name as author_name,
                  (select json_agg(json_build_object('id', t.id, 'channel_id', t.channel_id, 'kind', c.kind, 'status', t.status, 'attempts', t.attempts, 'published_at', t.published_at, 'external_url', t.external_url) order by c.kind, t.id)
                     from post_targets t join channels c on c.id = t.channel_id where t.post_id = p.id) as targets
             from posts p join units u on u.id = p.unit_id join users a on a.id = p.author_id
            where p.unit_id = any($1) and p.status = any($2) and p.scheduled_at >= $3 and p.scheduled_at < $4
            order by p.scheduled_at desc, p.id`,
          [subtree, STATUSES, from, to],
        )
      ).rowCount ?? 0;
    const siaran = async () => (await calendarPosts(deps, supervisor, { unitId: polda, includeDescendants: true, statuses: STATUSES as never, from, to })).posts.length;

    const times = { baseline: [] as number[], siaran: [] as number[] };
    let rows = { baseline: 0, siaran: 0 };
    for (let i = 0; i < ROUNDS + 3; i++) {
      const order = i % 2 === 0 ? (['baseline', 'siaran'] as const) : (['siaran', 'baseline'] as const);
      for (const which of order) {
        counter.count = 0;
        const t0 = process.hrtime.bigint();
        const n = which === 'baseline' ? await baseline() : await siaran();
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        // The first rounds warm the caches on both sides.
        if (i >= 3) times[which].push(ms);
        rows = { ...rows, [which]: n };
      }
    }
    const queries = (counter.count = 0, await siaran(), counter.count);
    await client.end();
    const b = median(times.baseline);
    const s = median(times.siaran);
    console.log(`${String(POSTS)} posts stored (seeded in ${seeded.toFixed(0)} s); a Polda's month: ${String(rows.siaran)} posts (baseline ${String(rows.baseline)} rows), ${String(ROUNDS)} rounds alternated, medians`);
    console.log('| figure | baseline: one SQL statement | Siaran | ratio | goal |');
    console.log('|---|---|---|---|---|');
    console.log(`| a Polda's month in the calendar, PostgreSQL | ${b.toFixed(1)} ms | ${s.toFixed(1)} ms (${String(queries)} queries) | ${(s / b).toFixed(2)}× | ≤ 50 ms |`);
    return [
      {
        figure: `a Polda's month in the calendar (${String(rows.siaran)} posts), ${String(POSTS)} stored, PostgreSQL`,
        baseline: `one SQL statement: ${b.toFixed(1)} ms`,
        siaran: `${s.toFixed(1)} ms (${String(queries)} queries)`,
        ratio: `${(s / b).toFixed(2)}×`,
        goal: '≤ 50 ms',
        command: `npm run bench -- calendar --posts=${String(POSTS)} --rounds=${String(ROUNDS)}`,
      },
    ];
  } finally {
    await database.close();
    await dropSchema(url, schema);
  }
}
