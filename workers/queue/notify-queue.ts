// The notification queue: one e-mail job per notification, its id fixed by the notification, so it is queued once.
import { type ConnectionOptions, Queue } from 'bullmq';
import type { EmailScheduler } from '../../services/notifications/deps';

export const NOTIFY_QUEUE = 'notify';

/** Every kind of job on the notification queue; the worker refuses to start without a handler for each. */
export const NOTIFY_JOBS = ['email'] as const;
export type NotifyJobName = (typeof NOTIFY_JOBS)[number];

export interface NotifyJobData {
  notificationId: string;
}

export function emailJobId(notificationId: string): string {
  return `e-${notificationId}`;
}

export interface NotifyQueueOptions {
  connection: ConnectionOptions;
  prefix: string;
  /** EMAIL_ATTEMPTS: the job outlives them by a few, so that the handler, which counts them, decides when to stop. */
  attempts: number;
  backoffMs: number;
}

export class NotifyQueue implements EmailScheduler {
  readonly queue: Queue<NotifyJobData>;

  constructor(private readonly opts: NotifyQueueOptions) {
    this.queue = new Queue<NotifyJobData>(NOTIFY_QUEUE, { connection: opts.connection, prefix: opts.prefix });
    // Errors surface on the calls themselves; an idle disconnected queue must not crash the process.
    this.queue.on('error', () => undefined);
  }

  async emailSoon(notificationIds: readonly string[]): Promise<void> {
    if (notificationIds.length === 0) return;
    await this.queue.addBulk(
      notificationIds.map((notificationId) => ({
        name: 'email' satisfies NotifyJobName,
        data: { notificationId },
        opts: {
          jobId: emailJobId(notificationId),
          attempts: this.opts.attempts + 5,
          backoff: { type: 'exponential', delay: this.opts.backoffMs },
          removeOnComplete: true,
          // A job that gave up leaves no id behind, so that the sweep can queue what is still owed.
          removeOnFail: true,
        },
      })),
    );
  }

  async hasEmailJob(notificationId: string): Promise<boolean> {
    return (await this.queue.getJob(emailJobId(notificationId))) !== undefined;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
