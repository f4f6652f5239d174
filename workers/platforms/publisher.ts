// What every platform adapter offers, and how its failures are told apart.
import type { PublishablePhoto } from '../../services/media/read-photos';
import type { ChannelKind } from '../../shared/post';
import type { TimeZone } from '../../shared/time';

export interface PublishRequest {
  targetId: string;
  attempt: number;
  post: {
    id: string;
    title: string;
    /** The channel's own variant where the author wrote one, else the body. */
    text: string;
    scheduledAt: Date;
    unit: { id: string; slug: string; name: string; timeZone: TimeZone };
    /** Where the post lives on the unit's own news page. */
    pageUrl: string;
  };
  channel: { id: string; kind: ChannelKind; settings: Record<string, unknown>; secret: string | null };
  /** In the post's order, rendered for this channel, with alt text. */
  photos: PublishablePhoto[];
}

export interface PublishedRef {
  externalId: string;
  url: string | null;
}

/**
 * - `transient`, `rate-limited`: nothing was published; retry (after `retryAfterMs` when known).
 * - `rejected`, `auth-expired`: nothing was published and retrying will not help; stop and show why.
 * - `unknown-outcome`: it may have gone out; never retry blindly, a human checks.
 */
export type PublishErrorKind = 'transient' | 'rate-limited' | 'rejected' | 'auth-expired' | 'unknown-outcome';

export class PublishError extends Error {
  constructor(
    readonly kind: PublishErrorKind,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'PublishError';
  }
}

export type Verification = { published: true; ref: PublishedRef } | { published: false } | { published: 'unknown' };

export interface Publisher {
  readonly kind: ChannelKind;
  publish(req: PublishRequest): Promise<PublishedRef>;
  /** Asks the platform whether an earlier attempt went out; adapters that cannot tell omit it. */
  verify?(req: PublishRequest): Promise<Verification>;
}
