// BullMQ glue for notifications: the e-mail jobs, and a sweep that queues what Redis lost and reminds supervisors.
import { type ConnectionOptions, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { type EmailDeps, emailNotification } from '../../services/notifications/email-notification';
import { abandonedClaims, owedEmails } from '../../services/notifications/notification.repository';
import { remindBeforeExpiry } from '../../services/notifications/notify';
import type { DB } from '../../services/storage/schema';
import { RetryLater } from '../publish/publish.worker';
import { NOTIFY_JOBS, NOTIFY_QUEUE, type NotifyJobData, type NotifyJobName, type NotifyQueue } from '../queue/notify-queue';

export interface NotifyWorkerDeps {
  db: Kysely<DB>;
  queue: NotifyQueue;
  log: Logger;
  now: () => Date;
  /** Undefined when no SMTP server is set: nothing is e-mailed, the in-app notifications remain. */
  email: EmailDeps | undefined;
  /** NOTIFY_SWEEP_SECONDS */
  sweepEveryMs: number;
  /** APPROVAL_REMINDER_MINUTES */
  reminderWindowMs: number;
  /** CLAIM_STALE_SECONDS: a `sending` claim this old has lost its worker. */
  claimStaleMs: number;
}

export interface NotifyWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  lockMs: number;
  stalledCheckMs: number;
}

export interface RunningNotifyWorker {
  worker: Worker<NotifyJobData>;
  sweepNow(): Promise<void>;
  close(): Promise<void>;
}

type Handler = (job: Job<NotifyJobData>) => Promise<unknown>;

/** Refuses to start when a kind of job could arrive that nothing here would run. */
export function assertHandlers(names: readonly string[], handlers: Readonly<Record<string, Handler | undefined>>): void {
  const missing = names.filter((n) => handlers[n] === undefined);
  if (missing.length > 0) throw new Error(`no handler for the notification job kind(s): ${missing.join(', ')}`);
}

/** E-mails owed are looked for this far back: a server given SMTP settings later does not mail a month of history. */
const OWED_WITHIN_MS = 24 * 3600_000;

export async function startNotifyWorker(deps: NotifyWorkerDeps, opts: NotifyWorkerOptions): Promise<RunningNotifyWorker> {
  const handlers: Record<NotifyJobName, Handler> = {
    email: async (job) => {
      // With no SMTP server this process sends nothing; another worker process that has one will, on its turn.
      if (!deps.email) return 'no-smtp';
      const outcome = await emailNotification(deps.email, job.data.notificationId);
      if (outcome === 'retry') throw new RetryLater('the SMTP server did not take the e-mail; it is tried again');
      return outcome;
    },
  };
  assertHandlers(NOTIFY_JOBS, handlers);

  const worker = new Worker<NotifyJobData>(
    NOTIFY_QUEUE,
    async (job) => {
      const handler = (handlers as Record<string, Handler | undefined>)[job.name];
      if (!handler) throw new UnrecoverableError(`unknown notification job ${job.name}`);
      return handler(job);
    },
    {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: 4,
      lockDuration: opts.lockMs,
      stalledInterval: opts.stalledCheckMs,
      // A job redelivered after a stall finds its dead worker's claim and marks it unconfirmed: once is enough.
      maxStalledCount: 1,
    },
  );
  worker.on('error', (err) => deps.log.error({ err }, 'notification worker error'));
  worker.on('failed', (job, err) => {
    if (!(err instanceof RetryLater)) deps.log.error({ err, jobId: job?.id }, 'notification job failed');
  });

  let sweeping: Promise<void> | undefined;
  const sweep = async () => {
    const now = deps.now();
    const reminded = await remindBeforeExpiry(deps.db, now, deps.reminderWindowMs);
    const abandoned = await abandonedClaims(deps.db, new Date(now.getTime() - deps.claimStaleMs), now);
    if (abandoned > 0) deps.log.warn({ abandoned }, 'notification e-mails left mid-send by stopped workers: marked unconfirmed');
    if (!deps.email) return;
    const owed = await owedEmails(deps.db, new Date(now.getTime() - OWED_WITHIN_MS), 500);
    const present = await Promise.all(owed.map((id) => deps.queue.hasEmailJob(id)));
    const missing = owed.filter((_, i) => !present[i]);
    if (missing.length > 0) await deps.queue.emailSoon(missing);
    if (reminded.length + missing.length > 0) deps.log.info({ reminded: reminded.length, queued: missing.length }, 'notifications swept');
  };
  const sweepNow = async () => {
    sweeping ??= sweep()
      .catch((err: unknown) => deps.log.warn({ err }, 'notification sweep failed; it runs again'))
      .finally(() => (sweeping = undefined));
    await sweeping;
  };
  await sweepNow();
  const timer = setInterval(() => void sweepNow(), deps.sweepEveryMs);
  timer.unref();

  return {
    worker,
    sweepNow,
    async close() {
      clearInterval(timer);
      await sweeping;
      await worker.close();
      deps.email?.mailer.close();
    },
  };
}
