// Publishing to a Facebook Page as the Page: a text (its links previewed by Facebook), one photo with its
// caption, or several photos uploaded unpublished and then attached to one feed post. Photos go as bytes
// (multipart `source`), so Meta need not reach our server. Each upload is recorded before the post is made;
// a post whose answer was lost is looked for among the Page's own posts before anything is sent again.
import type { ChannelSettings } from '../../../../shared/channels/channel-schemas';
import { type ChannelHandle, type ConnectionReport, type PlatformAdapter, PlatformError, type PublishInput, type PublishResult, type Verification, idsToRetract } from '../../platform';
import { count, insightValue, insightsOrNone, readEach } from '../meta/engagement';
import { GraphError, type GraphOptions, classifyGraphError, graphClient } from '../meta/graph';

export interface FacebookConfig {
  graphUrl: string;
  version: string;
  timeoutMs: number;
  /** Meta's login dialog (www.facebook.com), for "Connect with Facebook". */
  dialogUrl: string;
  /** The Meta app Siaran is, when one is configured: "Connect with Facebook" needs it. */
  app: { id: string; secret: string } | undefined;
}

interface FacebookCheckpoint {
  /** Photos uploaded unpublished so far, in the post's order (nobody sees them until the post is made). */
  uploaded: string[];
  /**
   * The request that makes the post public is under way (`true`), or Meta refused it as a duplicate of a
   * post already on the Page (its words: a person decides). The engine drops this key when a supervisor
   * settles the target and retries it.
   */
  sending?: true | { duplicate: string } | undefined;
}

/** Page posts of a few hundred per day are far above what a Humas unit sends; stay well clear anyway. */
const PACING = { posts: 30, windowMs: 60 * 60_000 };
/** How far back the Page's posts are searched for one whose answer was lost (clocks differ). */
const LOOKBACK_MS = 10 * 60_000;

export function facebookLink(postId: string): string {
  // A Page post id is `<page id>_<post id>`; this address opens it for anyone who may see the Page.
  const [page, post] = postId.split('_');
  return `https://www.facebook.com/${page ?? postId}/posts/${post ?? postId}`;
}

/** A Page post's insights metric of unique viewers. */
const FACEBOOK_VIEWS = 'post_total_media_view_unique';

interface PostFigures {
  shares?: { count?: unknown };
  reactions?: { summary?: { total_count?: unknown } };
  comments?: { summary?: { total_count?: unknown } };
}

interface PagePost {
  id: string;
  message?: string;
  attachments?: { data?: Array<{ target?: { id?: string }; subattachments?: { data?: Array<{ target?: { id?: string } }> } }> };
}

