// Group commit for hot statements: calls that arrive while the database is busy with earlier ones wait, and go
// together as one statement when a slot frees. On a loaded server most of a short statement's cost is the round
// trip itself (the socket writes, waking the database's process, starting and committing its transaction), so
// eight jobs' claims in one statement cost little more than one. A call that finds a slot free goes at once:
// batching never makes an idle system wait.

export interface BatchOptions {
  /** Most calls one statement carries. */
  max: number;
  /** Statements of this kind in flight at once; more calls wait for one of them to finish. */
  inFlight: number;
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
export function batched<I, O>(runOne: (item: I) => Promise<O>, runMany: (items: I[]) => Promise<O[]>, opts: BatchOptions): (item: I) => Promise<O> {
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

  const pump = () => {
    while (running < opts.inFlight && queue.length > 0) {
      const batch = queue.splice(0, opts.max);
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
          (outs) => batch.forEach((w, i) => w.resolve(outs[i]!)),
          // Each item on its own tells whose the failure is.
          () => Promise.all(batch.map(settleAlone)),
        )
        .finally(done);
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      pump();
    });
}
