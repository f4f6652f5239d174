// BullMQ glue for the engagement job: a job scheduler fires `collect` every ENGAGEMENT_EVERY_MINUTES on its own
// queue (a slow platform must not delay the reconciler's minute), and one worker runs it. The job carries
// nothing: it reads from the database what is due. Redis losing the scheduler costs one run, not the figures.
import { type ConnectionOptions, type Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { type EngagementDeps, type EngagementRun, collectEngagement } from '../../services/reports/collect-engagement';

export const ENGAGEMENT_QUEUE = 'engagement';
export const ENGAGEMENT_JOBS = ['collect'] as const;
type EngagementJobName = (typeof ENGAGEMENT_JOBS)[number];

const SCHEDULER = 'collect-engagement';
/** A run asked for outside the schedule: one id, so that asking twice while it waits queues it once. */
const RUN_NOW_ID = 'collect-engagement-now';

export interface EngagementWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  lockMs: number;
}

export interface RunningEngagementWorker {
  queue: Queue;
  worker: Worker;
  /** Queues one run now, through the same queue and worker as the schedule's, and waits for it. */
  runNow(): Promise<EngagementRun>;
  close(): Promise<void>;
}

export async function startEngagementWorker(deps: EngagementDeps, opts: EngagementWorkerOptions): Promise<RunningEngagementWorker> {
  const handlers: Record<EngagementJobName, (job: Job) => Promise<EngagementRun>> = {
    collect: () => collectEngagement(deps),
  };
  const missing = ENGAGEMENT_JOBS.filter((n) => (handlers as Partial<Record<string, unknown>>)[n] === undefined);
  if (missing.length > 0) throw new Error(`no handler for the engagement job kind(s): ${missing.join(', ')}`);

  const queue = new Queue(ENGAGEMENT_QUEUE, { connection: opts.connection, prefix: opts.prefix });
  queue.on('error', (err) => deps.log.warn({ err }, 'engagement queue error'));
  const worker = new Worker(
    ENGAGEMENT_QUEUE,
    async (job: Job) => {
      const handler = (handlers as Partial<Record<string, (job: Job) => Promise<EngagementRun>>>)[job.name];
      if (!handler) throw new UnrecoverableError(`unknown engagement job ${job.name}`);
      const run = await handler(job);
      if (run.posts + run.audiences + run.failedChannels > 0) deps.log.info(run, 'engagement collected');
      return run;
    },
    { connection: opts.connection, prefix: opts.prefix, concurrency: 1, lockDuration: opts.lockMs },
  );
  worker.on('error', (err) => deps.log.error({ err }, 'engagement worker error'));
  worker.on('failed', (job, err) => deps.log.warn({ err, jobId: job?.id }, 'engagement run failed; the next one reads what it missed'));

  const ensureScheduler = async (): Promise<void> => {
    try {
      // Re-registering would push the next run back: only a missing scheduler, or one of another interval (the
      // setting changed), is written (and then runs at once).
      if ((await queue.getJobScheduler(SCHEDULER))?.every === deps.everyMs) return;
      await queue.upsertJobScheduler(SCHEDULER, { every: deps.everyMs }, { name: 'collect', opts: { removeOnComplete: 100, removeOnFail: 100 } });
    } catch (err) {
      deps.log.warn({ err }, 'could not register the engagement scheduler; will try again');
    }
  };
  // One run at a time across every worker process: BullMQ schedules the next run when one starts, and two runs
  // would read (and, on X, pay for) the same posts twice.
  await queue.setGlobalConcurrency(1);
  await ensureScheduler();
  // Redis can lose the scheduler (FLUSHALL, a restart without persistence): whoever notices puts it back.
  const guard = setInterval(() => void ensureScheduler(), Math.min(deps.everyMs, 300_000));
  guard.unref();

  return {
    queue,
    worker,
    async runNow() {
      // Any worker process may take the job: its end is heard through Redis, not this process's worker.
      const events = new QueueEvents(ENGAGEMENT_QUEUE, { connection: opts.connection, prefix: opts.prefix });
      try {
        await events.waitUntilReady();
        const job = await queue.add('collect', {}, { jobId: RUN_NOW_ID, removeOnComplete: true, removeOnFail: true });
        return (await job.waitUntilFinished(events)) as EngagementRun;
      } finally {
        await events.close();
      }
    },
    async close() {
      clearInterval(guard);
      await worker.close();
      await queue.close();
    },
  };
}

/** ENGAGEMENT_EVERY_MINUTES=0: the schedule an earlier start left in Redis is taken away, so nothing runs it. */
export async function stopEngagementSchedule(opts: { connection: ConnectionOptions; prefix: string }): Promise<void> {
  const queue = new Queue(ENGAGEMENT_QUEUE, { connection: opts.connection, prefix: opts.prefix });
  try {
    await queue.removeJobScheduler(SCHEDULER);
  } finally {
    await queue.close();
  }
}
