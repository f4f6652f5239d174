// The one door to the database: PostgreSQL when DATABASE_URL is set, else embedded PGlite under DATA_DIR.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, type Migration, type MigrationProvider, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import * as initial from './migrations/0001-initial';
import * as media from './migrations/0002-media';
import * as web from './migrations/0003-web';
import * as platforms from './migrations/0004-platforms';
import * as publishing from './migrations/0005-publishing';
import * as hotStatements from './migrations/0006-hot-statements';
import * as batchedPublishing from './migrations/0007-batched-publishing';
import * as batchedCreatePost from './migrations/0008-batched-create-post';
import * as twoStepApproval from './migrations/0010-two-step-approval';
import * as notifications from './migrations/0011-notifications';
import * as deliveryProblems from './migrations/0012-delivery-problems';
import * as similarPosts from './migrations/0013-similar-posts';
import * as amplification from './migrations/0014-amplification';
import * as engagement from './migrations/0015-engagement';
import * as planImports from './migrations/0016-plan-imports';
import { PGliteDialect } from './pglite-dialect';
import { storableParameters } from './storable-parameters';
import { startEmbeddedThread } from './pglite-thread';
import { preparedEmptyDatabase } from './empty-database';
import type { DB } from './schema';

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  schema: string;
  /** PostgreSQL connections in the pool (DATABASE_POOL_SIZE); default 10. */
  poolSize?: number;
  /** The embedded database's buffer cache (EMBEDDED_DB_BUFFERS_MB); default 32. */
  embeddedBuffersMb?: number;
  /** Folder for PGlite; `memory://` keeps it in memory (tests). */
  dataDir: string;
  /** How long a statement waits for a free PostgreSQL connection before it fails; default 10 s. */
  connectionTimeoutMs?: number;
  /** The embedded database stopped after it opened: every statement fails from then on (PostgreSQL: never called). */
  onLost?: (err: Error) => void;
}

export interface Database {
  readonly db: Kysely<DB>;
  readonly kind: 'postgres' | 'pglite';
  ping(): Promise<void>;
  close(): Promise<void>;
}

const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-media': media,
  '0003-web': web,
  '0004-platforms': platforms,
  '0005-publishing': publishing,
  '0006-hot-statements': hotStatements,
  '0007-batched-publishing': batchedPublishing,
  '0008-batched-create-post': batchedCreatePost,
  '0010-two-step-approval': twoStepApproval,
  '0011-notifications': notifications,
  '0012-delivery-problems': deliveryProblems,
  '0013-similar-posts': similarPosts,
  '0014-amplification': amplification,
  '0015-engagement': engagement,
  '0016-plan-imports': planImports,
};

