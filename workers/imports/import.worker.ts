// BullMQ glue for large posting plans: one import at a time per process (checking thousands of rows is CPU work,
// and publishing must not wait behind it), its progress reported to BullMQ as well as written to the database,
// and a sweep that queues again an import whose job Redis lost.
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';
import type { PostDeps } from '../../services/posts/deps';
import { failPlanImport, forgetEndedPlanImports, runPlanImport, stalledPlanImports } from '../../services/posts/plan-imports';
import { IMPORT_ATTEMPTS, IMPORT_JOBS, IMPORT_QUEUE, type ImportJobData, type ImportJobName, type PlanImportQueue } from '../queue/import-queue';

export interface RunningImportWorker {
  worker: Worker<ImportJobData>;
  /** Queues again the imports left waiting with no job; returns how many. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

/** An import untouched for this long while not ended has lost its job (a running one reports every 100 rows). */
const STALLED_MS = 2 * 60_000;
/** An ended import's page (its drafts or its problems) is kept this long. */
const KEPT_AFTER_END_MS = 30 * 86_400_000;

export async function startImportWorker(
  deps: PostDeps,
  queue: PlanImportQueue,
  opts: { connection: ConnectionOptions; prefix: string; lockMs: number; sweepEveryMs: number },
): Promise<RunningImportWorker> {
  const handlers: Record<ImportJobName, (job: Job<ImportJobData>) => Promise<unknown>> = {
    'import-plan': async (job) => {
      try {
        return await runPlanImport(deps, job.data.importId, (checked, rows) => job.updateProgress({ checked, rows }));
      } catch (err) {
        // The last attempt's failure ends the import, so that its author is told rather than left waiting.
        if (job.attemptsMade + 1 >= IMPORT_ATTEMPTS) await failPlanImport(deps, job.data.importId).catch(() => undefined);
        throw err;
      }
    },
  };
  const missing = IMPORT_JOBS.filter((n) => (handlers as Partial<Record<string, unknown>>)[n] === undefined);
  if (missing.length > 0) throw new Error(`no handler for the import job kind(s): ${missing.join(', ')}`);

  const worker = new Worker<ImportJobData>(
    IMPORT_QUEUE,
    async (job) => {
      const handler = (handlers as Partial<Record<string, (job: Job<ImportJobData>) => Promise<unknown>>>)[job.name];
      if (!handler) throw new UnrecoverableError(`unknown import job ${job.name}`);
      return handler(job);
    },
    { connection: opts.connection, prefix: opts.prefix, concurrency: 1, lockDuration: opts.lockMs },
  );
  worker.on('error', (err) => deps.log.error({ err }, 'import worker error'));
  worker.on('failed', (job, err) => deps.log.warn({ err, importId: job?.data.importId }, 'plan import attempt failed'));

  const sweep = async (): Promise<number> => {
    await forgetEndedPlanImports(deps, new Date(deps.now().getTime() - KEPT_AFTER_END_MS));
    const ids = await stalledPlanImports(deps, new Date(deps.now().getTime() - STALLED_MS));
    // The job id is the import's: one still queued or running is not queued twice.
    for (const id of ids) await queue.queueImport(id);
    return ids.length;
  };
  const safeSweep = () => sweep().catch((err: unknown) => (deps.log.warn({ err }, 'plan import sweep failed; it runs again'), 0));
  await safeSweep();
  const timer = setInterval(() => void safeSweep(), opts.sweepEveryMs);
  timer.unref();

  return {
    worker,
    sweep,
    async close() {
      clearInterval(timer);
      await worker.close();
    },
  };
}
