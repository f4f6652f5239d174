// BullMQ glue for publishing: the processor turns each outcome into what BullMQ should do next.
import { type ConnectionOptions, DelayedError, type Job, Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { type PublishDeps, publishTarget } from '../../services/publishing/publish-target';
import { retractTarget } from '../../services/publishing/retract-target';
import { MAINTENANCE_QUEUE, PUBLISH_QUEUE, type PublishJobData } from '../queue/publish-queue';
import { type ReconcileDeps, reconcile } from './reconciler';

export interface WorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  lockMs: number;
  stalledCheckMs: number;
  reconcileEveryMs: number;
}

export interface RunningWorkers {
  publish: Worker<PublishJobData>;
  maintenance: Worker;
  /** Runs one reconciliation now, outside the schedule. */
  reconcileNow(): Promise<void>;
  close(): Promise<void>;
}

const RECONCILE_SCHEDULER = 'reconcile';

/** Thrown to hand a known-not-published target back to BullMQ's backoff: an expected outcome, not a fault. */
export class RetryLater extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RetryLater';
  }
}

export async function startPublishWorkers(
  publishDeps: PublishDeps,
  reconcileDeps: ReconcileDeps,
  opts: WorkerOptions,
): Promise<RunningWorkers> {
  const log: Logger = publishDeps.log;

  const publish = new Worker<PublishJobData>(
    PUBLISH_QUEUE,
    async (job: Job<PublishJobData>, token?: string) => {
      if (job.name === 'retract') {
        const done = await retractTarget(publishDeps, job.data.targetId);
        // A retraction that could not reach the platform tries again with BullMQ's backoff.
        if (done === 'retry') throw new RetryLater('retraction will be tried again');
        return { kind: 'retraction', outcome: done };
      }
      const outcome = await publishTarget(publishDeps, job.data);
      switch (outcome.kind) {
        case 'not-yet':
          await job.moveToDelayed(outcome.until.getTime(), token);
          throw new DelayedError();
        case 'held':
          // A hold with an end (a rate limit) wakes the job then; one without waits for an admin, who releases it.
          if (outcome.until === undefined) return outcome;
          await job.moveToDelayed(outcome.until.getTime(), token);
          throw new DelayedError();
        case 'retry':
          if (outcome.delayMs !== undefined) {
            await job.moveToDelayed(Date.now() + outcome.delayMs, token);
            throw new DelayedError();
          }
          // BullMQ's exponential backoff decides when.
          throw new RetryLater(outcome.reason);
        case 'published':
          if (outcome.retract) {
            // Taken back while it went out: take it back now; one that cannot be reached waits for the reconciler.
            const retraction = await retractTarget(publishDeps, job.data.targetId);
            return { ...outcome, retraction };
          }
          return outcome;
        case 'stale':
        case 'skipped':
        case 'failed':
        case 'unconfirmed':
          return outcome;
      }
    },
    {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      lockDuration: opts.lockMs,
      stalledInterval: opts.stalledCheckMs,
      // One redelivery after a stall is enough: the processor then sees the claim and resolves it.
      maxStalledCount: 1,
      autorun: true,
    },
  );
  publish.on('error', (err) => log.error({ err }, 'publish worker error'));
  publish.on('failed', (job, err) => {
    if (!(err instanceof RetryLater)) log.error({ err, jobId: job?.id }, 'publish job failed');
  });

  const maintenanceQueue = new Queue(MAINTENANCE_QUEUE, { connection: opts.connection, prefix: opts.prefix });
  maintenanceQueue.on('error', (err) => log.warn({ err }, 'maintenance queue error'));
  const maintenance = new Worker(
    MAINTENANCE_QUEUE,
    async () => {
      await reconcile(reconcileDeps);
    },
    { connection: opts.connection, prefix: opts.prefix, concurrency: 1 },
  );
  maintenance.on('error', (err) => log.error({ err }, 'maintenance worker error'));

  const ensureScheduler = async (): Promise<boolean> => {
    try {
      // Re-registering an existing scheduler would push its next run back; only a missing one is added.
      if (await maintenanceQueue.getJobScheduler(RECONCILE_SCHEDULER)) return false;
      await maintenanceQueue.upsertJobScheduler(RECONCILE_SCHEDULER, { every: opts.reconcileEveryMs }, {
        name: RECONCILE_SCHEDULER,
        opts: { removeOnComplete: true, removeOnFail: 100 },
      });
      return true;
    } catch (err) {
      log.warn({ err }, 'could not register the reconcile scheduler; will try again');
      return false;
    }
  };
  const reconcileNow = async () => {
    try {
      await reconcile(reconcileDeps);
    } catch (err) {
      log.error({ err }, 'reconcile failed');
    }
  };

  await ensureScheduler();
  await reconcileNow();
  // Redis can lose everything, the scheduler too (FLUSHALL, a restart without persistence): whoever
  // notices puts the scheduler back and reconciles at once.
  const guard = setInterval(() => {
    void ensureScheduler().then((lost) => (lost ? reconcileNow() : undefined));
  }, opts.reconcileEveryMs);
  guard.unref();

  return {
    publish,
    maintenance,
    reconcileNow,
    async close() {
      clearInterval(guard);
      await Promise.all([publish.close(), maintenance.close()]);
      await maintenanceQueue.close();
    },
  };
}