class InlineMigrations implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(MIGRATIONS);
  }
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      // With every connection busy (a pool smaller than the work given to it, or statements stuck behind a
      // lock), a statement would otherwise wait for one forever, and the job or request holding it with it;
      // failing after a while lets the job be retried and the request answer.
      connectionTimeoutMillis: opts.connectionTimeoutMs ?? 10_000,
      options: `-c search_path=${opts.schema}`,
    });
    // A dropped connection must not crash the process; the next query reports the failure.
    pool.on('error', () => undefined);
    const client = await pool.connect();
    try {
      // Several API and worker processes may start at once on a new database; `create schema if not
      // exists` alone races (one of them fails on the catalogue's unique key), so they take turns.
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [`siaran:schema:${opts.schema}`]);
      await client.query(`create schema if not exists ${opts.schema}`);
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    const db = new Kysely<DB>({ dialect: storableParameters(new PostgresDialect({ pool })) });
    return {
      db,
      kind: 'postgres',
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      close: () => db.destroy(),
    };
  }

  const inMemory = opts.dataDir === 'memory://';
  const startFrom = inMemory ? preparedEmptyDatabase() : undefined;
  const dir = inMemory ? undefined : path.resolve(opts.dataDir, 'pglite');
  const releaseLock = dir ? takeLock(dir) : () => undefined;
  try {
    const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${String(opts.embeddedBuffersMb ?? 32)}MB`];
    if (dir) await prepareEmbedded(dir);
    const client = startEmbeddedThread({ ...(dir ? { dataDir: dir } : {}), ...(startFrom ? { startFrom } : {}), startParams, ...(opts.onLost ? { onLost: opts.onLost } : {}) });
    try {
      await client.waitReady;
    } catch (e) {
      await client.close();
      const why = e instanceof Error ? e.message : String(e);
      throw new Error(
        dir
          ? `The embedded database in ${dir} could not be opened (${why}). If that folder is damaged, restore it from a backup, or move it aside to start with a new, empty database.`
          : `The in-memory embedded database could not be opened (${why}).`,
        { cause: e },
      );
    }
    const db = new Kysely<DB>({ dialect: storableParameters(new PGliteDialect(client)) });
    return {
      db,
      kind: 'pglite',
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      close: async () => {
        await db.destroy();
        releaseLock();
      },
    };
  } catch (e) {
    releaseLock();
    throw e;
  }
}

/**
 * Makes the embedded database when the folder has none. Called with the folder's lock held, so no other
 * process is making it: a folder left by an earlier attempt that did not finish is removed first.
 */
function prefixPath(dir: string): string {
  return `${dir}.init-`;
}

async function prepareEmbedded(dir: string): Promise<void> {
  const parent = path.dirname(dir);
  const prefix = `${path.basename(dir)}.init-`;
  for (const name of fs.readdirSync(parent)) {
    if (name.startsWith(prefix)) fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
  if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return;
  if (fs.existsSync(dir)) {
    if (fs.readdirSync(dir).length > 0) {
      throw new Error(
        `The folder ${dir} holds files but no embedded database (it has no PG_VERSION). Move it aside, or restore the database from a backup.`,
      );
    }
    fs.rmdirSync(dir);
  }
  // Made beside its final place and moved there only once complete: a crash while making it (it takes seconds)
  // leaves a folder the next start removes, never a half-made database it would try to open.
  // A fresh name, made 0700 by this process: nobody else can have prepared that folder for it.
  const temp = fs.mkdtempSync(prefixPath(dir));
  try {
    await initialiseEmbedded(temp);
    fs.renameSync(temp, dir);
  } catch (e) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A new embedded database is made by a short-lived child process, from the build's prepared empty database when
 * there is one (empty-database.ts), by initdb otherwise. Making one (initdb) takes PGlite's WebAssembly
 * memory to about 750 MB, which a process never gives back; the server then opens the finished folder and
 * stays near 200 MB.
 */
async function initialiseEmbedded(dir: string): Promise<void> {
  const pglite = require.resolve('@electric-sql/pglite');
  const prepared = preparedEmptyDatabase();
  const from = prepared ? `, loadDataDir: new Blob([require('node:fs').readFileSync(${JSON.stringify(prepared)})])` : '';
  const script = `require(${JSON.stringify(pglite)}).PGlite.create({ dataDir: ${JSON.stringify(dir)}${from} }).then((db) => db.close())`;
  await new Promise<void>((resolve, reject) => {
    // Its own process group: Ctrl-C in the terminal reaches the server, which stops once the database is made,
    // instead of killing the child midway and failing the start.
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    // The child is ours alone: a process that exits while it works (a failed start, process.exit) takes it along,
    // rather than leave it running for seconds with its memory.
    const stop = () => child.kill('SIGKILL');
    process.once('exit', stop);
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => {
      process.off('exit', stop);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      process.off('exit', stop);
      if (code === 0) resolve();
      else reject(new Error(`could not create the embedded database in ${dir}: ${err.trim() || (signal ? `stopped by ${signal}` : `exit ${String(code)}`)}`));
    });
  });
}

/**
 * PGlite is one process's database: a second process opening the same folder would corrupt it,
 * so the folder carries a lock naming the process that holds it. The lock appears whole or not at all (written
 * aside, then linked into place, which fails when a lock is there), and a stale one, whose process is gone, is
 * removed only by the one start that claims it: two starts that find the same stale lock cannot both go on.
 */
function takeLock(dir: string): () => void {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const lockFile = `${dir}.lock`;
  // The process id, and a random part that tells this lock from an earlier one with the same process id.
  const mine = `${String(process.pid)} ${randomBytes(8).toString('hex')}`;
  const draft = `${lockFile}.${randomBytes(8).toString('hex')}.new`;
  fs.writeFileSync(draft, mine, { flag: 'wx' });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(draft, lockFile);
        return () => {
          if (readIfPresent(lockFile) === mine) fs.rmSync(lockFile, { force: true });
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const held = readIfPresent(lockFile);
      if (held === undefined) continue;
      const holder = Number(held.split(' ')[0]);
      if (holder && holder !== process.pid && processAlive(holder)) {
        throw new Error(
          `The embedded database in ${dir} is in use by process ${holder}. ` +
            'Stop that process first, or set DATABASE_URL to share a PostgreSQL server between processes.',
        );
      }
      if (attempt >= 100) throw new Error(`Could not take the lock ${lockFile}: other starts kept taking it. Start Siaran again.`);
      removeStaleLock(lockFile, held);
    }
  } finally {
    fs.rmSync(draft, { force: true });
  }
}

/**
 * Removes the lock file if it still holds `held`. The claim is a second name for the lock file, named after
 * `held`, and making a name that exists fails: of the starts that found this stale lock, one claims it; the
 * others find its claim, or no lock, or the lock the first one then took.
 */
function removeStaleLock(lockFile: string, held: string): void {
  const claim = `${lockFile}.stale-${createHash('sha256').update(held).digest('hex').slice(0, 16)}`;
  try {
    fs.linkSync(lockFile, claim);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'EEXIST') throw e;
    // Another start is removing it: a matter of microseconds. A claim older than that was left by a start
    // killed in between, and goes.
    try {
      if (Date.now() - fs.lstatSync(claim).ctimeMs > 10_000) fs.rmSync(claim, { force: true });
    } catch {
      // Gone meanwhile.
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    return;
  }
  try {
    // The claim names what the lock file was when it was made: the stale lock, or a new one another start put
    // there after removing the stale one, which stays.
    if (readIfPresent(claim) === held) fs.rmSync(lockFile, { force: true });
  } finally {
    fs.rmSync(claim, { force: true });
  }
}

function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Migrations not yet applied to the schema: a single read, where the migrator would take locks. */
export async function pendingMigrations(database: Database, schema: string): Promise<string[]> {
  try {
    const rows = await sql<{ name: string }>`select name from ${sql.id(schema, 'kysely_migration')}`.execute(database.db);
    const done = new Set(rows.rows.map((r) => r.name));
    return Object.keys(MIGRATIONS).filter((m) => !done.has(m));
  } catch {
    // No migration table yet: everything is pending.
    return Object.keys(MIGRATIONS);
  }
}

export async function migrateToLatest(database: Database, schema: string): Promise<string[]> {
  const migrator = new Migrator({
    db: database.db,
    provider: new InlineMigrations(),
    migrationTableSchema: schema,
  });
  for (let attempt = 1; ; attempt++) {
    try {
      const { error, results } = await migrator.migrateToLatest();
      if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    } catch (e) {
      // The migrator looks for its table by reading the catalogue of every schema in the database; another
      // schema dropped during that read (another installation or test sharing the database) fails it with
      // "schema … does not exist" (or one of its tables, "relation … does not exist"). Nothing was changed then: read again.
      if (attempt >= 5 || !otherSchemaDropped(e, schema)) throw e;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

function otherSchemaDropped(e: unknown, schema: string): boolean {
  const err = e as { code?: unknown; message?: unknown };
  // 3F000: its schema went first; 42P01: one of its tables did.
  return (err.code === '3F000' || err.code === '42P01') && typeof err.message === 'string' && !err.message.includes(`"${schema}"`) && !err.message.includes(`${schema}.`);
}
