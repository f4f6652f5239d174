// A fresh database per test file: in-memory PGlite, or a throw-away schema on the local PostgreSQL.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, migrateToLatest, openDatabase } from '../../services/storage/database';

export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type TestDbKind = 'pglite' | 'postgres';

export function testDbKind(): TestDbKind {
  return process.env.SIARAN_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
}

export interface TestDatabase {
  database: Database;
  kind: TestDbKind;
  /** Set when on PostgreSQL: the schema this file owns. */
  schema: string;
  databaseUrl: string | undefined;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: TestDbKind = testDbKind()): Promise<TestDatabase> {
  const schema = kind === 'postgres' ? `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}` : 'public';
  const databaseUrl = kind === 'postgres' ? TEST_POSTGRES_URL : undefined;
  const database = await openDatabase({ databaseUrl, schema, dataDir: 'memory://' });
  await migrateToLatest(database, schema);
  return {
    database,
    kind,
    schema,
    databaseUrl,
    async drop() {
      await database.close();
      if (kind === 'postgres') {
        const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
        await client.connect();
        try {
          await client.query(`drop schema if exists ${schema} cascade`);
        } finally {
          await client.end();
        }
      }
    },
  };
}

export function uniquePrefix(label: string): string {
  return `siaran-test-${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
