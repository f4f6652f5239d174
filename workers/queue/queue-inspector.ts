// What is in the queues, for the admins' queue page and for /metrics: counts per state, the jobs of one
// state, and a retry of a failed job. Every queue the product runs is listed here once.
import { type ConnectionOptions, type Job, Queue } from 'bullmq';
import { ENGAGEMENT_QUEUE } from '../engagement/engagement.worker';
import { MEDIA_QUEUE } from '../media/media.queue';
import { IMPORT_QUEUE } from './import-queue';
import { NOTIFY_QUEUE } from './notify-queue';
import { MAINTENANCE_QUEUE, PUBLISH_QUEUE } from './publish-queue';

export const QUEUE_NAMES = [PUBLISH_QUEUE, MEDIA_QUEUE, MAINTENANCE_QUEUE, NOTIFY_QUEUE, ENGAGEMENT_QUEUE, IMPORT_QUEUE] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];
export const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobSummary {
  id: string;
  name: string;
  /** The ids the job carries (a target, a photo): payloads hold ids only. */
  data: Record<string, unknown>;
  attemptsMade: number;
  timestamp: number;
  /** When a delayed job is due. */
  dueAt: number | undefined;
  failedReason: string | undefined;
  finishedOn: number | undefined;
}

export interface QueueInspector {
  counts(): Promise<Record<QueueName, Record<JobState, number>>>;
  jobs(queue: QueueName, state: JobState, limit: number): Promise<JobSummary[]>;
  /** Retries a failed job; false when it is not (or no longer) failed. */
  retry(queue: QueueName, jobId: string): Promise<boolean>;
  close(): Promise<void>;
}

export function isQueueName(v: string): v is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(v);
}
export function isJobState(v: string): v is JobState {
  return (JOB_STATES as readonly string[]).includes(v);
}

function summary(job: Job): JobSummary {
  return {
    id: job.id ?? '',
    name: job.name,
    data: typeof job.data === 'object' && job.data !== null ? (job.data as Record<string, unknown>) : {},
    attemptsMade: job.attemptsMade,
    timestamp: job.timestamp,
    dueAt: job.delay > 0 ? job.timestamp + job.delay : undefined,
    failedReason: job.failedReason || undefined,
    finishedOn: job.finishedOn,
  };
}

/**
 * `open`: queues this process already holds (the publish and media producers), read through rather than
 * opened a second time; the others are opened here, and only those are closed by `close`.
 */
export function queueInspector(opts: { connection: ConnectionOptions; prefix: string; open?: Partial<Record<QueueName, Queue>> }): QueueInspector {
  const own: Queue[] = [];
  const queues = Object.fromEntries(
    QUEUE_NAMES.map((name) => {
      const given = opts.open?.[name];
      if (given) return [name, given];
      const q = new Queue(name, { connection: opts.connection, prefix: opts.prefix });
      // Errors surface on the calls; an idle queue without Redis must not crash the process.
      q.on('error', () => undefined);
      own.push(q);
      return [name, q];
    }),
  ) as Record<QueueName, Queue>;
  return {
    async counts() {
      const entries = await Promise.all(
        QUEUE_NAMES.map(async (name) => {
          const c = await queues[name].getJobCounts(...JOB_STATES);
          return [name, Object.fromEntries(JOB_STATES.map((s) => [s, c[s] ?? 0]))] as const;
        }),
      );
      return Object.fromEntries(entries) as Record<QueueName, Record<JobState, number>>;
    },
    async jobs(queue, state, limit) {
      const jobs = await queues[queue].getJobs([state], 0, limit - 1, state !== 'delayed');
      // A job removed between listing and reading comes back empty.
      return (jobs as Array<Job | undefined>).filter((j): j is Job => j !== undefined).map(summary);
    },
    async retry(queue, jobId) {
      const job = await queues[queue].getJob(jobId);
      if (!job || !(await job.isFailed())) return false;
      await job.retry('failed');
      return true;
    },
    async close() {
      await Promise.all(own.map((q) => q.close()));
    },
  };
}
