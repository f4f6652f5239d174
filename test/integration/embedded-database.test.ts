// The embedded database when something goes wrong. With PostgreSQL none of this exists.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../services/storage/database';
import { stopDatabaseThreads } from '../support/database-thread';
import { testDbKind } from '../support/test-db';

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
});