export function facebookAdapter(cfg: FacebookConfig): PlatformAdapter<'facebook'> {
  const client = (timeoutMs: number) => graphClient({ baseUrl: cfg.graphUrl, version: cfg.version, timeoutMs } satisfies GraphOptions);
  /**
   * The post's public link as Meta gives it (`permalink_url`); the post is out whatever this read does, so
   * when it fails the link is made from the post id instead.
   */
  const result = async (postId: string, photoIds: string[], token: string, timeoutMs: number): Promise<PublishResult> => {
    let url = facebookLink(postId);
    try {
      const read = await client(timeoutMs).get<{ permalink_url?: string }>(postId, token, { fields: 'permalink_url' });
      if (read.permalink_url?.startsWith('https://')) url = read.permalink_url;
    } catch {
      // Kept: the link made from the id opens the same post.
    }
    return { externalId: postId, url, ids: [postId, ...photoIds] };
  };

  /**
   * The post of this attempt among the Page's own posts (visitors' posts are not there). Several photos are
   * recognised by the photo ids we uploaded; a text or a single photo by its non-empty text. Undefined
   * answers "not there"; a post we cannot tell apart throws, for a person to decide.
   */
  const findOnPage = async (settings: ChannelSettings<'facebook'>, token: string, input: PublishInput, cp: FacebookCheckpoint, since: Date, timeoutMs: number): Promise<PagePost | undefined> => {
    const answer = await client(timeoutMs).get<{ data?: PagePost[] }>(`${settings.pageId}/published_posts`, token, {
      fields: 'id,message,created_time,attachments{target{id},subattachments{target{id}}}',
      since: Math.floor((since.getTime() - LOOKBACK_MS) / 1000),
      limit: 50,
    });
    const posts = answer.data ?? [];
    if (cp.uploaded.length > 1) {
      const ids = (p: PagePost) => (p.attachments?.data ?? []).flatMap((a) => (a.subattachments?.data ?? []).map((sa) => sa.target?.id ?? ''));
      return posts.find((p) => cp.uploaded.every((id) => ids(p).includes(id)));
    }
    const text = input.post.text.trim();
    if (text === '') throw new PlatformError('unknown-outcome', 'a post without text cannot be recognised among the Page’s posts');
    return posts.find((p) => (p.message ?? '').trim() === text);
  };

  return {
    kind: 'facebook',
    timeoutMs: cfg.timeoutMs,
    photoInput: 'bytes',
    pacing: PACING,
    async publish(input, ctx) {
      const { settings } = ctx.channel;
      const token = ctx.channel.credentials.current().pageToken;
      const g = client(ctx.timeoutMs);
      const cp: FacebookCheckpoint = { uploaded: [], ...(ctx.checkpoint as FacebookCheckpoint | undefined) };
      if (cp.sending === true) throw new PlatformError('unknown-outcome', 'an earlier request for this post ended without an answer');
      if (cp.sending) throw new PlatformError('unknown-outcome', cp.sending.duplicate);
      const text = input.post.text.trim();
      const file = (i: number) => ({ field: 'source', data: input.photos[i]!.data!, filename: `foto-${String(i + 1)}.jpg`, type: input.photos[i]!.mime });
      const alt = (i: number) => input.photos[i]!.altText || undefined;

      // Several photos: each uploaded unpublished first. An upload that fails or whose answer is lost made
      // nothing public, so it is simply tried again.
      if (input.photos.length > 1) {
        for (let i = cp.uploaded.length; i < input.photos.length; i++) {
          let id: string;
          try {
            ({ id } = await g.upload<{ id: string }>(`${settings.pageId}/photos`, token, { published: false, alt_text_custom: alt(i) }, file(i)));
          } catch (err) {
            throw classifyGraphError(err, new Date(), 'harmless');
          }
          cp.uploaded.push(id);
          await ctx.saveCheckpoint(cp);
        }
      }

      cp.sending = true;
      await ctx.saveCheckpoint(cp);
      let postId: string;
      let photoIds: string[];
      try {
        if (input.photos.length === 1) {
          const done = await g.upload<{ id: string; post_id?: string }>(`${settings.pageId}/photos`, token, { caption: text || undefined, alt_text_custom: alt(0), published: true }, file(0));
          postId = done.post_id ?? `${settings.pageId}_${done.id}`;
          photoIds = [done.id];
        } else {
          const attached = Object.fromEntries(cp.uploaded.map((id, i) => [`attached_media[${String(i)}]`, JSON.stringify({ media_fbid: id })]));
          postId = (await g.post<{ id: string }>(`${settings.pageId}/feed`, token, { message: text || undefined, ...attached })).id;
          photoIds = cp.uploaded;
        }
      } catch (err) {
        const e = classifyGraphError(err, new Date(), 'publish');
        if (err instanceof GraphError && err.code === 506) {
          // The same post is on the Page already, perhaps typed there by hand: never taken for ours.
          cp.sending = { duplicate: e.message };
          await ctx.saveCheckpoint(cp);
        } else if (e.kind !== 'unknown-outcome') {
          // Meta answered that it did not make the post: it may be tried again from the uploads kept.
          cp.sending = undefined;
          await ctx.saveCheckpoint(cp);
        }
        throw e;
      }
      return result(postId, photoIds, token, ctx.timeoutMs);
    },
    async verify(input, ctx): Promise<Verification> {
      const cp: FacebookCheckpoint = { uploaded: [], ...(ctx.checkpoint as FacebookCheckpoint | undefined) };
      if (cp.sending === undefined) return { status: 'not-published', checkpoint: cp };
      if (cp.sending !== true) return { status: 'unknown', reason: cp.sending.duplicate };
      try {
        const found = await findOnPage(ctx.channel.settings, ctx.channel.credentials.current().pageToken, input, cp, ctx.claimedAt, ctx.timeoutMs);
        if (found) {
          const photoId = found.attachments?.data?.[0]?.target?.id;
          const token = ctx.channel.credentials.current().pageToken;
          return { status: 'published', result: await result(found.id, cp.uploaded.length > 1 ? cp.uploaded : photoId ? [photoId] : [], token, ctx.timeoutMs) };
        }
        return { status: 'not-published', checkpoint: { uploaded: cp.uploaded } };
      } catch (err) {
        return { status: 'unknown', reason: `the Page's posts could not be checked: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
    async retract(input, ctx) {
      const g = client(ctx.timeoutMs);
      const token = ctx.channel.credentials.current().pageToken;
      // The post, then its photos: a photo left behind would stay reachable by its own link.
      for (const id of idsToRetract(input)) {
        try {
          await g.delete(id, token);
        } catch (err) {
          // Already gone (deleted by hand, or with its post) is what was asked for.
          if (err instanceof GraphError && err.code === 100 && err.subcode === 33) continue;
          throw classifyGraphError(err, new Date(), 'harmless');
        }
      }
    },
    engagement: {
      perCall: 1,
      posts(targets, ctx) {
        const g = client(ctx.timeoutMs);
        const token = ctx.channel.credentials.current().pageToken;
        return readEach(targets, async (t) => {
          const post = await g.get<PostFigures>(t.externalId, token, { fields: 'shares,reactions.limit(0).summary(total_count),comments.limit(0).summary(total_count)' });
          // Meta replaced a post's impressions with media views (November 2025): unique viewers of the post.
          const insights = await insightsOrNone(g, t.externalId, token, [FACEBOOK_VIEWS]);
          return {
            views: insightValue(insights, FACEBOOK_VIEWS) ?? null,
            reactions: count(post.reactions?.summary?.total_count),
            comments: count(post.comments?.summary?.total_count),
            // Meta leaves `shares` out of a post nobody has shared.
            reposts: count(post.shares?.count) ?? 0,
          };
        }, async () => {
          await g.get(ctx.channel.settings.pageId, token, { fields: 'id' });
        });
      },
      async audience(ctx) {
        try {
          const page = await client(ctx.timeoutMs).get<{ followers_count?: unknown }>(ctx.channel.settings.pageId, ctx.channel.credentials.current().pageToken, { fields: 'followers_count' });
          return count(page.followers_count);
        } catch (err) {
          throw classifyGraphError(err, new Date());
        }
      },
    },
    async test(channel: ChannelHandle<'facebook'>, timeoutMs): Promise<ConnectionReport> {
      try {
        const page = await inspectPage(cfg, channel.settings.pageId, channel.credentials.current().pageToken, timeoutMs);
        return { ok: true, accountName: page.pageName, detail: { id: `Token dapat mengirim sebagai Halaman ${page.pageName}.`, en: `The token posts as the Page ${page.pageName}.` } };
      } catch (err) {
        const e = err instanceof PlatformError ? err : classifyGraphError(err, new Date());
        return { ok: false, detail: { id: e.message, en: e.message } };
      }
    },
  };
}

/**
 * Reads the Page a token posts as — for a Page token, `/me` is the Page — and checks it is the Page named:
 * a user's token, or another Page's, is refused here rather than failing at a post's minute.
 */
export async function inspectPage(cfg: FacebookConfig, pageId: string, pageToken: string, timeoutMs = cfg.timeoutMs): Promise<ChannelSettings<'facebook'>> {
  let me: { id: string; name: string };
  try {
    me = await graphClient({ baseUrl: cfg.graphUrl, version: cfg.version, timeoutMs }).get<{ id: string; name: string }>('me', pageToken, { fields: 'id,name' });
  } catch (err) {
    throw classifyGraphError(err, new Date());
  }
  if (me.id !== pageId) {
    throw new PlatformError('rejected', `this token is not the Page token of Page ${pageId}: it speaks for ${me.name} (${me.id}); use a Page access token of that Page`);
  }
  return { pageId: me.id, pageName: me.name };
}
