// The contract every platform adapter keeps: what a publish receives, what it may do on the way
// (checkpoints, rotated credentials), what it returns, and how its failures are told apart.
import type { Logger } from 'pino';
import type { ChannelCredentials, ChannelSettings } from '../../shared/channels/channel-schemas';
import type { HoldReason } from '../../shared/channels/channel-words';
import type { ChannelKind } from '../../shared/post';
import type { TimeZone } from '../../shared/time';

export interface PlatformPhoto {
  photoId: string;
  altText: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  /** Signed and expiring: for platforms that fetch the photo themselves (Instagram) while publishing. */
  url: string;
  /** Lasting while the post stays published: for receivers that keep the link (webhooks). */
  publicUrl: string;
  /** The rendition's bytes, read before the claim; present when the adapter asked for bytes. */
  data?: Buffer;
}

export interface PublishInput {
  targetId: string;
  attempt: number;
  post: {
    id: string;
    title: string;
    /** The channel's text: its own variant where the author wrote one, else the body. */
    text: string;
    /** The author asked for an over-long text to go out as a thread (where the platform has threads). */
    thread: boolean;
    scheduledAt: Date;
    unit: { id: string; slug: string; name: string; timeZone: TimeZone };
    /** Where the post lives on the unit's own news page. */
    pageUrl: string;
  };
  /** In the post's order, rendered for this channel, with alt text. */
  photos: PlatformPhoto[];
  /** Where the post's other targets already went out (for receivers that collect the links). */
  links: Array<{ kind: ChannelKind; url: string }>;
}

/** One channel as its adapter sees it: parsed settings and a handle on its sealed credentials. */
export interface ChannelHandle<K extends ChannelKind> {
  id: string;
  kind: K;
  name: string;
  settings: ChannelSettings<K>;
  credentials: CredentialsHandle<ChannelCredentials<K>>;
}

export interface CredentialsHandle<C> {
  /** The credentials as last read. */
  current(): C;
  /**
   * Replaces the credentials when `isStale` says so: at most one process at a time runs `renew` for this
   * channel (a refresh token works once); the others wait for what it stored and use that.
   */
  renew(isStale: (c: C) => boolean, renew: (c: C) => Promise<{ credentials: C; expiresAt: Date | null }>): Promise<C>;
}

export interface PublishContext<K extends ChannelKind> {
  channel: ChannelHandle<K>;
  /** When this attempt claimed the target. */
  claimedAt: Date;
  /** The last checkpoint saved by an earlier, interrupted attempt; undefined on a fresh start. */
  checkpoint: unknown;
  /** Saves progress; call it before each outside step, so that a crash can be resumed without repeats. */
  saveCheckpoint(data: unknown): Promise<void>;
  /** Every outside call's timeout (the adapter's own). */
  timeoutMs: number;
  log: Logger;
}

export interface RetractInput {
  targetId: string;
  post: { id: string; pageUrl: string };
  /** Every id the platform gave when it published. */
  ids: string[];
  reason: string;
  retractedAt: Date;
}

export interface PublishResult {
  /** The reference of the post: a tweet id, the first message of an album. */
  externalId: string;
  /** The public link to it, where one exists. */
  url: string | null;
  /** Every id the platform gave, first one first. */
  ids: string[];
}

export type Verification =
  | { status: 'published'; result: PublishResult }
  /** Nothing went out beyond what `checkpoint` records: publishing may resume from there. */
  | { status: 'not-published'; checkpoint: unknown }
  | { status: 'unknown'; reason: string };

export interface ConnectionReport {
  ok: boolean;
  /** The account as the platform names it: `@polrestubaba`, `Humas Polres Tubaba`. */
  accountName?: string | undefined;
  /** What a person reads, in both languages. */
  detail: { id: string; en: string };
}

/**
 * - `transient`: nothing went out; retry this target with backoff.
 * - `rate-limited`: nothing went out; the whole channel waits until `until` (its targets keep their attempts).
 * - `auth-expired`: nothing went out; the channel needs re-connection, its targets wait for it.
 * - `rejected`: nothing went out and retrying cannot help; the platform's reason is shown.
 * - `unknown-outcome`: it may have gone out; never retried blindly (verify, else a human checks).
 */
export type PlatformErrorKind = 'transient' | 'rate-limited' | 'auth-expired' | 'rejected' | 'unknown-outcome';

