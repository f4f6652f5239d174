// A local X API on 127.0.0.1 for the calls Siaran makes, speaking X's documented HTTP shapes: OAuth 2.0
// with PKCE (consent page, token exchange, single-use rotating refresh tokens), OAuth 1.0a signatures
// checked, the v2 chunked media upload, media metadata (alt text), posts and replies, the user's timeline,
// posts by id with their public metrics, the account's followers;
// rate-limit headers on every answer and X's problem+json error bodies. Faults are injected per route.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import parseTweet from 'twitter-text/dist/parseTweet';
import { type FakeAnswer, type FakeRequest, type FakeServer, type Handler, startFakeServer, text } from './fake-http';

/** X's token secrets are letters and digits (45 of them), never a leading '-' a command line would misread. */
function xSecret(): string {
  return randomBytes(34).toString('base64url').replace(/[-_]/g, 'x').slice(0, 45);
}

export interface FakeXUser {
  id: string;
  username: string;
  name: string;
  /** What `public_metrics.followers_count` answers. */
  followers?: number;
}

/** A post's `public_metrics`, as a test sets them. */
export interface FakeMetrics {
  impressions: number;
  likes: number;
  replies: number;
  retweets: number;
  quotes: number;
}

export interface FakePost {
  id: string;
  userId: string;
  text: string;
  mediaIds: string[];
  replyTo: string | undefined;
  createdAt: Date;
  /** How the request was authorised: the bearer token or the OAuth 1.0a token used. */
  authToken: string;
  metrics: FakeMetrics;
}

interface Media {
  id: string;
  userId: string;
  type: string;
  totalBytes: number;
  segments: Map<number, Buffer>;
  finalized: boolean;
  altText: string | undefined;
}

export interface FakeX extends FakeServer {
  app: { clientId: string; clientSecret: string; consumerKey: string; consumerSecret: string };
  user: FakeXUser;
  posts: FakePost[];
  /** Posts the account deleted. */
  deleted: FakePost[];
  media: Map<string, Media>;
  /** Every refresh-token exchange that reached the token endpoint. */
  refreshCalls: number;
  /** OAuth 1.0a user tokens X would have issued to this app for the user. */
  oauth1: { accessToken: string; accessSecret: string };
  /** Puts an OAuth 2.0 token pair straight into the fake (an account connected earlier). */
  issueOAuth2(opts?: { expiresInSeconds?: number; scope?: string[]; user?: FakeXUser }): { accessToken: string; refreshToken: string; expiresAt: Date };
  /** Revokes every token of every user, as password changes on X would. */
  revokeAll(): void;
  /** New OAuth 1.0a user tokens for a user (the first by default), after a revocation. */
  newOAuth1(of?: FakeXUser): { accessToken: string; accessSecret: string };
  /** Another account on X, with OAuth 1.0a tokens for this app. */
  addUser(u: { username: string; name?: string }): { user: FakeXUser; oauth1: { accessToken: string; accessSecret: string } };
  /** Who is signed in to X in the browser, and so approves on the consent page. Default: the first user. */
  consentAs: FakeXUser;
  /** How long the token endpoint takes (to make concurrent refreshes overlap). */
  tokenDelayMs: number;
  /** Posts each user may make per 15-minute window before 429. */
  postLimit: number;
}

const WINDOW_SECONDS = 15 * 60;

