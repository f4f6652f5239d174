// The embedded database when something goes wrong. With PostgreSQL none of this exists.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { migrateToLatest, openDatabase } from '../../services/storage/database';
import { emptyDatabaseFile, preparedEmptyDatabase } from '../../services/storage/empty-database';
import { buildEmptyDatabase } from '../../services/storage/build-empty-database';
import { stopDatabaseThreads } from '../support/database-thread';
import { testEnv } from '../support/harness';
import { spawnSiaran } from '../support/processes';
import { testDbKind } from '../support/test-db';

const ROOT = path.resolve(__dirname, '../..');
const DIST_DATABASE = path.join(ROOT, 'dist/services/storage/database.js');
const embedded = testDbKind() === 'pglite' ? describe : describe.skip;

/** `p`, or a failure saying it still waits after `ms`: a hang fails the test in words, not by jest's timeout. */
async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still waiting after ${String(ms)} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes whose command line names `text`: the child that makes a new database names its folder. */
function processesNaming(text: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes(text) && !l.includes('ps -eo'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

/** Runs a Node script in a process of its own; resolves with its output once it exits, or says it did not. */
function runScript(script: string, ms: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`the process was still running after ${String(ms)} ms:\n${out}`));
    }, ms);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

embedded('the embedded database', () => {
  const dirs: string[] = [];
  const dataDir = (label: string) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), `siaran-embedded-${label}-`));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  test("a new database starts from the build's prepared empty one: initdb's output alone, opened and migrated as usual", async () => {
    // The build made it (jest's global set-up runs `npm run build`), named for this PGlite.
    expect(preparedEmptyDatabase()).toBe(emptyDatabaseFile());
    const file = path.join(dataDir('prepared'), 'empty.tar.gz');
    expect(await buildEmptyDatabase(file)).toBe(true);
    expect(await buildEmptyDatabase(file)).toBe(false);
    // Nothing of the product's own is in it: the migrations make the tables at start, whatever the code's version.
    const raw = await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(file)]) });
    try {
      expect((await raw.query("select count(*)::int as n from pg_tables where schemaname = 'public'")).rows).toEqual([{ n: 0 }]);
    } finally {
      await raw.close();
    }
    const dir = dataDir('from-prepared');
    const database = await openDatabase({ schema: 'public', dataDir: dir });
    try {
      expect(await migrateToLatest(database, 'public')).toContain('0001-initial');
      expect((await sql<{ n: number }>`select count(*)::int as n from units`.execute(database.db)).rows).toEqual([{ n: 0 }]);
    } finally {
      await database.close();
    }
    expect(fs.existsSync(path.join(dir, 'pglite', 'PG_VERSION'))).toBe(true);
    // 11 s alone; two initdb runs inside WebAssembly beside two other suites and Chromium took over 60 s once.
  }, 180_000);

  test('a damaged folder is refused at once, in words naming it, and its lock is let go', async () => {
    const dir = dataDir('damaged');
    fs.mkdirSync(path.join(dir, 'pglite'));
    fs.writeFileSync(path.join(dir, 'pglite', 'PG_VERSION'), '17\n');
    await expect(within(openDatabase({ schema: 'public', dataDir: dir }), 20_000)).rejects.toThrow(
      `The embedded database in ${path.join(dir, 'pglite')} could not be opened`,
    );
    expect(fs.existsSync(path.join(dir, 'pglite.lock'))).toBe(false);
  });

  test('a thread that stops while the database opens makes the opening fail, not wait', async () => {
    const opening = openDatabase({ schema: 'public', dataDir: 'memory://' });
    await stopDatabaseThreads();
    await expect(within(opening, 20_000)).rejects.toThrow(/in-memory embedded database could not be opened/);
  });

  // Without an answer to wait for, the statement used to stay counted as waiting, and the thread kept a finished
  // command-line process running for ever.
  test('a statement that cannot be passed to the thread fails at once and leaves nothing waiting', async () => {
    const script = `
      const { openDatabase } = require(${JSON.stringify(DIST_DATABASE)});
      const { sql } = require('kysely');
      (async () => {
        const database = await openDatabase({ schema: 'public', dataDir: 'memory://' });
        await sql\`select \${Symbol('not a value')} as x\`.execute(database.db).catch((e) => console.log('refused: ' + e.message));
        console.log('then: ' + (await sql\`select 1 as x\`.execute(database.db)).rows[0].x);
      })();
    `;
    const { code, out } = await runScript(script, 20_000);
    expect(out).toMatch(/refused: could not pass the statement to the embedded database/);
    expect(out).toMatch(/then: 1/);
    expect(code).toBe(0);
  }, 30_000);

  test('its thread dying fails the waiting and every later statement in words, and is reported once', async () => {
    const lost: Error[] = [];
    const database = await openDatabase({ schema: 'public', dataDir: 'memory://', onLost: (e) => lost.push(e) });
    const waiting = sql`select pg_sleep(5)`.execute(database.db);
    await sleep(300);
    await stopDatabaseThreads();
    await expect(within(waiting, 10_000)).rejects.toThrow(/embedded database stopped unexpectedly .*until Siaran is restarted/);
    await expect(database.ping()).rejects.toThrow(/embedded database stopped unexpectedly/);
    expect(lost.map((e) => e.message)).toEqual([expect.stringMatching(/stopped unexpectedly \(its thread exited with code 1\)/)]);
    await within(database.close(), 5000);
  });

  // The server then stops with a failure, for its supervisor to start it again, rather than run on with no
  // database while /healthz answers OK.
  test('a server whose database thread dies logs it as fatal and stops, letting go of the lock', async () => {
    const dir = dataDir('server');
    const guard = path.join(ROOT, 'test/support/loopback-only.js');
    const threads = path.join(ROOT, 'test/support/database-thread.js');
    const server = spawnSiaran(testEnv({ LOG_LEVEL: 'info', DATA_DIR: dir, EMBEDDED_DB_IN_MEMORY: 'false', NODE_OPTIONS: `--require ${guard} --require ${threads}` }));
    await server.url;
    expect(fs.existsSync(path.join(dir, 'pglite.lock'))).toBe(true);
    server.proc.kill('SIGUSR2');
    const code = await within(server.exited, 30_000).catch(async (e: unknown) => {
      await server.kill('SIGKILL');
      throw e;
    });
    expect(code).toBe(1);
    const fatal = server.logs.map((l) => (l.startsWith('{') ? (JSON.parse(l) as { level: number; msg: string }) : undefined)).filter((l) => l?.level === 60);
    expect(fatal.map((l) => l!.msg)).toEqual([expect.stringMatching(/the embedded database stopped/)]);
    expect(fs.existsSync(path.join(dir, 'pglite.lock'))).toBe(false);
  }, 60_000);

  test('a start killed while it makes a new database leaves nothing the next start trips on', async () => {
    const dir = dataDir('init');
    const opening = openDatabase({ schema: 'public', dataDir: dir });
    void opening.catch(() => undefined);
    // Once it has begun writing the database's files, the child that makes it is killed.
    const begun = () => fs.readdirSync(dir, { withFileTypes: true }).some((d) => d.isDirectory() && fs.readdirSync(path.join(dir, d.name)).length > 0);
    for (let i = 0; i < 3000 && !begun(); i++) await sleep(5);
    expect(begun()).toBe(true);
    for (const pid of processesNaming(dir)) process.kill(pid, 'SIGKILL');
    await expect(opening).rejects.toThrow(/could not create the embedded database/);
    // The database's folder appears only once the database is whole.
    expect(fs.existsSync(path.join(dir, 'pglite'))).toBe(false);
    // And what an earlier start, killed outright, left behind.
    fs.mkdirSync(path.join(dir, 'pglite.init-999999', 'base'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'pglite.init-999999', 'PG_VERSION'), '17\n');

    const database = await within(openDatabase({ schema: 'public', dataDir: dir }), 40_000);
    try {
      expect((await sql<{ x: number }>`select 1 as x`.execute(database.db)).rows).toEqual([{ x: 1 }]);
    } finally {
      await database.close();
    }
    expect(fs.readdirSync(dir)).toEqual(['pglite']);
  }, 60_000);

  test('a folder with files but no database in it is left alone, and said so', async () => {
    const dir = dataDir('stranger');
    fs.mkdirSync(path.join(dir, 'pglite'));
    fs.writeFileSync(path.join(dir, 'pglite', 'notes.txt'), 'not a database');
    await expect(openDatabase({ schema: 'public', dataDir: dir })).rejects.toThrow(`The folder ${path.join(dir, 'pglite')} holds files but no embedded database`);
    expect(fs.readdirSync(path.join(dir, 'pglite'))).toEqual(['notes.txt']);
    expect(fs.existsSync(path.join(dir, 'pglite.lock'))).toBe(false);
  });

  test('a process that exits while it makes a new database takes the child making it along', async () => {
    const dir = dataDir('exit');
    const script = `
      const { openDatabase } = require(${JSON.stringify(DIST_DATABASE)});
      openDatabase({ schema: 'public', dataDir: ${JSON.stringify(dir)} }).catch(() => undefined);
      setTimeout(() => process.exit(0), 1000);
    `;
    expect((await runScript(script, 20_000)).code).toBe(0);
    await sleep(300);
    expect(processesNaming(dir)).toEqual([]);
  }, 30_000);

  // Two starts both find a stale lock: one removes it and takes the folder; the other must then find that lock
  // and refuse, not remove it too and go on beside the first.
  test('of two starts finding the same stale lock, the one that comes second refuses', async () => {
    const dir = dataDir('lock');
    const lockFile = path.join(dir, 'pglite.lock');
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    fs.writeFileSync(lockFile, String(gone));
    // The other start, the one quicker to take over: a process that is alive and not this one (jest's).
    const other = process.ppid;
    const read = fs.readFileSync.bind(fs);
    let raced = false;
    const spy = jest.spyOn(fs, 'readFileSync').mockImplementation(((file: fs.PathOrFileDescriptor, options?: unknown) => {
      const text = read(file, options as BufferEncoding);
      if (file === lockFile && !raced) {
        raced = true;
        // Right after this start read the stale lock, the other one replaced it with its own.
        fs.rmSync(lockFile);
        fs.writeFileSync(lockFile, `${String(other)} 0123456789abcdef`);
      }
      return text;
    }));
    try {
      const opening = openDatabase({ schema: 'public', dataDir: dir });
      void opening.then((d) => d.close(), () => undefined);
      await expect(within(opening, 40_000)).rejects.toThrow(`in use by process ${String(other)}`);
    } finally {
      spy.mockRestore();
    }
    expect(raced).toBe(true);
    expect(read(lockFile, 'utf8')).toBe(`${String(other)} 0123456789abcdef`);
  }, 60_000);
});
