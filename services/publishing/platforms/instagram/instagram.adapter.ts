// Publishing to an Instagram professional account: one photo, or a carousel of 2–10, with the caption and
// alt text. Meta downloads each photo from its signed link, makes a container, and publishes it when asked.
// Every container id is saved before the next step, so an interrupted attempt is settled by asking the
// container: PUBLISHED went out (never again), FINISHED is published now, EXPIRED or ERROR is made again.
import type { ChannelCredentials, ChannelSettings } from '../../../../shared/channels/channel-schemas';
import {
  type ChannelHandle,
  type ConnectionReport,
  type PlatformAdapter,
  PlatformError,
  type PublishContext,
  type PublishInput,
  type PublishResult,
  type Verification,
} from '../../platform';
import { count, insightValue, insightsOrNone, readEach } from '../meta/engagement';
import { type GraphClient, GraphError, classifyGraphError, graphClient } from '../meta/graph';

export interface InstagramConfig {
  /** graph.facebook.com: accounts reached through their Facebook Page. */
  facebookGraphUrl: string;
  /** graph.instagram.com: accounts connected with Instagram Login. */
  instagramGraphUrl: string;
  version: string;
  timeoutMs: number;
  /** Instagram Login ("Connect with Instagram"): its dialog, its code exchange, and the app, when configured. */
  loginUrl: string;
  apiUrl: string;
  app: { id: string; secret: string } | undefined;
}

interface InstagramCheckpoint {
  /** Carousel item containers made so far, in the post's order. */
  items: string[];
  /** The container that becomes the post (a photo's, or the carousel's). */
  container?: string | undefined;
  /** media_publish is under way: only the container's status can say whether it went out. */
  sending?: true | undefined;
  /** When media_publish was asked for (ISO): where to look among the account's media for what it made. */
  sentAt?: string | undefined;
}

type Credentials = ChannelCredentials<'instagram'>;

/** Meta's answer about a container. */
interface ContainerStatus {
  /** `GONE`: Meta no longer knows the container (purged a day after it was made); ours, not Meta's word. */
  status_code?: 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED' | 'GONE';
  status?: string;
}

/** Meta's answers that a container no longer exists: "media builder does not exist" (24/2207008), unknown object (100/33). */
function containerGone(err: unknown): boolean {
  return err instanceof GraphError && (err.subcode === 2207008 || err.code === 24 || (err.code === 100 && err.subcode === 33));
}

interface Medium {
  id: string;
  caption?: string;
  permalink?: string;
  timestamp?: string;
}

const DAY_MS = 24 * 60 * 60_000;
/** An Instagram Login token is refreshed once it is a day old (Meta refuses younger ones). */
const REFRESH_AFTER_MS = DAY_MS;
/** Waits between looks at a container Meta is still processing. */
const POLL_STEPS_MS = [500, 1000, 2000, 3000, 5000];
/** Media searched for a post whose container shows PUBLISHED but whose answer was lost. */
const LOOKBACK_MS = 10 * 60_000;

/** The Graph host a channel's token belongs to. */
function hostOf(cfg: InstagramConfig, login: ChannelSettings<'instagram'>['login']): string {
  return login === 'instagram' ? cfg.instagramGraphUrl : cfg.facebookGraphUrl;
}

