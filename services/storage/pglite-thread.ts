// The embedded database on its own thread. PGlite runs PostgreSQL compiled to WebAssembly, and every query runs
// to its end on the thread that asked: on the server's main thread, a busy database kept every other request —
// /healthz included — waiting. Here the main thread only posts each statement and awaits the answer, so HTTP,
// JSON and the content rules go on meanwhile, on the other core.
import { Worker } from 'node:worker_threads';

/** What the Kysely driver needs of PGlite (the same names, so either can stand behind it). */
export interface EmbeddedClient {
  readonly waitReady: Promise<void>;
  query(sql: string, params: unknown[]): Promise<{ rows: unknown[]; affectedRows?: number }>;
  close(): Promise<void>;
}

type Answer = { id: number; rows: unknown[]; affectedRows?: number } | { id: number; error: { message: string; fields: Record<string, unknown> } };

// The thread's code, in plain JavaScript so that it runs the same from the build, the tests and the image
// (a worker cannot load TypeScript). It loads PGlite from the path the main thread resolved. A database that
// did not open still answers: a statement with the reason, and a close by stopping the thread, so that the
// main thread never waits on an answer that cannot come.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
let db;
let failure;
const options = { ...workerData.options };
if (workerData.startFrom) options.loadDataDir = new Blob([require('node:fs').readFileSync(workerData.startFrom)]);
const opened = PGlite.create(options).then(
  (d) => {
    db = d;
    parentPort.postMessage({ ready: true });
  },
  (e) => {
    failure = String(e && e.message || e);
    parentPort.postMessage({ ready: false, error: { message: failure, fields: {} } });
  },
);
parentPort.on('message', async (m) => {
  await opened;
  if (m.close) {
    if (db) await db.close().catch(() => undefined);
    parentPort.postMessage({ id: m.id, rows: [] });
    process.exit(0);
  }
  if (!db) {
    parentPort.postMessage({ id: m.id, error: { message: 'the embedded database did not open: ' + failure, fields: {} } });
    return;
  }
  try {
    const r = await db.query(m.sql, m.params);
    parentPort.postMessage({ id: m.id, rows: r.rows, affectedRows: r.affectedRows });
  } catch (e) {
    const fields = {};
    for (const [k, v] of Object.entries(e || {})) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) fields[k] = v;
    parentPort.postMessage({ id: m.id, error: { message: String(e && e.message || e), fields } });
  }
});
`;

export interface EmbeddedThreadOptions {
  dataDir?: string;
  startParams: string[];
  /** A dump (PGlite's dumpDataDir) for an in-memory database to start from instead of running initdb (empty-database.ts). */
  startFrom?: string;
  /**
   * Called once if the thread stops after the database opened, other than by close(): every waiting and later
   * statement then fails, and nothing in this process can bring the database back.
   */
  onLost?: (err: Error) => void;
}

export function startEmbeddedThread(options: EmbeddedThreadOptions): EmbeddedClient {
  const { onLost, startFrom, ...pgliteOptions } = options;
  const worker = new Worker(THREAD, { eval: true, workerData: { pglite: require.resolve('@electric-sql/pglite'), options: pgliteOptions, startFrom } });
  const pending = new Map<number, { resolve: (a: Answer) => void }>();
  let next = 0;
  let exited: Error | undefined;
  // The thread keeps the process alive only while it starts or a statement waits for it, as an in-thread PGlite
  // would; once ready and idle it does not hold a finished command-line process open.
  let starting = true;
  let opened = false;
  let closing = false;
  const settleRef = () => (starting || closing || pending.size > 0 ? worker.ref() : worker.unref());
  const stopped = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const waitReady = new Promise<void>((resolve, reject) => {
    const done = (err: Error | undefined) => {
      if (!starting) return;
      starting = false;
      worker.off('message', first);
      settleRef();
      if (err) reject(err);
      else {
        opened = true;
        resolve();
      }
    };
    const first = (m: { ready?: boolean; error?: { message: string } }) => {
      if (m.ready === undefined) return;
      done(m.ready ? undefined : new Error(m.error?.message ?? 'the embedded database did not start'));
    };
    worker.on('message', first);
    // A thread that fails or stops before it says whether the database opened never will.
    worker.once('error', (err) => done(err));
    worker.once('exit', (code) => done(new Error(`the embedded database's thread stopped while opening (exit ${String(code)})`)));
  });
  // A database that did not open is of no further use: its thread goes, whether or not anybody closes it.
  void waitReady.catch(() => worker.terminate());
  worker.on('message', (m: Answer | { ready: boolean }) => {
    if (!('id' in m)) return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    settleRef();
    p?.resolve(m);
  });
  const fail = (err: Error) => {
    if (exited) return;
    exited = err;
    for (const p of pending.values()) p.resolve({ id: -1, error: { message: err.message, fields: {} } });
    pending.clear();
    if (opened && !closing) onLost?.(err);
  };
  const lost = (why: string) =>
    new Error(`The embedded database stopped unexpectedly (${why}); nothing can be read or saved until Siaran is restarted.`);
  worker.on('error', (err) => fail(lost(err.message)));
  worker.on('exit', (code) =>
    fail(closing ? new Error('the embedded database is closed') : !opened ? new Error('the embedded database did not open') : lost(`its thread exited with code ${String(code)}`)),
  );

  const ask = (message: { sql?: string; params?: unknown[]; close?: true }): Promise<Answer> => {
    if (exited) return Promise.reject(exited);
    const id = next++;
    return new Promise<Answer>((resolve, reject) => {
      pending.set(id, { resolve });
      settleRef();
      try {
        worker.postMessage({ id, ...message });
      } catch (err) {
        // Not sent (a parameter that cannot be copied to the thread, such as a symbol): no answer will come.
        pending.delete(id);
        settleRef();
        reject(new Error(`could not pass the statement to the embedded database: ${err instanceof Error ? err.message : String(err)}`));
      }
    });
  };

  return {
    waitReady,
    async query(sql: string, params: unknown[]) {
      const a = await ask({ sql, params });
      if ('error' in a) throw Object.assign(new Error(a.error.message), a.error.fields);
      return { rows: a.rows, ...(a.affectedRows !== undefined ? { affectedRows: a.affectedRows } : {}) };
    },
    async close() {
      if (exited) return;
      closing = true;
      settleRef();
      // A database that opened is closed by its thread (PostgreSQL writes what it holds); one that did not is
      // already being stopped.
      if (opened) await ask({ close: true }).catch(() => undefined);
      else await worker.terminate();
      await stopped;
    },
  };
}
