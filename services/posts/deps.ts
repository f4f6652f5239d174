import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { EmailScheduler } from '../notifications/deps';
import type { DB } from '../storage/schema';
import type { PlanImportScheduler } from './import-posts';

/** One publish job: a target at the generation that was current when it was queued. */
export interface PublishSlot {
  targetId: string;
  generation: number;
}

/** What the post use cases need of the job engine; the database stays the truth whatever it does. */
export interface PublishScheduler {
  schedule(slots: ReadonlyArray<PublishSlot & { at: Date }>): Promise<void>;
  unschedule(slots: readonly PublishSlot[]): Promise<void>;
  /** Takes these published targets back, each once. */
  retract(targetIds: readonly string[]): Promise<void>;
}

export interface PostDeps {
  db: Kysely<DB>;
  scheduler: PublishScheduler;
  log: Logger;
  now: () => Date;
  minLeadSeconds: number;
  /** Why Instagram cannot download our photo links (a blocking finding on posts for it); undefined when it can. */
  photosUnreachable?: { id: string; en: string } | undefined;
  /** Told when a post's channels change, so that renditions for a new platform get made before approval. */
  channelsChanged?: (postId: string) => Promise<void>;
  /** Queues the e-mails of the notifications a change wrote; without it the workers' sweep queues them. */
  emails?: EmailScheduler | undefined;
  /** Queues a large posting plan's import job; without it the workers' sweep queues it. */
  imports?: PlanImportScheduler | undefined;
}

/**
 * For tools that write to the database without a job engine at hand (the CLI, benchmarks): the workers'
 * reconciler queues whatever the database says is due.
 */
export const RECONCILER_QUEUES: PublishScheduler = {
  schedule: () => Promise.resolve(),
  unschedule: () => Promise.resolve(),
  retract: () => Promise.resolve(),
};