export function instagramAdapter(cfg: InstagramConfig): PlatformAdapter<'instagram'> {
  const client = (settings: ChannelSettings<'instagram'>, timeoutMs: number) => graphClient({ baseUrl: hostOf(cfg, settings.login), version: cfg.version, timeoutMs });

  /** An Instagram Login token a day old, refreshed by one process at a time; a Page token as it is. */
  const freshToken = async (channel: ChannelHandle<'instagram'>, timeoutMs: number): Promise<string> => {
    const c = channel.credentials.current();
    if (c.login === 'facebook') return c.token;
    const stale = (x: Credentials) => x.login === 'instagram' && Date.now() - Date.parse(x.refreshedAt) >= REFRESH_AFTER_MS;
    if (!stale(c)) return c.token;
    const renewed = await channel.credentials.renew(stale, async (old) => {
      const refreshed = await refreshInstagramToken(cfg, old.token, timeoutMs);
      return { credentials: { login: 'instagram', token: refreshed.token, expiresAt: refreshed.expiresAt.toISOString(), refreshedAt: new Date().toISOString() }, expiresAt: refreshed.expiresAt };
    });
    return renewed.token;
  };

  /** The token to publish with; a refresh that fails while the token still works is tried again later. */
  const tokenOf = async (ctx: PublishContext<'instagram'>): Promise<string> => {
    const c = ctx.channel.credentials.current();
    try {
      return await freshToken(ctx.channel, ctx.timeoutMs);
    } catch (err) {
      if (c.login === 'instagram' && Date.parse(c.expiresAt) > Date.now() + 60_000) {
        ctx.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'instagram token refresh failed; the current token still works');
        return c.token;
      }
      throw err instanceof PlatformError ? err : classifyGraphError(err, new Date());
    }
  };

  /** The post's link as Meta gives it; the post is out whatever this read does. */
  const result = async (g: GraphClient, token: string, mediaId: string): Promise<PublishResult> => {
    let url: string | null = null;
    try {
      const m = await g.get<Medium>(mediaId, token, { fields: 'permalink' });
      if (m.permalink?.startsWith('https://')) url = m.permalink;
    } catch {
      // Kept without a link: Instagram's links are made from a shortcode only Meta knows.
    }
    return { externalId: mediaId, url, ids: [mediaId] };
  };

  /** Asks a container's status; reading is harmless, so any failure is for retrying. */
  const statusOf = async (g: GraphClient, token: string, container: string): Promise<ContainerStatus> => {
    try {
      return await g.get<ContainerStatus>(container, token, { fields: 'status_code,status' });
    } catch (err) {
      if (containerGone(err)) return { status_code: 'GONE', status: err instanceof Error ? err.message : 'gone' };
      throw classifyGraphError(err, new Date(), 'harmless');
    }
  };

  /**
   * Waits for Meta to finish a container, for at most half a call's timeout (with the last look itself, the
   * claim stays within the silence the engine allows a live worker); its last status otherwise.
   */
  const untilProcessed = async (g: GraphClient, token: string, container: string, budgetMs: number): Promise<ContainerStatus> => {
    const started = Date.now();
    for (let i = 0; ; i++) {
      const s = await statusOf(g, token, container);
      if (s.status_code !== 'IN_PROGRESS') return s;
      const wait = POLL_STEPS_MS[Math.min(i, POLL_STEPS_MS.length - 1)]!;
      if (Date.now() - started + wait > budgetMs) return s;
      await new Promise((r) => setTimeout(r, wait));
    }
  };

  /** Makes a container; nobody sees it, so a failed or lost attempt is simply made again. */
  const makeContainer = async (g: GraphClient, token: string, igUserId: string, params: Record<string, string | undefined>): Promise<string> => {
    try {
      return (await g.post<{ id: string }>(`${igUserId}/media`, token, params)).id;
    } catch (err) {
      if (err instanceof GraphError && (err.subcode === 2207052 || err.code === 9004)) {
        // Retried (a short outage of this server looks the same to Meta), then failed with these words.
        throw new PlatformError('transient', `Instagram could not download the photo from Siaran's link (${err.userMessage ?? err.message}); PUBLIC_BASE_URL must be an HTTPS address reachable from the internet`);
      }
      throw classifyGraphError(err, new Date(), 'harmless');
    }
  };

  /** The daily publishing quota, read from Meta: at the quota, the channel waits for its window to free. */
  const checkQuota = async (g: GraphClient, token: string, igUserId: string): Promise<void> => {
    let limit: { data?: Array<{ quota_usage?: number; config?: { quota_total?: number; quota_duration?: number } }> };
    try {
      limit = await g.get(`${igUserId}/content_publishing_limit`, token, { fields: 'quota_usage,config' });
    } catch (err) {
      throw classifyGraphError(err, new Date(), 'harmless');
    }
    const entry = limit.data?.[0];
    const used = entry?.quota_usage ?? 0;
    const total = entry?.config?.quota_total;
    if (total === undefined || used < total) return;
    throw await quotaReached(g, token, igUserId, used, total, (entry?.config?.quota_duration ?? 86_400) * 1000);
  };

  /** When a full window frees: as the oldest post inside it leaves (read from the account's own media). */
  const quotaReached = async (g: GraphClient, token: string, igUserId: string, used: number, total: number, windowMs: number): Promise<PlatformError> => {
    let until = new Date(Date.now() + 60 * 60_000);
    try {
      const media = await g.get<{ data?: Medium[] }>(`${igUserId}/media`, token, { fields: 'id,timestamp', limit: Math.min(100, used + 5) });
      const inWindow = (media.data ?? [])
        .map((m) => Date.parse((m.timestamp ?? '').replace(/\+0000$/, 'Z')))
        .filter((t) => Number.isFinite(t) && t > Date.now() - windowMs)
        .sort((a, b) => a - b);
      const frees = inWindow[used - total];
      if (frees !== undefined) until = new Date(frees + windowMs + 1000);
    } catch {
      // Kept at an hour: the channel looks again then.
    }
    return PlatformError.rateLimited(`Instagram's publishing limit of ${String(total)} posts a day is reached (${String(used)} used)`, until, 'channel.publishing_limit');
  };

  /** A PUBLISHED container's medium, found among the account's newest by its caption. */
  const findMedium = async (g: GraphClient, token: string, igUserId: string, caption: string, since: Date): Promise<Medium | undefined> => {
    if (caption === '') return undefined;
    const media = await g.get<{ data?: Medium[] }>(`${igUserId}/media`, token, { fields: 'id,caption,permalink,timestamp', limit: 25 });
    return (media.data ?? []).find((m) => (m.caption ?? '') === caption && Date.parse((m.timestamp ?? '').replace(/\+0000$/, 'Z')) >= since.getTime() - LOOKBACK_MS);
  };

  const captionOf = (input: PublishInput) => input.post.text.trim();

  return {
    kind: 'instagram',
    timeoutMs: cfg.timeoutMs,
    photoInput: 'url',
    async publish(input, ctx) {
      const { settings } = ctx.channel;
      const cp: InstagramCheckpoint = { items: [], ...(ctx.checkpoint as InstagramCheckpoint | undefined) };
      if (cp.sending) throw new PlatformError('unknown-outcome', 'an earlier request to publish this post ended without an answer');
      if (input.photos.length === 0) throw new PlatformError('rejected', 'Instagram publishes only posts with a photo');
      if (input.photos.length > 10) throw new PlatformError('rejected', 'Instagram takes at most 10 photos in one post');
      const token = await tokenOf(ctx);
      const g = client(settings, ctx.timeoutMs);
      const caption = captionOf(input);
      const poll = Math.floor(ctx.timeoutMs / 2);
      /** What an earlier attempt's PUBLISHED container made: found among the media, never published twice. */
      const alreadyOut = async (container: string): Promise<PublishResult> => {
        const found = await findMedium(g, token, settings.igUserId, caption, cp.sentAt ? new Date(cp.sentAt) : ctx.claimedAt).catch(() => undefined);
        // Out for certain; without its medium (an empty or repeated caption) it is recorded without a link.
        return found ? result(g, token, found.id) : { externalId: container, url: null, ids: [] };
      };

      // A container kept from an earlier attempt is asked first: it may have gone out already, and then the
      // quota it used must not hold it.
      let status: ContainerStatus | undefined;
      if (cp.container !== undefined) {
        status = await untilProcessed(g, token, cp.container, poll);
        if (status.status_code === 'PUBLISHED') return alreadyOut(cp.container);
        if (status.status_code === 'EXPIRED' || status.status_code === 'GONE') {
          // Never published (it would say so): made again below, from fresh photo links.
          cp.items = [];
          cp.container = undefined;
          status = undefined;
          await ctx.saveCheckpoint(cp);
        }
      }
      await checkQuota(g, token, settings.igUserId);

      if (cp.container === undefined) {
        if (input.photos.length === 1) {
          const photo = input.photos[0]!;
          cp.container = await makeContainer(g, token, settings.igUserId, { image_url: photo.url, caption: caption || undefined, alt_text: photo.altText || undefined });
        } else {
          for (let i = cp.items.length; i < input.photos.length; i++) {
            const photo = input.photos[i]!;
            cp.items.push(await makeContainer(g, token, settings.igUserId, { image_url: photo.url, is_carousel_item: 'true', alt_text: photo.altText || undefined }));
            await ctx.saveCheckpoint(cp);
          }
          for (const item of cp.items) {
            await ready(item, await untilProcessed(g, token, item, poll), cp, ctx);
            // Progress: the engine sees a live worker while Meta processes a long carousel.
            await ctx.saveCheckpoint(cp);
          }
          cp.container = await makeContainer(g, token, settings.igUserId, { media_type: 'CAROUSEL', children: cp.items.join(','), caption: caption || undefined });
        }
        await ctx.saveCheckpoint(cp);
        status = await untilProcessed(g, token, cp.container, poll);
      }
      await ready(cp.container, status ?? (await untilProcessed(g, token, cp.container, poll)), cp, ctx);

      cp.sending = true;
      cp.sentAt = new Date().toISOString();
      await ctx.saveCheckpoint(cp);
      let mediaId: string;
      try {
        mediaId = (await g.post<{ id: string }>(`${settings.igUserId}/media_publish`, token, { creation_id: cp.container })).id;
      } catch (err) {
        if (containerGone(err)) {
          // Meta no longer knows the container: nothing can have been published from it; made again next time.
          cp.sending = undefined;
          cp.items = [];
          cp.container = undefined;
          await ctx.saveCheckpoint(cp);
          throw new PlatformError('transient', `Instagram's container expired before it was published; it is made again (${err instanceof Error ? err.message : ''})`);
        }
        const e = classifyGraphError(err, new Date(), 'publish');
        if (e.kind !== 'unknown-outcome') {
          // Meta answered that nothing went out. The container is kept: the next attempt asks its status
          // first, and makes a new one only when Meta says it expired or failed.
          cp.sending = undefined;
          await ctx.saveCheckpoint(cp);
          if (err instanceof GraphError && err.subcode === 2207042) await checkQuota(g, token, settings.igUserId);
        }
        throw e;
      }
      return result(g, token, mediaId);
    },
    async verify(input, ctx): Promise<Verification> {
      const cp: InstagramCheckpoint = { items: [], ...(ctx.checkpoint as InstagramCheckpoint | undefined) };
      if (!cp.sending || cp.container === undefined) return { status: 'not-published', checkpoint: { ...cp, sending: undefined } };
      const { settings } = ctx.channel;
      const token = ctx.channel.credentials.current().token;
      const g = client(settings, ctx.timeoutMs);
      const status = await statusOf(g, token, cp.container);
      const since = cp.sentAt ? new Date(cp.sentAt) : ctx.claimedAt;
      switch (status.status_code) {
        case 'PUBLISHED': {
          const found = await findMedium(g, token, settings.igUserId, captionOf(input), since).catch(() => undefined);
          return { status: 'published', result: found ? await result(g, token, found.id) : { externalId: cp.container, url: null, ids: [] } };
        }
        case 'FINISHED':
        case 'IN_PROGRESS': {
          // Meta's publish may still have been under way when the status was read: the account's own media
          // are asked too before the same container is published again.
          const found = await findMedium(g, token, settings.igUserId, captionOf(input), since);
          if (found) return { status: 'published', result: await result(g, token, found.id) };
          return { status: 'not-published', checkpoint: { items: cp.items, container: cp.container } };
        }
        case 'EXPIRED':
        case 'ERROR':
          return { status: 'not-published', checkpoint: { items: [] } };
        case 'GONE':
          // A day has passed; whether it went out before Meta forgot the container, only a person can tell.
          return { status: 'unknown', reason: `Meta no longer knows container ${cp.container}; check the account for this post` };
        case undefined:
          return { status: 'unknown', reason: `Meta gave no status for container ${cp.container}` };
        default:
          return { status: 'unknown', reason: `Meta gave container ${cp.container} the status ${String(status.status_code)}` };
      }
    },
    // A token refreshed a day ago or more is refreshed again by the periodic chore, so that an account that
    // posts rarely keeps its 60-day token.
    keepAlive: {
      renewWithinMs: 60 * DAY_MS - REFRESH_AFTER_MS,
      async renew(channel, timeoutMs) {
        try {
          await freshToken(channel, timeoutMs);
        } catch (err) {
          throw err instanceof PlatformError ? err : classifyGraphError(err, new Date());
        }
      },
    },
    engagement: {
      perCall: 1,
      async posts(targets, ctx) {
        const g = client(ctx.channel.settings, ctx.timeoutMs);
        const token = await tokenOf(ctx);
        return readEach(targets, async (t) => {
          const medium = await g.get<{ like_count?: unknown; comments_count?: unknown }>(t.externalId, token, { fields: 'like_count,comments_count' });
          // `views` replaced impressions (April 2025); Meta gives nothing for media with too few viewers.
          const insights = await insightsOrNone(g, t.externalId, token, ['views', 'shares']);
          return {
            views: insightValue(insights, 'views') ?? null,
            reactions: count(medium.like_count),
            comments: count(medium.comments_count),
            reposts: insightValue(insights, 'shares') ?? null,
          };
        }, async () => {
          await g.get(ctx.channel.settings.igUserId, token, { fields: 'id' });
        });
      },
      async audience(ctx) {
        try {
          const account = await client(ctx.channel.settings, ctx.timeoutMs).get<{ followers_count?: unknown }>(ctx.channel.settings.igUserId, await tokenOf(ctx), { fields: 'followers_count' });
          return count(account.followers_count);
        } catch (err) {
          throw err instanceof PlatformError ? err : classifyGraphError(err, new Date());
        }
      },
    },
    // Instagram's API cannot delete a post: the engine tells a person to remove it in the app.
    async test(channel: ChannelHandle<'instagram'>, timeoutMs): Promise<ConnectionReport> {
      try {
        const account = await inspectInstagram(cfg, channel.settings.igUserId, channel.credentials.current().token, timeoutMs);
        return { ok: true, accountName: `@${account.username}`, detail: { id: `Token dapat menerbitkan ke @${account.username}.`, en: `The token publishes to @${account.username}.` } };
      } catch (err) {
        const e = err instanceof PlatformError ? err : classifyGraphError(err, new Date());
        return { ok: false, detail: { id: e.message, en: e.message } };
      }
    },
  };

  /** A container must end FINISHED before it is used; ERROR and EXPIRED are made again on the next try. */
  async function ready(container: string, s: ContainerStatus, cp: InstagramCheckpoint, ctx: PublishContext<'instagram'>): Promise<void> {
    switch (s.status_code) {
      case 'FINISHED':
        return;
      case 'IN_PROGRESS':
        throw new PlatformError('transient', `Instagram is still processing the photos (container ${container})`);
      case 'EXPIRED':
      case 'GONE':
        cp.items = [];
        cp.container = undefined;
        await ctx.saveCheckpoint(cp);
        throw new PlatformError('transient', `Instagram's container ${container} expired before it was published; it is made again`);
      case 'ERROR':
        cp.items = [];
        cp.container = undefined;
        await ctx.saveCheckpoint(cp);
        throw new PlatformError('rejected', `Instagram could not process the photo: ${s.status ?? 'ERROR'}`);
      case 'PUBLISHED':
      case undefined:
        throw new PlatformError('unknown-outcome', `Instagram's container ${container} is ${s.status_code ?? 'without a status'}`);
    }
  }
}

