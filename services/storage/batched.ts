// Group commit for hot statements: calls that arrive while the database is busy with earlier ones wait, and go
// together as one statement when a slot frees. On a loaded server most of a short statement's cost is the round
// trip itself (the socket writes, waking the database's process, starting and committing its transaction), so
// eight jobs' claims in one statement cost little more than one. A call that finds a slot free goes at once:
// batching never makes an idle system wait.

export interface BatchOptions<I = unknown> {
  /** Most calls one statement carries. */
  max: number;
  /** Statements of this kind in flight at once; more calls wait for one of them to finish. */
  inFlight: number;
  /**
   * How much of a statement an item takes (e.g. the bytes of its text), and the most one statement carries: a batch
   * closes before it would pass `maxWeight`, and an item heavier than that goes alone.
   */
  weight?: (item: I) => number;
  maxWeight?: number;
  /**
   * Whether a failed batch's items may each be run again alone; by default always. An item that is not safe to run
   * again after a batch whose answer was lost (a new row's insert) reruns only when the database refused the batch.
   */
  rerunAfter?: (err: unknown) => boolean;
}

/** The database answered, refusing the statement (a SQLSTATE): nothing of it was kept. */
export function refusedByDatabase(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

interface Waiting<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

/**
 * `runMany` runs items together and answers one result per item, in order; `runOne` runs an item alone.
 * When a batch fails, each of its items is run again alone, so one bad item never fails the others. Every batch is
 * one transaction, so a batch the database refused changed nothing; one whose answer was lost (a dropped
 * connection) may have been kept, so an item must be safe to run again. A claim or an outcome fenced by its claim
 * token is: run again, it finds its own claim or outcome in place and does not act twice.
 */
export function batched<I, O>(runOne: (item: I) => Promise<O>, runMany: (items: I[]) => Promise<O[]>, opts: BatchOptions<I>): (item: I) => Promise<O> {
  const queue: Waiting<I, O>[] = [];
  let running = 0;

  // Async, so that a runOne throwing at once rejects its caller instead of the pump.
  const settleAlone = async (w: Waiting<I, O>): Promise<void> => {
    try {
      w.resolve(await runOne(w.item));
    } catch (err) {
      w.reject(err);
    }
  };

  // How many of the queue's first items the next statement carries: up to max, within maxWeight, at least one.
  const batchSize = () => {
    const { weight, maxWeight } = opts;
    if (!weight || maxWeight === undefined) return opts.max;
    let n = 0;
    let total = 0;
    while (n < queue.length && n < opts.max) {
      total += weight(queue[n]!.item);
      if (n > 0 && total > maxWeight) break;
      n++;
    }
    return n;
  };

  const pump = () => {
    while (running < opts.inFlight && queue.length > 0) {
      const batch = queue.splice(0, batchSize());
      running++;
      const done = () => {
        running--;
        pump();
      };
      if (batch.length === 1) {
        void settleAlone(batch[0]!).finally(done);
        continue;
      }
      void Promise.resolve()
        .then(() => runMany(batch.map((w) => w.item)))
        .then((outs) => {
          if (outs.length !== batch.length) throw new Error(`a batch of ${String(batch.length)} answered ${String(outs.length)} results`);
          return outs;
        })
        .then(
          (outs) => {
            done();
            batch.forEach((w, i) => w.resolve(outs[i]!));
          },
          // Each item on its own tells whose the failure is. The slot is given up first: the items' own statements
          // (a batch of 64 refused after a second's lock wait is 64 of them) must not hold up the calls behind them.
          (err: unknown) => {
            done();
            if (opts.rerunAfter && !opts.rerunAfter(err)) {
              batch.forEach((w) => w.reject(err));
              return;
            }
            batch.forEach((w) => void settleAlone(w));
          },
        );
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      pump();
    });
}

/**
 * The API's batches (lookups and inserts of requests arriving together): up to 64 per statement, one in flight per
 * kind. A second statement in flight halves the batches for little gain in waiting: create-post under 50
 * connections measured 2,560 req/s with one and 2,221 with two (medians of three alternated runs,
 * `npm run bench -- api`), p99 35 ms against 37 ms. Three kinds (token, unit, insert) still run side by side.
 */
export const REQUEST_BATCHES: BatchOptions = { max: 64, inFlight: 1 };

/** A batched lookup: `runMany` answers each key in order (undefined where nothing is found); a key alone is a batch of one. */
export function batchedLookup<K, V>(runMany: (keys: K[]) => Promise<Array<V | undefined>>, opts: BatchOptions<K>): (key: K) => Promise<V | undefined> {
  return batched(async (key: K) => (await runMany([key]))[0], runMany, opts);
}

/**
 * `make(key)` once per key, kept as long as the key lives: a batcher belongs to one database instance, since its
 * statements run on that instance's connections (a counting instance in tests has batchers of its own).
 */
export function oncePer<K extends object, V>(make: (key: K) => V): (key: K) => V {
  const made = new WeakMap<K, V>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) made.set(key, (value = make(key)));
    return value;
  };
}