export class PlatformError extends Error {
  constructor(
    readonly kind: PlatformErrorKind,
    /** The platform's own words where it gave any; shown to supervisors, so never a secret. */
    message: string,
    readonly hold?: { until: Date | undefined; reason: HoldReason },
  ) {
    super(message);
    this.name = 'PlatformError';
  }

  static rateLimited(message: string, until: Date | undefined, reason: HoldReason = 'channel.rate_limited'): PlatformError {
    return new PlatformError('rate-limited', message, { until, reason });
  }
}

/** A published post's figures on its platform, as the platform counts them; null where it gives none. */
export interface Engagement {
  /** Times seen, or people reached, as the platform reports it (its own definition). */
  views: number | null;
  /** Likes and other reactions. */
  reactions: number | null;
  comments: number | null;
  /** Shares, reposts and quotes on the platform itself. */
  reposts: number | null;
}

export interface EngagementTarget {
  targetId: string;
  /** The post's reference on the platform (PublishResult.externalId). */
  externalId: string;
}

/**
 * What a platform tells about what went out, read on a schedule (the engagement job). Each part is optional: a
 * platform whose API gives bots no per-post figures (Telegram) may still give the channel's audience. Throws
 * PlatformError as publishing does; the job records the words for the channel and goes on with the others.
 */
export interface EngagementReader<K extends ChannelKind> {
  /** Most posts one call may carry (X reads 100 posts per request; Meta one object per request here). */
  readonly perCall: number;
  /** Figures by target id; a post the platform no longer has is `gone`; one left out is asked again next time. */
  posts?(targets: EngagementTarget[], ctx: PublishContext<K>): Promise<Map<string, Engagement | 'gone'>>;
  /** The channel's followers or subscribers, as the platform counts them. */
  audience?(ctx: PublishContext<K>): Promise<number | null>;
}

export interface PlatformAdapter<K extends ChannelKind = ChannelKind> {
  readonly kind: K;
  /** `bytes`: the engine reads each photo's rendition before the claim; `url`: signed links suffice. */
  readonly photoInput: 'bytes' | 'url';
  /** The timeout of each of its outside calls: a claim quiet for longer than this (and a job lock) is abandoned. */
  readonly timeoutMs: number;
  /** Posts per window the platform allows one account; the engine spaces the channel's targets to stay under. */
  readonly pacing?: { posts: number; windowMs: number } | undefined;
  /**
   * The checkpoint an attempt starts from, written by the claim itself: for an adapter whose first outside call is
   * the one that may publish, so that it need not save a checkpoint of its own just before that call.
   */
  readonly claimCheckpoint?: unknown;
  publish(input: PublishInput, ctx: PublishContext<K>): Promise<PublishResult>;
  /**
   * Asks the platform whether an attempt that may have reached it went out (`ctx.checkpoint` is its last
   * checkpoint). Adapters that cannot ask answer `unknown`.
   */
  verify(input: PublishInput, ctx: PublishContext<K>): Promise<Verification>;
  /**
   * Takes a published post back (deletes it, or tells a receiver). Throws PlatformError; `rejected` with
   * the platform's words where it cannot (too old, not allowed). Adapters of platforms that cannot take a
   * post back omit it.
   */
  retract?(input: RetractInput, ctx: PublishContext<K>): Promise<void>;
  /**
   * Credentials that die unless renewed (Instagram Login's 60-day token): renewed by a periodic chore once
   * their expiry is closer than `renewWithinMs`, whether or not the channel posts meanwhile.
   */
  keepAlive?: { renewWithinMs: number; renew(channel: ChannelHandle<K>, timeoutMs: number): Promise<void> } | undefined;
  /** What the platform reports of published posts and the channel's audience; absent where it reports nothing we can read. */
  engagement?: EngagementReader<K> | undefined;
  /** Checks the credentials and the account, as the admin's "test connection" does. */
  test(channel: ChannelHandle<K>, timeoutMs: number): Promise<ConnectionReport>;
}

/**
 * The ids a platform deletes by. A target confirmed published by a person, or found out only after an
 * interruption, may have none: nothing can be deleted blindly, so a supervisor is told to do it by hand.
 */
export function idsToRetract(input: RetractInput): string[] {
  if (input.ids.length === 0) throw new PlatformError('rejected', 'the platform never gave this post\'s ids, so it cannot be deleted from here; remove it by hand');
  return input.ids;
}
