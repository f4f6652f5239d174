// The posting-plan import queue: one job per kept plan, its id fixed by the import, so it is queued once.
import { type ConnectionOptions, Queue } from 'bullmq';
import type { PlanImportScheduler } from '../../services/posts/import-posts';

export const IMPORT_QUEUE = 'imports';

/** Every kind of job on the import queue; the worker refuses to start without a handler for each. */
export const IMPORT_JOBS = ['import-plan'] as const;
export type ImportJobName = (typeof IMPORT_JOBS)[number];

export interface ImportJobData {
  importId: string;
}

/** Attempts of one import: a database fault is tried again; the last failure ends the import as failed. */
export const IMPORT_ATTEMPTS = 3;

export class PlanImportQueue implements PlanImportScheduler {
  readonly queue: Queue<ImportJobData>;

  constructor(opts: { connection: ConnectionOptions; prefix: string }) {
    this.queue = new Queue<ImportJobData>(IMPORT_QUEUE, { connection: opts.connection, prefix: opts.prefix });
    // Errors surface on the calls themselves; an idle disconnected queue must not crash the process.
    this.queue.on('error', () => undefined);
  }

  async queueImport(importId: string): Promise<void> {
    await this.queue.add('import-plan' satisfies ImportJobName, { importId }, {
      jobId: `plan-${importId}`,
      attempts: IMPORT_ATTEMPTS,
      backoff: { type: 'exponential', delay: 5000 },
      removeOnComplete: true,
      // A job that gave up leaves no id behind: its import is marked failed, and nothing queues it again.
      removeOnFail: true,
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
