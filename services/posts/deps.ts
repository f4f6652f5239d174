import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../storage/schema';

/** One publish job: a target at the generation that was current when it was queued. */
export interface PublishSlot {
  targetId: string;
  generation: number;
}

/** What the post use cases need of the job engine; the database stays the truth whatever it does. */
export interface PublishScheduler {
  schedule(slots: ReadonlyArray<PublishSlot & { at: Date }>): Promise<void>;
  unschedule(slots: readonly PublishSlot[]): Promise<void>;
}

export interface PostDeps {
  db: Kysely<DB>;
  scheduler: PublishScheduler;
  log: Logger;
  now: () => Date;
  minLeadSeconds: number;
  /** Told when a post's channels change, so that renditions for a new platform get made before approval. */
  channelsChanged?: (postId: string) => Promise<void>;
}