/** Whether a pasted token is an Instagram Login token (graph.instagram.com) rather than a Facebook one. */
export function isInstagramLoginToken(token: string): boolean {
  return token.startsWith('IG');
}

/**
 * Reads the account a token publishes to and checks it is the one named: with a Page token (Facebook
 * Login) the account itself; with an Instagram Login token, `/me` must be that account.
 */
export async function inspectInstagram(cfg: InstagramConfig, igUserId: string, token: string, timeoutMs = cfg.timeoutMs): Promise<{ igUserId: string; username: string; login: 'facebook' | 'instagram' }> {
  const login = isInstagramLoginToken(token) ? 'instagram' : 'facebook';
  const g = graphClient({ baseUrl: hostOf(cfg, login), version: cfg.version, timeoutMs });
  let me: { id: string; user_id?: string; username?: string };
  try {
    me = login === 'instagram' ? await g.get('me', token, { fields: 'user_id,username' }) : await g.get(igUserId, token, { fields: 'id,username' });
  } catch (err) {
    throw classifyGraphError(err, new Date());
  }
  const id = login === 'instagram' ? (me.user_id ?? me.id) : me.id;
  if (id !== igUserId || !me.username) {
    throw new PlatformError('rejected', `this token does not publish to Instagram account ${igUserId}${me.username ? `: it is for @${me.username} (${id})` : ''}`);
  }
  return { igUserId: id, username: me.username, login };
}

/** Trades an Instagram Login token a day old or more for a fresh 60-day one. */
export async function refreshInstagramToken(cfg: InstagramConfig, token: string, timeoutMs: number): Promise<{ token: string; expiresAt: Date }> {
  const g = graphClient({ baseUrl: cfg.instagramGraphUrl, version: '', timeoutMs });
  let answer: { access_token?: string; expires_in?: number };
  try {
    answer = await g.get('refresh_access_token', token, { grant_type: 'ig_refresh_token', access_token: token });
  } catch (err) {
    throw classifyGraphError(err, new Date());
  }
  if (!answer.access_token) throw new PlatformError('transient', 'Instagram answered the token refresh without a token');
  return { token: answer.access_token, expiresAt: new Date(Date.now() + (answer.expires_in ?? 60 * 86_400) * 1000) };
}
