// What the use cases that change a post or a channel need to have its e-mails sent soon.
import type { Logger } from 'pino';

/** Queues the e-mail of these notifications, each once (a job id fixed by the notification). */
export interface EmailScheduler {
  emailSoon(notificationIds: readonly string[]): Promise<void>;
}

/**
 * After the state change and its notifications are committed: a Redis that is away loses nothing, the workers'
 * sweep queues every e-mail still owed.
 */
export async function emailQuietly(scheduler: EmailScheduler | undefined, log: Logger, ids: readonly string[]): Promise<void> {
  if (!scheduler || ids.length === 0) return;
  try {
    await scheduler.emailSoon(ids);
  } catch (err) {
    log.warn({ err, notifications: ids.length }, 'could not queue notification e-mails now; the sweep will');
  }
}