export async function startFakeX(opts: { user?: Partial<FakeXUser> } = {}): Promise<FakeX> {
  const app = {
    clientId: `client-${randomBytes(6).toString('hex')}`,
    clientSecret: randomBytes(24).toString('base64url'),
    consumerKey: randomBytes(12).toString('base64url'),
    consumerSecret: randomBytes(24).toString('base64url'),
  };
  const user: FakeXUser = { id: String(1_000_000_000 + Math.floor(Math.random() * 1e9)), username: 'humaspolrestubaba', name: 'Humas Polres Tubaba', ...opts.user };
  const oauth1 = { accessToken: `${user.id}-${randomBytes(15).toString('base64url').replace(/[-_]/g, 'a')}`, accessSecret: xSecret() };
  const oauth1Tokens = new Map([[oauth1.accessToken, { secret: oauth1.accessSecret, userId: user.id, revoked: false }]]);
  const users = new Map([[user.id, user]]);
  const newTokens = (of: FakeXUser) => {
    const t = { accessToken: `${of.id}-${randomBytes(15).toString('hex')}`, accessSecret: xSecret() };
    oauth1Tokens.set(t.accessToken, { secret: t.accessSecret, userId: of.id, revoked: false });
    return t;
  };
  const codes = new Map<string, { redirectUri: string; challenge: string; scope: string[]; userId: string }>();
  const access = new Map<string, { userId: string; expiresAt: number; scope: string[] }>();
  const refresh = new Map<string, { userId: string; used: boolean; scope: string[] }>();
  const nonces = new Set<string>();
  const media = new Map<string, Media>();
  const posts: FakePost[] = [];
  const deleted: FakePost[] = [];
  const windows = new Map<string, { start: number; used: number }>();
  let nextId = 1_860_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e9));
  const newId = () => String((nextId += 1n));

  const issue = (userId: string, scope: string[], expiresInSeconds = 7200) => {
    const accessToken = randomBytes(24).toString('base64url');
    const refreshToken = randomBytes(24).toString('base64url');
    const expiresAt = Date.now() + expiresInSeconds * 1000;
    access.set(accessToken, { userId, expiresAt, scope });
    if (scope.includes('offline.access')) refresh.set(refreshToken, { userId, used: false, scope });
    return { accessToken, refreshToken, expiresAt: new Date(expiresAt), expiresIn: expiresInSeconds };
  };

  const problem = (status: number, title: string, detail: string, type = 'about:blank'): FakeAnswer => ({ status, body: { title, detail, type, status } });
  const unauthorized = () => problem(401, 'Unauthorized', 'Unauthorized');

  /** Who is calling, by OAuth 2.0 bearer token or a checked OAuth 1.0a signature. */
  const authenticate = (req: FakeRequest, port: number): { userId: string; scope: string[] | 'all'; token: string } | undefined => {
    const header = text(req.headers.authorization);
    if (header.startsWith('Bearer ')) {
      const token = header.slice(7);
      const a = access.get(token);
      if (!a || a.expiresAt < Date.now()) return undefined;
      return { userId: a.userId, scope: a.scope, token };
    }
    if (header.startsWith('OAuth ')) {
      const params = new Map<string, string>();
      for (const m of header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)) params.set(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
      const token = params.get('oauth_token') ?? '';
      const t = oauth1Tokens.get(token);
      if (!t || t.revoked || params.get('oauth_consumer_key') !== app.consumerKey || params.get('oauth_signature_method') !== 'HMAC-SHA1') return undefined;
      const ts = Number(params.get('oauth_timestamp'));
      const nonce = params.get('oauth_nonce') ?? '';
      if (!Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > 300 || nonces.has(nonce)) return undefined;
      const signed: Array<[string, string]> = [...params.entries()].filter(([k]) => k !== 'oauth_signature' && k !== 'realm');
      for (const [k, v] of req.query) signed.push([k, v]);
      if ((req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) for (const [k, v] of Object.entries(req.body)) signed.push([k, text(v)]);
      const enc = (s: string) => encodeURIComponent(s).replace(/[!*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
      const paramString = signed
        .map(([k, v]) => [enc(k), enc(v)] as const)
        .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
        .map(([k, v]) => `${k}=${v}`)
        .join('&');
      const base = `${req.method.toUpperCase()}&${enc(`http://127.0.0.1:${port}${req.path}`)}&${enc(paramString)}`;
      const expected = createHmac('sha1', `${enc(app.consumerSecret)}&${enc(t.secret)}`).update(base).digest();
      const given = Buffer.from(params.get('oauth_signature') ?? '', 'base64');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      nonces.add(nonce);
      return { userId: t.userId, scope: 'all', token };
    }
    return undefined;
  };

  // Signatures cover the URL the client called, port included: known once the server listens.
  let port = 0;
  const userRoute = (scope: string | undefined, fn: (req: FakeRequest, who: { userId: string; token: string }) => FakeAnswer | Promise<FakeAnswer>): Handler => (req) => {
    const who = authenticate(req, port);
    if (!who) return unauthorized();
    if (scope && who.scope !== 'all' && !who.scope.includes(scope)) return problem(403, 'Forbidden', `Missing scope ${scope}`);
    return fn(req, who);
  };

  const fake = {} as FakeX;
  const routes = (req: FakeRequest): Handler | undefined => {
    const key = `${req.method} ${req.path}`;
    if (key === 'GET /favicon.ico') return () => ({ status: 204 });
    if (key === 'GET /i/oauth2/authorize') return consentPage;
    if (key === 'GET /i/oauth2/authorize/approve') return approve;
    if (key === 'POST /2/oauth2/token') return token;
    if (key === 'GET /2/users/me') {
      return userRoute('users.read', (r, who) => {
        const u = users.get(who.userId)!;
        const metrics = (r.query.get('user.fields') ?? '').split(',').includes('public_metrics');
        return { status: 200, body: { data: { id: u.id, name: u.name, username: u.username, ...(metrics ? { public_metrics: { followers_count: u.followers ?? 0, following_count: 12, tweet_count: posts.filter((p) => p.userId === u.id).length, listed_count: 0, like_count: 0 } } : {}) } } };
      });
    }
    if (key === 'GET /2/tweets') return userRoute('tweet.read', lookup);
    if (key === 'POST /2/media/upload/initialize') return userRoute('media.write', initialize);
    let m = /^POST \/2\/media\/upload\/(\d+)\/append$/.exec(key);
    if (m) return userRoute('media.write', (r, who) => append(r, who, m![1]!));
    m = /^POST \/2\/media\/upload\/(\d+)\/finalize$/.exec(key);
    if (m) return userRoute('media.write', (r, who) => finalize(who, m![1]!));
    if (key === 'GET /2/media/upload') return userRoute('media.write', (r) => ({ status: 200, body: { data: { id: r.query.get('media_id'), processing_info: { state: 'succeeded', progress_percent: 100 } } } }));
    if (key === 'POST /2/media/metadata') return userRoute('media.write', metadata);
    if (key === 'POST /2/tweets') return userRoute('tweet.write', createPost);
    m = /^DELETE \/2\/tweets\/(\d+)$/.exec(key);
    if (m) {
      const id = m[1]!;
      return userRoute('tweet.write', (_r, who) => {
        const at = posts.findIndex((p) => p.id === id);
        if (at < 0) return { status: 404, body: { errors: [{ value: id, detail: `Could not find tweet with id: [${id}].`, title: 'Not Found Error', resource_type: 'tweet', parameter: 'id', resource_id: id, type: 'https://api.twitter.com/2/problems/resource-not-found' }], title: 'Not Found Error', detail: `Could not find tweet with id: [${id}].`, type: 'https://api.twitter.com/2/problems/resource-not-found' } };
        if (posts[at]!.userId !== who.userId) return problem(403, 'Forbidden', 'You are not authorized to delete this Tweet.');
        deleted.push(posts[at]!);
        posts.splice(at, 1);
        return { status: 200, body: { data: { deleted: true } } };
      });
    }
    m = /^GET \/2\/users\/(\d+)\/tweets$/.exec(key);
    if (m) return userRoute('tweet.read', (r, who) => timeline(r, who, m[1]!));
    return undefined;
  };

  const consentPage: Handler = (req) => {
    const q = req.query;
    if (q.get('client_id') !== app.clientId || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 's256' || !q.get('code_challenge') || !q.get('state')) {
      return { status: 400, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<!doctype html><title>Error</title><p>Something went wrong. You weren’t able to give access to the App.</p>' };
    }
    const approveUrl = `/i/oauth2/authorize/approve?${q.toString()}`;
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: `<!doctype html><html><head><meta charset="utf-8"><title>Authorize app</title></head><body><h1>Siaran wants to access your X account</h1><p>@${fake.consentAs.username}</p><p>Scopes: ${q.get('scope') ?? ''}</p><a id="authorize" href="${approveUrl.replace(/&/g, '&amp;')}">Authorize app</a> <a id="cancel" href="${q.get('redirect_uri') ?? ''}?error=access_denied&amp;state=${encodeURIComponent(q.get('state') ?? '')}">Cancel</a></body></html>`,
    };
  };

  const approve: Handler = (req) => {
    const q = req.query;
    const code = randomBytes(18).toString('base64url');
    codes.set(code, { redirectUri: q.get('redirect_uri') ?? '', challenge: q.get('code_challenge') ?? '', scope: (q.get('scope') ?? '').split(' ').filter(Boolean), userId: fake.consentAs.id });
    const to = new URL(q.get('redirect_uri') ?? '');
    to.searchParams.set('state', q.get('state') ?? '');
    to.searchParams.set('code', code);
    return { status: 302, headers: { location: to.toString(), 'content-type': 'text/plain' }, body: '' };
  };

  const token: Handler = async (req) => {
    // A confidential client authenticates with HTTP Basic; the client id may also come in the body.
    const basic = text(req.headers.authorization);
    const [id, secret] = basic.startsWith('Basic ') ? Buffer.from(basic.slice(6), 'base64').toString('utf8').split(':').map(decodeURIComponent) : [];
    if (id !== app.clientId || secret !== app.clientSecret) return { status: 401, body: { error: 'unauthorized_client', error_description: 'Missing valid authorization header' } };
    const b = req.body;
    const invalid = { status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' } };
    if (fake.tokenDelayMs > 0) await new Promise((r) => setTimeout(r, fake.tokenDelayMs));
    if (b.grant_type === 'authorization_code') {
      const c = codes.get(String(b.code));
      codes.delete(String(b.code));
      if (!c || c.redirectUri !== b.redirect_uri) return invalid;
      const challenge = createHash('sha256').update(text(b.code_verifier)).digest('base64url');
      if (challenge !== c.challenge) return { status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the code verifier did not match the code challenge.' } };
      const t = issue(c.userId, c.scope);
      return { status: 200, body: { token_type: 'bearer', expires_in: t.expiresIn, access_token: t.accessToken, scope: c.scope.join(' '), ...(c.scope.includes('offline.access') ? { refresh_token: t.refreshToken } : {}) } };
    }
    if (b.grant_type === 'refresh_token') {
      fake.refreshCalls += 1;
      const r = refresh.get(String(b.refresh_token));
      // Each refresh token works once.
      if (!r || r.used) return invalid;
      r.used = true;
      const t = issue(r.userId, r.scope);
      return { status: 200, body: { token_type: 'bearer', expires_in: t.expiresIn, access_token: t.accessToken, scope: r.scope.join(' '), refresh_token: t.refreshToken } };
    }
    return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Grant type is not supported.' } };
  };

  const initialize = (req: FakeRequest, who: { userId: string }): FakeAnswer => {
    const type = text(req.body.media_type);
    const total = Number(req.body.total_bytes);
    if (!/^image\/(jpeg|png|webp|gif)$/.test(type) || !Number.isInteger(total) || total <= 0) {
      return { status: 400, body: { errors: [{ message: 'media_type and total_bytes are required' }], title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request' } };
    }
    if (total > 5 * 1024 * 1024) return problem(400, 'Invalid Request', 'File size exceeds 5242880 bytes.', 'https://api.twitter.com/2/problems/invalid-request');
    const id = newId();
    media.set(id, { id, userId: who.userId, type, totalBytes: total, segments: new Map(), finalized: false, altText: undefined });
    return { status: 200, body: { data: { id, media_key: `3_${id}`, expires_after_secs: 86400 } } };
  };
  const append = (req: FakeRequest, who: { userId: string }, id: string): FakeAnswer => {
    const m = media.get(id);
    const file = req.files.media;
    if (!m || m.userId !== who.userId) return problem(400, 'Invalid Request', 'Invalid media id.');
    if (!file || req.body.segment_index === undefined) return problem(400, 'Invalid Request', 'segment_index and media are required.');
    m.segments.set(Number(req.body.segment_index), file.data);
    return { status: 200, body: { data: { expires_at: Math.floor(Date.now() / 1000) + 86400 } } };
  };
  const finalize = (who: { userId: string }, id: string): FakeAnswer => {
    const m = media.get(id);
    if (!m || m.userId !== who.userId) return problem(400, 'Invalid Request', 'Invalid media id.');
    const size = [...m.segments.values()].reduce((n, b) => n + b.length, 0);
    if (size !== m.totalBytes) return problem(400, 'Invalid Request', `Segments do not add up to provided total file size (${size} of ${m.totalBytes}).`);
    m.finalized = true;
    return { status: 200, body: { data: { id, media_key: `3_${id}`, size, expires_after_secs: 86400 } } };
  };
  const metadata = (req: FakeRequest, who: { userId: string }): FakeAnswer => {
    const id = text(req.body.id);
    const m = media.get(id);
    const alt = (req.body.metadata as { alt_text?: { text?: unknown } } | undefined)?.alt_text?.text;
    if (!m || m.userId !== who.userId || typeof alt !== 'string') return problem(400, 'Invalid Request', 'Invalid media id or metadata.');
    if (alt.length > 1000) return problem(400, 'Invalid Request', 'Alt text must be at most 1000 characters.');
    m.altText = alt;
    return { status: 200, body: { data: { id, associated_metadata: { alt_text: { text: alt } } } } };
  };
  const createPost = (req: FakeRequest, who: { userId: string; token: string }): FakeAnswer => {
    const w = windows.get(who.userId) ?? { start: Date.now(), used: 0 };
    if (Date.now() - w.start > WINDOW_SECONDS * 1000) Object.assign(w, { start: Date.now(), used: 0 });
    windows.set(who.userId, w);
    if (w.used >= fake.postLimit) return problem(429, 'Too Many Requests', 'Too Many Requests');
    w.used += 1;
    const said = text(req.body.text);
    const mediaIds = ((req.body.media as { media_ids?: unknown } | undefined)?.media_ids as string[] | undefined) ?? [];
    const replyTo = (req.body.reply as { in_reply_to_tweet_id?: string } | undefined)?.in_reply_to_tweet_id;
    if (said.length === 0 && mediaIds.length === 0) return { status: 400, body: { errors: [{ message: 'text or media is required' }], title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request' } };
    if (mediaIds.length > 4 || mediaIds.some((id) => !media.get(id)?.finalized || media.get(id)!.userId !== who.userId)) {
      return { status: 400, body: { errors: [{ parameters: { 'media.media_ids': mediaIds }, message: 'Your media IDs are invalid.' }], title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request' } };
    }
    if (replyTo && !posts.some((p) => p.id === replyTo)) return problem(400, 'Invalid Request', 'The post you are replying to does not exist.', 'https://api.twitter.com/2/problems/invalid-request');
    if (parseTweet(said).weightedLength > 280) return problem(400, 'Invalid Request', 'Your Tweet text is too long.', 'https://api.twitter.com/2/problems/invalid-request');
    if (posts.some((p) => p.userId === who.userId && p.text === said && !replyTo && !p.replyTo)) {
      return problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.');
    }
    const post: FakePost = { id: newId(), userId: who.userId, text: said, mediaIds, replyTo, createdAt: new Date(), authToken: who.token, metrics: { impressions: 0, likes: 0, replies: 0, retweets: 0, quotes: 0 } };
    posts.push(post);
    return { status: 201, body: { data: { id: post.id, text: post.text, edit_history_tweet_ids: [post.id] } } };
  };
  /** Posts by id (at most 100), with `public_metrics` when asked; ids X does not have come back as errors. */
  const lookup = (req: FakeRequest): FakeAnswer => {
    const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
    if (ids.length === 0 || ids.length > 100 || ids.some((id) => !/^\d{1,19}$/.test(id))) {
      return { status: 400, body: { errors: [{ parameters: { ids }, message: 'The `ids` query parameter value must be 1 to 100 post ids' }], title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request' } };
    }
    const withMetrics = (req.query.get('tweet.fields') ?? '').split(',').includes('public_metrics');
    const data = ids.flatMap((id) => {
      const p = posts.find((x) => x.id === id);
      if (!p) return [];
      const m = p.metrics;
      return [{ id: p.id, text: p.text, edit_history_tweet_ids: [p.id], ...(withMetrics ? { public_metrics: { retweet_count: m.retweets, reply_count: m.replies, like_count: m.likes, quote_count: m.quotes, bookmark_count: 0, impression_count: m.impressions } } : {}) }];
    });
    const errors = ids
      .filter((id) => !posts.some((x) => x.id === id))
      .map((id) => ({ value: id, detail: `Could not find tweet with ids: [${id}].`, title: 'Not Found Error', resource_type: 'tweet', parameter: 'ids', resource_id: id, type: 'https://api.twitter.com/2/problems/resource-not-found' }));
    return { status: 200, body: { ...(data.length > 0 ? { data } : {}), ...(errors.length > 0 ? { errors } : {}) } };
  };
  const timeline = (req: FakeRequest, who: { userId: string }, userId: string): FakeAnswer => {
    if (userId !== who.userId) return problem(403, 'Forbidden', 'You can only read your own timeline here.');
    const since = req.query.get('start_time') ? Date.parse(req.query.get('start_time')!) : 0;
    const found = posts
      .filter((p) => p.userId === userId && p.createdAt.getTime() >= since)
      .reverse()
      .slice(0, Number(req.query.get('max_results') ?? 10));
    const data = found.map((p) => ({
      id: p.id,
      // X shows a post's photos as a trailing t.co link in its text.
      text: p.mediaIds.length > 0 ? `${p.text} https://t.co/${p.id.slice(-10)}` : p.text,
      edit_history_tweet_ids: [p.id],
      ...(p.replyTo ? { referenced_tweets: [{ type: 'replied_to', id: p.replyTo }] } : {}),
    }));
    return { status: 200, body: data.length > 0 ? { data, meta: { result_count: data.length, newest_id: data[0]!.id, oldest_id: data.at(-1)!.id } } : { meta: { result_count: 0 } } };
  };

  // Every answer of the API carries the window's rate-limit headers, as X's do.
  const decorate = (req: FakeRequest, answer: FakeAnswer): FakeAnswer => {
    if (!req.path.startsWith('/2/') || req.path === '/2/oauth2/token') return answer;
    const who = [...windows.values()][0] ?? { start: Date.now(), used: 0 };
    const reset = Math.floor(who.start / 1000) + WINDOW_SECONDS;
    return {
      ...answer,
      headers: {
        'x-rate-limit-limit': String(fake.postLimit),
        'x-rate-limit-remaining': String(Math.max(0, fake.postLimit - who.used)),
        'x-rate-limit-reset': String(reset),
        ...answer.headers,
      },
    };
  };

  const server = await startFakeServer(routes, decorate);
  port = server.port;
  Object.assign(fake, server, {
    app,
    user,
    posts,
    deleted,
    media,
    oauth1,
    refreshCalls: 0,
    tokenDelayMs: 0,
    postLimit: 100,
    consentAs: user,
    issueOAuth2: (o: { expiresInSeconds?: number; scope?: string[]; user?: FakeXUser } = {}) => {
      const t = issue((o.user ?? user).id, o.scope ?? ['tweet.read', 'tweet.write', 'users.read', 'media.write', 'offline.access'], o.expiresInSeconds);
      return { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt };
    },
    newOAuth1: (of: FakeXUser = user) => newTokens(of),
    addUser: (u: { username: string; name?: string }) => {
      const added: FakeXUser = { id: String(2_000_000_000 + Math.floor(Math.random() * 1e9)), username: u.username, name: u.name ?? u.username };
      users.set(added.id, added);
      return { user: added, oauth1: newTokens(added) };
    },
    revokeAll: () => {
      access.clear();
      refresh.clear();
      for (const t of oauth1Tokens.values()) t.revoked = true;
    },
  });
  // The latency lives on the server, which reads it per request.
  Object.defineProperty(fake, 'latencyMs', { get: () => server.latencyMs, set: (v: number) => (server.latencyMs = v) });
  return fake;
}

/** X's 429 with its reset in a few seconds, as the API sends it. */
export function xRateLimited(resetInSeconds: number): FakeAnswer {
  return {
    status: 429,
    headers: { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds) },
    body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
  };
}
