// The embedded database when something goes wrong. With PostgreSQL none of this exists.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../services/storage/database';
import { stopDatabaseThreads } from '../support/database-thread';
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
});
