// The PostgreSQL connection pool when its connections run short. The embedded database has no pool.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { openDatabase } from '../../services/storage/database';
import { startHarness } from '../support/harness';
import { TEST_POSTGRES_URL, testDbKind } from '../support/test-db';

const onPostgres = testDbKind() === 'postgres' ? describe : describe.skip;

onPostgres('the PostgreSQL pool', () => {
  test('a statement that finds every connection busy fails after a while instead of waiting for ever', async () => {
    const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const database = await openDatabase({ databaseUrl: TEST_POSTGRES_URL, schema, poolSize: 1, connectionTimeoutMs: 1000, dataDir: 'memory://' });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    try {
      // The pool's one connection, held.
      const holding = database.db.connection().execute(() => held);
      let timer: NodeJS.Timeout | undefined;
      const waited = Promise.race([
        sql`select 1`.execute(database.db).then(() => 'answered'),
        new Promise<string>((r) => (timer = setTimeout(() => r('still waiting after 15 s'), 15_000))),
      ]);
      await expect(waited).rejects.toThrow(/timeout/i);
      clearTimeout(timer);
      release();
      await holding;
      await sql`select 1`.execute(database.db);
    } finally {
      release();
      await database.close();
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  }, 30_000);

  test('a worker whose pool is too small for its publish jobs says so at start', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const h = await startHarness({ DATABASE_POOL_SIZE: '2', PUBLISH_CONCURRENCY: '4' }, { log });
    await h.close();
    const warned = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40 && /DATABASE_POOL_SIZE is below 4/.test(l.msg));
    expect(warned).toHaveLength(1);
  }, 60_000);
});
