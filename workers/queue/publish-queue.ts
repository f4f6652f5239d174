// The publish queue: one delayed job per target and generation, with an id fixed by both.
import { type ConnectionOptions, Queue } from 'bullmq';
import type { PublishScheduler, PublishSlot } from '../../services/posts/deps';

export const PUBLISH_QUEUE = 'publish';
export const MAINTENANCE_QUEUE = 'maintenance';

export interface PublishJobData {
  targetId: string;
  generation: number;
}

export function publishJobId(slot: PublishSlot): string {
  return `t-${slot.targetId}-g${slot.generation}`;
}

/** One retraction per target, ever: the id is fixed by the target alone. */
export function retractJobId(targetId: string): string {
  return `r-${targetId}`;
}

export interface RetractJobData {
  targetId: string;
}

export interface PublishQueueOptions {
  connection: ConnectionOptions;
  prefix: string;
  attempts: number;
  backoffMs: number;
}

export class PublishQueue implements PublishScheduler {
  readonly queue: Queue<PublishJobData>;

  constructor(private readonly opts: PublishQueueOptions) {
    this.queue = new Queue<PublishJobData>(PUBLISH_QUEUE, { connection: opts.connection, prefix: opts.prefix });
    // Errors surface on the calls themselves; an idle disconnected queue must not crash the process.
    this.queue.on('error', () => undefined);
  }

  async schedule(slots: ReadonlyArray<PublishSlot & { at: Date }>, now = Date.now()): Promise<void> {
    if (slots.length === 0) return;
    await this.queue.addBulk(
      slots.map((s) => ({
        name: 'publish',
        data: { targetId: s.targetId, generation: s.generation },
        opts: {
          jobId: publishJobId(s),
          delay: Math.max(0, s.at.getTime() - now),
          // Beyond the domain's own retry budget, so that passing infrastructure faults are retried too.
          attempts: this.opts.attempts + 5,
          backoff: { type: 'exponential', delay: this.opts.backoffMs },
          removeOnComplete: true,
          // A job that gave up must leave no id behind, or the reconciler could never queue it again.
          removeOnFail: true,
        },
      })),
    );
  }

  async retract(targetIds: readonly string[]): Promise<void> {
    if (targetIds.length === 0) return;
    await this.queue.addBulk(
      targetIds.map((targetId) => ({
        name: 'retract',
        data: { targetId, generation: 0 },
        opts: {
          jobId: retractJobId(targetId),
          attempts: this.opts.attempts + 5,
          backoff: { type: 'exponential', delay: this.opts.backoffMs },
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
  }

  async hasRetractJob(targetId: string): Promise<boolean> {
    return (await this.queue.getJob(retractJobId(targetId))) !== undefined;
  }

  async unschedule(slots: readonly PublishSlot[]): Promise<void> {
    for (const s of slots) {
      const job = await this.queue.getJob(publishJobId(s));
      // An active job cannot be removed; its generation no longer matches, so it will do nothing.
      if (job && !(await job.isActive())) await job.remove().catch(() => undefined);
    }
  }

  async hasJob(slot: PublishSlot): Promise<boolean> {
    return (await this.queue.getJob(publishJobId(slot))) !== undefined;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
