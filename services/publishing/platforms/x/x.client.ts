// The one module that talks to X, through twitter-api-v2. Its base URL is a setting (X_API_URL): the
// library's requests to api.x.com and upload.x.com go there on the same paths.
import { type ConnectionPool, connectionPool, neverSent } from '../../outbound';
import { ApiRequestError, ApiResponseError, ApiPartialResponseError, type ITwitterApiClientPlugin, TwitterApi, type TwitterRateLimit } from 'twitter-api-v2';

export const X_DEFAULT_API_URL = 'https://api.x.com';
const X_HOSTS = new Set(['api.x.com', 'upload.x.com']);

export interface XAppConfig {
  /** X_API_URL */
  apiUrl: string;
  /** X_AUTHORIZE_URL: the page where a person grants access (OAuth 2.0). */
  authorizeUrl: string;
  /** X_CONSUMER_KEY / X_CONSUMER_SECRET: the app's keys for OAuth 1.0a user tokens. */
  consumerKey: string | undefined;
  consumerSecret: string | undefined;
  /** X_CLIENT_ID / X_CLIENT_SECRET: the app's OAuth 2.0 client. */
  clientId: string | undefined;
  clientSecret: string | undefined;
  timeoutMs: number;
  /**
   * X_READ_METRICS: the app's X plan pays for reads, so the engagement job may read posts' public metrics and the
   * account's followers. Off by default: on pay-per-use every post read is billed.
   */
  readMetrics: boolean;
}

export type XUserAuth = { type: 'oauth1'; accessToken: string; accessSecret: string } | { type: 'oauth2'; accessToken: string };

/** A failed call, as plain data: no request, no headers that could carry a token. */
export type XFailure =
  | { kind: 'response'; status: number; title: string; detail: string; type: string; rateLimit: TwitterRateLimit | undefined }
  | { kind: 'network'; connected: boolean };

export class XCallError extends Error {
  constructor(readonly failure: XFailure) {
    super(failure.kind === 'response' ? `X answered HTTP ${failure.status}: ${failure.detail || failure.title}` : 'X could not be reached');
    this.name = 'XCallError';
  }
}

export interface XPost {
  id: string;
  text: string;
  inReplyTo: string | undefined;
}

export interface XClient {
  me(): Promise<{ id: string; username: string; name: string }>;
  uploadPhoto(data: Buffer, mime: string): Promise<string>;
  setAltText(mediaId: string, text: string): Promise<void>;
  post(p: { text: string; mediaIds?: string[] | undefined; replyTo?: string | undefined }): Promise<{ id: string }>;
  deletePost(id: string): Promise<void>;
  /** The account's own posts since `since`, newest first (at most 100). */
  postsSince(userId: string, since: Date): Promise<XPost[]>;
  /** Public metrics of up to 100 posts; ids X no longer has are listed as gone. */
  metrics(ids: string[]): Promise<{ found: Map<string, XMetrics>; gone: string[] }>;
  /** The account's followers. */
  followers(): Promise<number | undefined>;
}

/** X's `public_metrics` of a post. */
export interface XMetrics {
  impressions: number | undefined;
  likes: number | undefined;
  replies: number | undefined;
  reposts: number | undefined;
  quotes: number | undefined;
}

export interface XTokens {
  accessToken: string;
  refreshToken: string | undefined;
  expiresAt: Date;
  scope: string[];
}

