import type { Kysely } from 'kysely';
import type { AssetStore } from './assets';
import type { Logger } from 'pino';
import type { ChannelDeps } from '../channels/manage-channels';
import type { SecretBox } from '../channels/secret-box';
import type { MediaDeps } from '../media/deps';
import type { PostDeps } from '../posts/deps';
import type { DB } from '../storage/schema';
import type { ThrottleRule } from './login-throttle.repository';
import type { QueueInspector } from '../../workers/queue/queue-inspector';

export interface WebDeps {
  db: Kysely<DB>;
  posts: PostDeps;
  media: MediaDeps;
  /** Seals channel secrets typed by an admin. */
  box: SecretBox;
  /** Connecting and looking after channels. */
  channels: ChannelDeps;
  /** PLATFORM_TIMEOUT_MS, for "test connection". */
  platformTimeoutMs: number;
  log: Logger;
  now: () => Date;
  /** APPROVAL_HOLD_AFTER_RESET_HOURS */
  approvalHoldHours: number;
  /** SESSION_TTL_HOURS */
  sessionTtlHours: number;
  /** LOGIN_RATE_LIMIT_ATTEMPTS, LOGIN_RATE_LIMIT_WINDOW_SECONDS */
  loginLimit: ThrottleRule;
  /** COOKIE_SECURE */
  cookieSecure: boolean;
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS */
  allowPrivateNetworks: boolean;
  /** Derives the first run's set-up link (SECRETS_KEY). */
  setupKey: Buffer;
  /** The browser's scripts and style, as `npm run build` made them. */
  assets: AssetStore;
  /** The queues, for the admins' queue page. */
  queues: QueueInspector;
  /** Worker processes alive (their heartbeat). */
  liveWorkers: () => Promise<number>;
}