/** A client per use: each call's connection is watched, so a failure tells whether it reached X. */
export function xClient(app: XAppConfig, auth: XUserAuth): XClient {
  const watch = watcher(app);
  const api =
    auth.type === 'oauth2'
      ? new TwitterApi(auth.accessToken, watch.settings)
      : new TwitterApi({ appKey: app.consumerKey ?? '', appSecret: app.consumerSecret ?? '', accessToken: auth.accessToken, accessSecret: auth.accessSecret }, watch.settings);
  const v2 = api.v2;
  return {
    me: () => watch.call(async () => {
      const r = await v2.me();
      return { id: r.data.id, username: r.data.username, name: r.data.name };
    }),
    uploadPhoto: (data, mime) => watch.call(() => v2.uploadMedia(data, { media_type: mime as 'image/jpeg', media_category: 'tweet_image' })),
    setAltText: (mediaId, text) => watch.call(async () => {
      await v2.createMediaMetadata(mediaId, { alt_text: { text } });
    }),
    post: (p) => watch.call(async () => {
      const r = await v2.tweet({
        text: p.text,
        ...(p.mediaIds && p.mediaIds.length > 0 ? { media: { media_ids: p.mediaIds as [string] } } : {}),
        ...(p.replyTo ? { reply: { in_reply_to_tweet_id: p.replyTo } } : {}),
      });
      return { id: r.data.id };
    }),
    deletePost: (id) => watch.call(async () => {
      await v2.deleteTweet(id);
    }),
    postsSince: (userId, since) => watch.call(async () => {
      const page = await v2.userTimeline(userId, { start_time: since.toISOString(), max_results: 100, 'tweet.fields': ['referenced_tweets', 'created_at'], exclude: ['retweets'] });
      return page.tweets.map((t) => ({ id: t.id, text: t.text, inReplyTo: t.referenced_tweets?.find((r) => r.type === 'replied_to')?.id }));
    }),
    metrics: (ids) => watch.call(async () => {
      const r = await v2.tweets(ids, { 'tweet.fields': ['public_metrics'] });
      const found = new Map<string, XMetrics>();
      // X leaves `data` out when none of the ids exists, whatever the library's type says.
      for (const t of (r.data as typeof r.data | undefined) ?? []) {
        const m = t.public_metrics;
        found.set(t.id, { impressions: m?.impression_count, likes: m?.like_count, replies: m?.reply_count, reposts: m?.retweet_count, quotes: m?.quote_count });
      }
      // A deleted post comes back as a "resource-not-found" error beside the others' data.
      const gone = (r.errors ?? []).filter((e) => /resource-not-found/.test(e.type) && typeof e.resource_id === 'string').map((e) => e.resource_id!);
      return { found, gone };
    }),
    followers: () => watch.call(async () => (await v2.me({ 'user.fields': ['public_metrics'] })).data.public_metrics?.followers_count),
  };
}

/** OAuth 2.0 with PKCE for the admin's "connect X": the link to send a person to, the code exchange, the refresh. */
export function xOAuth2(app: XAppConfig) {
  const watch = watcher(app);
  const client = () => new TwitterApi({ clientId: app.clientId ?? '', clientSecret: app.clientSecret ?? '' }, watch.settings);
  const tokens = (r: { accessToken: string; refreshToken?: string | undefined; expiresIn: number; scope: string[] }): XTokens => ({
    accessToken: r.accessToken,
    refreshToken: r.refreshToken,
    expiresAt: new Date(Date.now() + r.expiresIn * 1000),
    scope: r.scope,
  });
  return {
    authLink(redirectUri: string, scope: string[]): { url: string; state: string; codeVerifier: string } {
      const link = client().generateOAuth2AuthLink(redirectUri, { scope });
      // The library knows only X's own page; the query it built goes to the configured one.
      const url = new URL(app.authorizeUrl);
      url.search = new URL(link.url).search;
      return { url: url.toString(), state: link.state, codeVerifier: link.codeVerifier };
    },
    exchange: (code: string, codeVerifier: string, redirectUri: string) => watch.call(async () => tokens(await client().loginWithOAuth2({ code, codeVerifier, redirectUri }))),
    refresh: (refreshToken: string) => watch.call(async () => tokens(await client().refreshOAuth2Token(refreshToken))),
  };
}

function watcher(app: XAppConfig) {
  const rewrite = new URL(app.apiUrl).origin !== X_DEFAULT_API_URL;
  // Connections to X are kept alive across publishes; the pool tells whether a failed call ever connected.
  const pool = connectionPool(app.apiUrl);
  const plugin: ITwitterApiClientPlugin = {
    onBeforeRequestConfig(args) {
      if (rewrite) {
        const url = new URL(args.params.url);
        if (X_HOSTS.has(url.hostname)) args.params.url = `${app.apiUrl.replace(/\/+$/, '')}${url.pathname}${url.search}`;
      }
      args.params.timeout = app.timeoutMs;
    },
  };
  const settings = { plugins: [plugin], httpAgent: pool.agent };
  async function call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new XCallError(describe(err, pool));
    }
  }
  return { settings, call };
}

function describe(err: unknown, pool: ConnectionPool): XFailure {
  if (err instanceof ApiResponseError) {
    // An answer with no body parses to nothing.
    const data = (err.data as { title?: unknown; detail?: unknown; type?: unknown; errors?: Array<{ message?: unknown }> } | undefined) ?? {};
    const firstError = data.errors?.[0]?.message;
    return {
      kind: 'response',
      status: err.code,
      title: typeof data.title === 'string' ? data.title : '',
      detail: typeof data.detail === 'string' ? data.detail : typeof firstError === 'string' ? firstError : '',
      type: typeof data.type === 'string' ? data.type : '',
      rateLimit: err.rateLimit,
    };
  }
  if (err instanceof ApiPartialResponseError) return { kind: 'network', connected: true };
  if (err instanceof ApiRequestError) {
    return { kind: 'network', connected: pool.reached(err.request) && !neverSent(err.requestError) };
  }
  // Anything else (media processing failed, a malformed answer) happened after X was reached.
  return { kind: 'network', connected: true };
}
