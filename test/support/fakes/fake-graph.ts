// A local Graph API on 127.0.0.1 for the calls Siaran makes to Facebook Pages: /{version}/{page-id}/feed,
// /{page-id}/photos (published or not, by `url` Meta downloads itself or by multipart `source`), a post's
// permalink, deleting a post; and to Instagram professional accounts: /{ig-user-id}/media (an image, carousel
// items, a carousel; image_url downloaded and checked as Meta does), container status (IN_PROGRESS, FINISHED,
// ERROR, EXPIRED, PUBLISHED), /media_publish, /content_publishing_limit and a medium's permalink. Tokens are checked (Authorization: Bearer, or access_token as Meta also
// accepts); answers and errors have Meta's shapes ({error:{message,type,code,error_subcode,fbtrace_id}})
// and usage headers (X-App-Usage, X-Business-Use-Case-Usage with estimated_time_to_regain_access).
// Facebook Login as a person meets it: the OAuth dialog (www.facebook.com/{version}/dialog/oauth), the code
// and long-lived token exchanges (/oauth/access_token), the Pages a person manages (/me/accounts) with their
// Page tokens and linked Instagram accounts. Instagram Login's side (graph.instagram.com, served by the same
// fake): /me for an Instagram token and /refresh_access_token, which refuses tokens younger than 24 h.
// What Meta counts: a post's reactions, comments and shares as summary fields, insights of Page posts and media
// (views, shares; an empty list for a Page without insights, error #10 for a medium with too few viewers), and
// accounts' followers_count.
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { FakeAnswer, FakeRequest, FakeServer, Handler } from './fake-http';
import { startFakeServer, text } from './fake-http';

export interface FakePage {
  id: string;
  name: string;
  /** The Page access token that posts as the Page. */
  token: string;
  /** Posts on the Page's feed, newest last. */
  posts: FakePagePost[];
  /** Photos uploaded to the Page, published or not. */
  photos: FakePhoto[];
  /** What `followers_count` answers. */
  followers: number;
  /**
   * Whether Meta gives this Page's posts insights (a Page with 100 likes or more); without, the insights edge
   * answers an empty list.
   */
  insights: boolean;
}

/** What Meta counts of a post or medium; a test sets them. */
export interface FakeFigures {
  views: number;
  reactions: number;
  comments: number;
  shares: number;
}

const noFigures = (): FakeFigures => ({ views: 0, reactions: 0, comments: 0, shares: 0 });

/** The names a `fields` parameter asks for, top level only: `reactions.limit(0).summary(total_count)` is `reactions`. */
function fieldNames(req: FakeRequest): Set<string> {
  const raw = req.query.get('fields') ?? '';
  const names: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of raw) {
    if (ch === '(' || ch === '{') depth++;
    if (ch === ')' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      names.push(current);
      current = '';
    } else current += ch;
  }
  names.push(current);
  return new Set(names.map((n) => n.trim().split(/[.{(]/)[0]!).filter(Boolean));
}

export interface FakePhoto {
  id: string;
  pageId: string;
  published: boolean;
  width: number;
  height: number;
  bytes: number;
  altText: string | undefined;
  /** How it came: downloaded by the fake from `url`, or sent as `source`. */
  via: 'url' | 'source';
}

export interface FakePagePost {
  id: string;
  pageId: string;
  message: string;
  link: string | undefined;
  /** Photo ids attached (several photos), or the single photo's id. */
  photoIds: string[];
  createdAt: number;
  deleted: boolean;
  figures: FakeFigures;
}

export type ContainerStatus = 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';

export interface FakeContainer {
  id: string;
  igUserId: string;
  kind: 'IMAGE' | 'CAROUSEL';
  carouselItem: boolean;
  caption: string;
  altText: string | undefined;
  children: string[];
  image: { width: number; height: number; bytes: number } | undefined;
  createdAt: number;
  /** FINISHED once this time has passed (Meta processes the media after creating the container). */
  readyAt: number;
  /** Set by the test (ERROR, EXPIRED) or by publishing (PUBLISHED). */
  forced: ContainerStatus | undefined;
  /** The subcode an ERROR container reports in `status`. */
  errorSubcode: number | undefined;
  mediaId: string | undefined;
}

export interface FakeIgUser {
  id: string;
  username: string;
  /** Its Instagram Login token (graph.instagram.com), and when that token was issued. */
  token: string;
  tokenIssuedAt: number;
  /** The Facebook Page it is linked to: that Page's token also publishes to it (Facebook Login). */
  pageId: string | undefined;
  /** Media published, newest last. */
  media: FakeMedium[];
  /** Posts allowed per 24 h (content_publishing_limit's quota_total). */
  quotaTotal: number;
  followers: number;
}

export interface FakeMedium {
  id: string;
  containerId: string;
  caption: string;
  children: string[];
  publishedAt: number;
  permalink: string;
  figures: FakeFigures;
  /** Meta's "(#10) Not enough viewers for the media to show insights". */
  tooFewViewers: boolean;
}

/** A person who signs in on the OAuth dialog and manages Pages. */
export interface FakeUser {
  id: string;
  name: string;
  pageIds: string[];
  /** Scopes the person grants on the dialog (all asked for, unless a test takes some away). */
  declined: string[];
}

export interface FakeGraph extends FakeServer {
  version: string;
  /** The Meta app Siaran is registered as. */
  app: { id: string; secret: string };
  /** The person the OAuth dialog signs in as. */
  user: FakeUser;
  addUser(o: { name: string; pageIds: string[] }): FakeUser;
  /** Tokens handed out to people: short-lived from a code, long-lived from an exchange. */
  userTokens: Map<string, { userId: string; long: boolean; scopes: string[] }>;
  addPage(o: { name: string }): FakePage;
  page: FakePage;
  /** Invalidates a Page token as a password change does (error 190, subcode 460); returns the Page's new token. */
  revokePageToken(pageId: string, subcode?: number): string;
  /** Usage headers on every answer; `regainMinutes` also throttles writes with error 32 until cleared. */
  setUsage(u: { callCount: number; regainMinutes?: number } | undefined): void;
  /** An Instagram professional account (linked to `page`). */
  ig: FakeIgUser;
  addIgUser(o: { username: string; pageId?: string }): FakeIgUser;
  containers: Map<string, FakeContainer>;
  /** How long new containers stay IN_PROGRESS. Default 0. */
  processingMs: number;
  /** The next container made ends in ERROR with this subcode instead of FINISHED. */
  failNextContainer(subcode?: number): void;
  /** Invalidates any token (error 190 with `subcode`) as a changed password does. */
  revokeToken(token: string, subcode?: number): void;
  /** A new Instagram Login token for the account, as signing in again gives; returns it. */
  newIgToken(igUserId: string): string;
  /** The Meta app's Instagram app (Business Login for Instagram). */
  instagramApp: { id: string; secret: string };
  /** The Instagram account Instagram's dialog signs in as (by default one with no Page). */
  igLoginAs: FakeIgUser;
  /** The next media_publish calls publish, then answer Meta's "server error" (-1) all the same. */
  serverErrorsAfterPublish: number;
  /** How many Instagram Login tokens were refreshed. */
  igRefreshes: number;
  /** A container not published within 24 h, as Meta marks it. */
  expire(containerId: string): void;
}

/** What Meta's servers get when they fetch a photo from our URL: its bytes, or nothing. */
async function fetchImage(url: string): Promise<Buffer | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return res.ok ? Buffer.from(await res.arrayBuffer()) : undefined;
  } catch {
    return undefined;
  }
}

let traceSeq = 0;
const trace = () => `A${randomBytes(8).toString('base64url')}${String(++traceSeq)}`;

/** Meta's error body. */
export function graphError(status: number, code: number, message: string, o: { subcode?: number; type?: string; userMsg?: string } = {}): FakeAnswer {
  return {
    status,
    body: {
      error: {
        message,
        type: o.type ?? (code === 190 ? 'OAuthException' : 'GraphMethodException'),
        code,
        ...(o.subcode !== undefined ? { error_subcode: o.subcode } : {}),
        ...(o.userMsg ? { error_user_title: 'Error', error_user_msg: o.userMsg } : {}),
        fbtrace_id: trace(),
      },
    },
  };
}

export async function startFakeGraph(version = 'v26.0'): Promise<FakeGraph> {
  const pages = new Map<string, FakePage>();
  const revoked = new Map<string, number>();
  let usage: { callCount: number; regainMinutes?: number } | undefined;
  let seq = 100_000_000;
  const nextId = () => String(++seq);
  const fake = {} as FakeGraph;

  const tokenOf = (req: FakeRequest): string => {
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Bearer ')) return auth.slice(7);
    if (auth.startsWith('OAuth ')) return auth.slice(6);
    return text(req.body.access_token) || req.query.get('access_token') || '';
  };
  /** The Page a token posts as, or Meta's error for a missing or dead token. */
  /** The request's token, or Meta's error for a missing or revoked one. */
  const tokenIn = (req: FakeRequest): string | FakeAnswer => {
    const token = tokenOf(req);
    if (!token) return graphError(400, 104, 'An access token is required to request this resource.', { type: 'OAuthException' });
    const sub = revoked.get(token);
    if (sub !== undefined) {
      return graphError(400, 190, 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.', { subcode: sub, type: 'OAuthException' });
    }
    return token;
  };
  /** The account (a Page, an Instagram user) a request acts on, when its token is that account's own. */
  const ownerFor = <T extends { token: string }>(req: FakeRequest, id: string, accounts: Map<string, T>): T | FakeAnswer => {
    const token = tokenIn(req);
    if (typeof token !== 'string') return token;
    const account = accounts.get(id);
    if (!account) return graphError(400, 100, `Unsupported request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, { subcode: 33 });
    if (account.token !== token) return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token', { type: 'OAuthException' });
    return account;
  };
  const pageFor = (req: FakeRequest, pageId: string): FakePage | FakeAnswer => ownerFor(req, pageId, pages);
  const throttled = (): FakeAnswer | undefined =>
    usage?.regainMinutes ? graphError(400, 32, 'Page request limit reached', { type: 'OAuthException' }) : undefined;

  /** Meta fetches `url` itself; a URL it cannot fetch or that is no image is refused as Meta does. */
  const download = async (url: string): Promise<{ width: number; height: number; bytes: number } | FakeAnswer> => {
    const data = await fetchImage(url);
    if (!data) return graphError(400, 324, 'Missing or invalid image file', { subcode: 2069019, type: 'OAuthException' });
    try {
      const meta = await sharp(data).metadata();
      return { width: meta.width, height: meta.height, bytes: data.length };
    } catch {
      return graphError(400, 324, 'Missing or invalid image file', { type: 'OAuthException' });
    }
  };

  const photos: Handler = async (req) => {
    const pageId = req.path.split('/')[2]!;
    const page = pageFor(req, pageId);
    if ('status' in page) return page;
    const limit = throttled();
    if (limit) return limit;
    const published = text(req.body.published) !== 'false';
    let image: { width: number; height: number; bytes: number } | FakeAnswer;
    let via: FakePhoto['via'];
    if (req.files.source) {
      via = 'source';
      try {
        const meta = await sharp(req.files.source.data).metadata();
        image = { width: meta.width, height: meta.height, bytes: req.files.source.data.length };
      } catch {
        image = graphError(400, 324, 'Missing or invalid image file', { type: 'OAuthException' });
      }
    } else if (text(req.body.url)) {
      via = 'url';
      image = await download(text(req.body.url));
    } else {
      return graphError(400, 324, 'Requires upload file', { type: 'OAuthException' });
    }
    if ('status' in image) return image;
    const photo: FakePhoto = { id: nextId(), pageId, published, ...image, altText: text(req.body.alt_text_custom) || undefined, via };
    page.photos.push(photo);
    if (!published) return { status: 200, body: { id: photo.id } };
    const post: FakePagePost = { id: `${pageId}_${nextId()}`, pageId, message: text(req.body.caption) || text(req.body.message), link: undefined, photoIds: [photo.id], createdAt: Date.now(), deleted: false, figures: noFigures() };
    page.posts.push(post);
    return { status: 200, body: { id: photo.id, post_id: post.id } };
  };

  const feed: Handler = (req) => {
    const pageId = req.path.split('/')[2]!;
    const page = pageFor(req, pageId);
    if ('status' in page) return page;
    const limit = throttled();
    if (limit) return limit;
    const message = text(req.body.message);
    const link = text(req.body.link) || undefined;
    // attached_media arrives as attached_media[0]={"media_fbid":"…"} fields, or as one JSON array.
    const attached: string[] = [];
    const raw = text(req.body.attached_media);
    const entries = raw ? (JSON.parse(raw) as unknown[]) : Object.keys(req.body).filter((k) => /^attached_media\[\d+\]$/.test(k)).sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0])).map((k) => JSON.parse(text(req.body[k])) as unknown);
    for (const e of entries) {
      const id = text((e as { media_fbid?: unknown }).media_fbid);
      const photo = page.photos.find((p) => p.id === id);
      if (!photo || photo.published) return graphError(400, 100, `(#100) param attached_media[${String(attached.length)}] has invalid media_fbid ${id}`);
      attached.push(id);
    }
    if (!message && !link && attached.length === 0) return graphError(400, 100, '(#100) Missing message or attachment');
    // Meta refuses the same text posted again on a Page within a short time.
    const recent = page.posts.filter((p) => !p.deleted && p.message === message && p.link === link && Date.now() - p.createdAt < 10 * 60_000 && message !== '');
    if (recent.length > 0 && attached.length === 0) return graphError(400, 506, 'Duplicate status message', { type: 'OAuthException', userMsg: 'This status update is identical to the last one you posted. Try posting something different, or delete your previous update.' });
    const post: FakePagePost = { id: `${pageId}_${nextId()}`, pageId, message, link, photoIds: attached, createdAt: Date.now(), deleted: false, figures: noFigures() };
    for (const id of attached) page.photos.find((p) => p.id === id)!.published = true;
    page.posts.push(post);
    return { status: 200, body: { id: post.id } };
  };

  /** The Page's posts, newest first (`since` in Unix seconds), as the feed edge answers. */
  const readFeed: Handler = (req) => {
    const pageId = req.path.split('/')[2]!;
    const page = pageFor(req, pageId);
    if ('status' in page) return page;
    const since = Number(req.query.get('since') ?? 0) * 1000;
    const limit = Number(req.query.get('limit') ?? 25);
    const data = page.posts
      .filter((p) => !p.deleted && p.createdAt >= since)
      .reverse()
      .slice(0, limit)
      .map((p) => ({ id: p.id, message: p.message || undefined, created_time: new Date(p.createdAt).toISOString().replace('Z', '+0000') }));
    return { status: 200, body: { data } };
  };

  /** The Page's own posts (`published_posts`), newest first, with their photos as attachments. */
  const publishedPosts: Handler = (req) => {
    const pageId = req.path.split('/')[2]!;
    const page = pageFor(req, pageId);
    if ('status' in page) return page;
    const since = Number(req.query.get('since') ?? 0) * 1000;
    const data = page.posts
      .filter((p) => !p.deleted && p.createdAt >= since)
      .reverse()
      .slice(0, Number(req.query.get('limit') ?? 25))
      .map((p) => ({
        id: p.id,
        ...(p.message ? { message: p.message } : {}),
        created_time: new Date(p.createdAt).toISOString().replace('Z', '+0000'),
        ...(p.photoIds.length === 1
          ? { attachments: { data: [{ type: 'photo', target: { id: p.photoIds[0] } }] } }
          : p.photoIds.length > 1
            ? { attachments: { data: [{ type: 'album', subattachments: { data: p.photoIds.map((id) => ({ type: 'photo', target: { id } })) } }] } }
            : {}),
      }));
    return { status: 200, body: { data } };
  };

  /** `/me` with a Page token is the Page. */
  const me: Handler = (req) => {
    const token = tokenIn(req);
    if (typeof token !== 'string') return token;
    const page = [...pages.values()].find((p) => p.token === token);
    if (page) return { status: 200, body: { id: page.id, name: page.name } };
    const person = userTokens.get(token);
    if (person) return { status: 200, body: { id: person.userId, name: users.get(person.userId)!.name } };
    const ig = [...igUsers.values()].find((u) => u.token === token);
    if (ig) return { status: 200, body: { id: ig.id, user_id: ig.id, username: ig.username } };
    return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token', { type: 'OAuthException' });
  };

  /** Deleting one photo of a Page. */
  const deletePhoto: Handler = (req) => {
    const id = req.path.split('/')[2]!;
    for (const page of pages.values()) {
      const photo = page.photos.find((ph) => ph.id === id);
      if (!photo) continue;
      const owner = pageFor(req, page.id);
      if ('status' in owner) return owner;
      page.photos = page.photos.filter((ph) => ph.id !== id);
      return { status: 200, body: { success: true } };
    }
    return graphError(400, 100, `Unsupported delete request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, { subcode: 33 });
  };

  const object: Handler = (req) => {
    const id = req.path.split('/')[2]!;
    const pageId = id.split('_')[0]!;
    const page = pageFor(req, pageId);
    if ('status' in page) return page;
    const post = page.posts.find((p) => p.id === id && !p.deleted);
    if (!post) return graphError(400, 100, `Unsupported ${req.method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, { subcode: 33 });
    if (req.method === 'DELETE') {
      post.deleted = true;
      return { status: 200, body: { success: true } };
    }
    // Meta's permalink is not always /{page}/posts/{id}: the adapter must read it, not rebuild it.
    const permalink = `https://www.facebook.com/permalink.php?story_fbid=${id.split('_')[1]!}&id=${pageId}`;
    const asked = fieldNames(req);
    const f = post.figures;
    return {
      status: 200,
      body: {
        id: post.id,
        message: post.message,
        created_time: new Date(post.createdAt).toISOString().replace('Z', '+0000'),
        permalink_url: permalink,
        // Edges come with a summary when asked for one; `shares` is absent while nobody has shared.
        ...(asked.has('reactions') ? { reactions: { data: [], summary: { total_count: f.reactions, viewer_reaction: 'NONE' } } } : {}),
        ...(asked.has('comments') ? { comments: { data: [], summary: { order: 'ranked', total_count: f.comments, can_comment: true } } } : {}),
        ...(asked.has('shares') && f.shares > 0 ? { shares: { count: f.shares } } : {}),
      },
    };
  };

  const pageInfo: Handler = (req) => {
    const pageId = req.path.split('/')[2]!;
    const page = pageFor(req, pageId);
    if ('status' in page) return page;
    return { status: 200, body: { id: page.id, name: page.name, ...(fieldNames(req).has('followers_count') ? { followers_count: page.followers } : {}) } };
  };

  /** Lifetime insights of a Page post or an Instagram medium, in Meta's shape. */
  const METRICS: Record<string, keyof FakeFigures> = { post_total_media_view_unique: 'views', views: 'views', shares: 'shares', likes: 'reactions', comments: 'comments' };
  const insights: Handler = (req) => {
    const id = req.path.split('/')[2]!;
    const asked = (req.query.get('metric') ?? '').split(',').filter(Boolean);
    if (asked.length === 0) return graphError(400, 100, '(#100) The parameter metric is required', { subcode: 1504028 });
    const unknown = asked.find((m) => !(m in METRICS));
    if (unknown) return graphError(400, 100, `(#100) The value must be a valid insights metric`, { subcode: 2108006 });
    const entry = (name: string, value: number) => ({ name, period: 'lifetime', values: [{ value }], title: name, description: name, id: `${id}/insights/${name}/lifetime` });
    if (id.includes('_')) {
      const page = pageFor(req, id.split('_')[0]!);
      if ('status' in page) return page;
      const post = page.posts.find((p) => p.id === id && !p.deleted);
      if (!post) return graphError(400, 100, `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, { subcode: 33 });
      if (!page.insights) return { status: 200, body: { data: [] } };
      return { status: 200, body: { data: asked.map((m) => entry(m, post.figures[METRICS[m]!])) } };
    }
    for (const u of igUsers.values()) {
      const m = u.media.find((x) => x.id === id);
      if (!m) continue;
      const user = igFor(req, u.id);
      if ('status' in user) return user;
      if (m.tooFewViewers) return graphError(400, 10, '(#10) Not enough viewers for the media to show insights', { type: 'OAuthException' });
      return { status: 200, body: { data: asked.map((name) => entry(name, m.figures[METRICS[name]!])) } };
    }
    return graphError(400, 100, `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, { subcode: 33 });
  };

  const igUsers = new Map<string, FakeIgUser>();
  const containers = new Map<string, FakeContainer>();
  let failNext: number | undefined;
  const statusOf = (c: FakeContainer): ContainerStatus => c.forced ?? (Date.now() >= c.readyAt ? 'FINISHED' : 'IN_PROGRESS');
  /** An Instagram account answers its own (Instagram Login) token, or the token of the Page it is linked to. */
  const igFor = (req: FakeRequest, igUserId: string): FakeIgUser | FakeAnswer => {
    const user = igUsers.get(igUserId);
    const pageToken = user?.pageId ? pages.get(user.pageId)?.token : undefined;
    if (user && pageToken && tokenOf(req) === pageToken) {
      const token = tokenIn(req);
      return typeof token === 'string' ? user : token;
    }
    return ownerFor(req, igUserId, igUsers);
  };
  const publishedToday = (u: FakeIgUser) => u.media.filter((m) => Date.now() - m.publishedAt < 86_400_000).length;

  /** Meta downloads image_url itself: JPEG only, at most 8 MiB, aspect ratio from 4:5 to 1.91:1. */
  const igImage = async (url: string): Promise<{ width: number; height: number; bytes: number } | FakeAnswer> => {
    const data = await fetchImage(url);
    if (!data) return graphError(400, 9004, 'Only photo or video can be accepted as media type.', { subcode: 2207052, type: 'OAuthException', userMsg: 'The media could not be fetched from this URI: ' + url });
    if (data.length > 8 * 1024 * 1024) return graphError(400, 36000, 'The image size is too large.', { subcode: 2207004, userMsg: 'The image is too large to download. It should be less than 8 MiB.' });
    let meta;
    try {
      meta = await sharp(data).metadata();
    } catch {
      return graphError(400, 9004, 'Only photo or video can be accepted as media type.', { subcode: 2207052, type: 'OAuthException' });
    }
    if (meta.format !== 'jpeg') return graphError(400, 9004, 'Only photo or video can be accepted as media type.', { subcode: 2207052, type: 'OAuthException', userMsg: 'The image format is not supported: use JPEG.' });
    const ratio = meta.width / meta.height;
    if (ratio < 0.8 - 0.005 || ratio > 1.91 + 0.005) return graphError(400, 36003, 'The aspect ratio is not supported.', { subcode: 2207009, userMsg: 'The submitted image with aspect ratio ' + ratio.toFixed(3) + ' cannot be published. Please submit an image with a valid aspect ratio.' });
    return { width: meta.width, height: meta.height, bytes: data.length };
  };

  const media: Handler = async (req) => {
    const igUserId = req.path.split('/')[2]!;
    const user = igFor(req, igUserId);
    if ('status' in user) return user;
    const limit = throttled();
    if (limit) return limit;
    const kind = text(req.body.media_type) === 'CAROUSEL' ? 'CAROUSEL' : 'IMAGE';
    let image: FakeContainer['image'];
    let children: string[] = [];
    if (kind === 'CAROUSEL') {
      children = text(req.body.children).split(',').map((c) => c.trim()).filter(Boolean);
      if (children.length < 2 || children.length > 10) return graphError(400, 100, 'The carousel must have between 2 and 10 children.', { subcode: 2207021 });
      for (const id of children) {
        const child = containers.get(id);
        if (!child || child.igUserId !== igUserId || !child.carouselItem || statusOf(child) !== 'FINISHED') return graphError(400, 100, `Invalid parameter: child ${id} is not a finished carousel item of this account.`, { subcode: 2207008 });
      }
    } else {
      const url = text(req.body.image_url);
      if (!url) return graphError(400, 100, 'The parameter image_url is required.', { subcode: 2207018 });
      const got = await igImage(url);
      if ('status' in got) return got;
      image = got;
    }
    const caption = text(req.body.caption);
    if (caption.length > 2200) return graphError(400, 100, 'The caption is too long.', { subcode: 2207010 });
    const c: FakeContainer = {
      id: nextId(),
      igUserId,
      kind,
      carouselItem: text(req.body.is_carousel_item) === 'true',
      caption,
      altText: text(req.body.alt_text) || undefined,
      children,
      image,
      createdAt: Date.now(),
      readyAt: Date.now() + fake.processingMs,
      forced: failNext !== undefined ? 'ERROR' : undefined,
      errorSubcode: failNext,
      mediaId: undefined,
    };
    failNext = undefined;
    containers.set(c.id, c);
    return { status: 200, body: { id: c.id } };
  };

  const mediaPublish: Handler = (req) => {
    const igUserId = req.path.split('/')[2]!;
    const user = igFor(req, igUserId);
    if ('status' in user) return user;
    const limit = throttled();
    if (limit) return limit;
    const c = containers.get(text(req.body.creation_id));
    if (!c || c.igUserId !== igUserId) return graphError(400, 24, 'Media builder not found', { subcode: 2207008 });
    const status = statusOf(c);
    if (status === 'EXPIRED') return graphError(400, -2, 'The media you are trying to access has expired. Please try to upload again.', { subcode: 2207020 });
    if (status === 'ERROR') return graphError(400, -1, 'Create media fail, please try to re-create media', { subcode: 2207032 });
    if (status === 'IN_PROGRESS') return graphError(400, 9007, 'Media ID is not available', { subcode: 2207027, userMsg: 'The media is not ready for publishing, please wait for a moment' });
    // The fake's choice where Meta documents nothing: a container goes out once; asking again is refused.
    if (status === 'PUBLISHED') return graphError(400, 9007, 'Media ID is not available', { subcode: 2207027 });
    if (publishedToday(user) >= user.quotaTotal) return graphError(400, 9, 'Application request limit reached', { subcode: 2207042, userMsg: 'You reached maximum number of posts that is allowed to be published by Content Publishing API.' });
    const id = nextId();
    const shortcode = randomBytes(8).toString('base64url').slice(0, 11);
    c.forced = 'PUBLISHED';
    c.mediaId = id;
    user.media.push({ id, containerId: c.id, caption: c.caption, children: c.children, publishedAt: Date.now(), permalink: `https://www.instagram.com/p/${shortcode}/`, figures: noFigures(), tooFewViewers: false });
    if (fake.serverErrorsAfterPublish > 0) {
      // Meta has answered "server error" to a publish it had carried out.
      fake.serverErrorsAfterPublish -= 1;
      return graphError(500, -1, 'Instagram server error. Try again.', { subcode: 2207001, type: 'IGApiException' });
    }
    return { status: 200, body: { id } };
  };

  const publishingLimit: Handler = (req) => {
    const igUserId = req.path.split('/')[2]!;
    const user = igFor(req, igUserId);
    if ('status' in user) return user;
    return { status: 200, body: { data: [{ quota_usage: publishedToday(user), config: { quota_total: user.quotaTotal, quota_duration: 86400 } }] } };
  };

  /** A container's status, a published medium's permalink, or the IG user itself. */
  const igObject: Handler = (req) => {
    const id = req.path.split('/')[2]!;
    const c = containers.get(id);
    if (c) {
      const user = igFor(req, c.igUserId);
      if ('status' in user) return user;
      const status = statusOf(c);
      return { status: 200, body: { id: c.id, status_code: status, status: status === 'ERROR' ? `Error: Media upload has failed with error code ${String(c.errorSubcode ?? 2207001)}` : status === 'FINISHED' ? 'Finished: Media has been uploaded and it is ready to be published.' : status } };
    }
    for (const u of igUsers.values()) {
      const m = u.media.find((x) => x.id === id);
      if (m) {
        const user = igFor(req, u.id);
        if ('status' in user) return user;
        const asked = fieldNames(req);
        return {
          status: 200,
          body: {
            id: m.id,
            permalink: m.permalink,
            caption: m.caption,
            timestamp: new Date(m.publishedAt).toISOString().replace('Z', '+0000'),
            ...(asked.has('like_count') ? { like_count: m.figures.reactions } : {}),
            ...(asked.has('comments_count') ? { comments_count: m.figures.comments } : {}),
          },
        };
      }
    }
    const user = igUsers.get(id);
    if (user) {
      const checked = igFor(req, id);
      if ('status' in checked) return checked;
      return { status: 200, body: { id: user.id, username: user.username, ...(fieldNames(req).has('followers_count') ? { followers_count: user.followers } : {}) } };
    }
    return pageInfo(req);
  };

  /** The account's media, newest first (`GET /{ig-user-id}/media`). */
  const listMedia: Handler = (req) => {
    const igUserId = req.path.split('/')[2]!;
    const user = igFor(req, igUserId);
    if ('status' in user) return user;
    const data = [...user.media]
      .reverse()
      .slice(0, Number(req.query.get('limit') ?? 25))
      .map((m) => ({ id: m.id, caption: m.caption, permalink: m.permalink, timestamp: new Date(m.publishedAt).toISOString().replace(/\.\d{3}Z$/, '+0000') }));
    return { status: 200, body: { data } };
  };

  // —— Facebook Login
  const users = new Map<string, FakeUser>();
  const userTokens = new Map<string, { userId: string; long: boolean; scopes: string[] }>();
  const codes = new Map<string, { userId: string; redirectUri: string; scopes: string[] }>();
  const html = (status: number, body: string): FakeAnswer => ({ status, headers: { 'content-type': 'text/html; charset=utf-8' }, body });
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

  /** Meta's login dialog: the person sees who asks for what, and continues or cancels. */
  const dialog: Handler = (req) => {
    const q = req.query;
    const redirect = q.get('redirect_uri') ?? '';
    if (q.get('client_id') !== fake.app.id || !redirect || !q.get('state')) return html(400, '<!doctype html><title>Error</title><p>Invalid App ID or redirect_uri.</p>');
    const scopes = (q.get('scope') ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    const granted = scopes.filter((x) => !fake.user.declined.includes(x));
    const code = randomBytes(24).toString('base64url');
    codes.set(code, { userId: fake.user.id, redirectUri: redirect, scopes: granted });
    const back = (params: Record<string, string>) => `${redirect}${redirect.includes('?') ? '&' : '?'}${new URLSearchParams({ ...params, state: q.get('state') ?? '' }).toString()}`;
    return html(
      200,
      `<!doctype html><html><head><meta charset="utf-8"><title>Log in with Facebook</title></head><body><h1>Siaran is requesting access to your Pages</h1><p>${esc(fake.user.name)}</p><p>${esc(scopes.join(', '))}</p>` +
        `<a id="continue" href="${esc(back({ code }))}">Continue as ${esc(fake.user.name)}</a> <a id="cancel" href="${esc(back({ error: 'access_denied', error_reason: 'user_denied', error_description: 'Permissions error' }))}">Cancel</a></body></html>`,
    );
  };

  /** `/oauth/access_token`: a code for a short-lived token, or a short-lived token for a long-lived one. */
  const accessToken: Handler = (req) => {
    // Meta takes the parameters in the query (its examples) or as a form (POST); Siaran posts them.
    const q = new URLSearchParams(req.query);
    for (const [k, v] of Object.entries(req.body)) if (typeof v === 'string') q.set(k, v);
    if (q.get('client_id') !== fake.app.id || q.get('client_secret') !== fake.app.secret) return graphError(400, 1, 'Error validating client secret.', { type: 'OAuthException' });
    if (q.get('grant_type') === 'fb_exchange_token') {
      const short = userTokens.get(q.get('fb_exchange_token') ?? '');
      if (!short) return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token', { type: 'OAuthException' });
      const token = `EAAL${randomBytes(30).toString('base64url').replace(/[-_]/g, 'L')}`;
      userTokens.set(token, { ...short, long: true });
      return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: 5_183_944 } };
    }
    const code = codes.get(q.get('code') ?? '');
    codes.delete(q.get('code') ?? '');
    if (!code) return graphError(400, 100, 'This authorization code has been used.', { subcode: 36009, type: 'OAuthException' });
    if (code.redirectUri !== q.get('redirect_uri')) return graphError(400, 100, 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request', { subcode: 36008, type: 'OAuthException' });
    const token = `EAAS${randomBytes(30).toString('base64url').replace(/[-_]/g, 'S')}`;
    userTokens.set(token, { userId: code.userId, long: false, scopes: code.scopes });
    return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: 5400 } };
  };

  /** The Pages a person manages, each with its Page token and linked Instagram account. */
  const accounts: Handler = (req) => {
    const token = tokenIn(req);
    if (typeof token !== 'string') return token;
    const who = userTokens.get(token);
    if (!who) return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token', { type: 'OAuthException' });
    if (!who.scopes.includes('pages_show_list')) return graphError(403, 200, '(#200) Requires pages_show_list permission to manage the object', { type: 'OAuthException' });
    const data = users.get(who.userId)!.pageIds.map((id) => {
      const page = pages.get(id)!;
      const ig = [...igUsers.values()].find((u) => u.pageId === id);
      return { id: page.id, name: page.name, category: 'Government organization', access_token: page.token, tasks: ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE'], ...(ig && who.scopes.includes('instagram_basic') ? { instagram_business_account: { id: ig.id, username: ig.username } } : {}) };
    });
    return { status: 200, body: { data, paging: { cursors: { before: 'QVFIU', after: 'QVFIU' } } } };
  };

  // —— Business Login for Instagram (www.instagram.com, api.instagram.com, graph.instagram.com)
  const igCodes = new Map<string, { igUserId: string; redirectUri: string }>();
  const shortIgTokens = new Map<string, string>();

  /** Instagram's own dialog: the account signed in grants the app its scopes. */
  const igDialog: Handler = (req) => {
    const q = req.query;
    const redirect = q.get('redirect_uri') ?? '';
    if (q.get('client_id') !== fake.instagramApp.id || q.get('response_type') !== 'code' || !redirect) return html(400, '<!doctype html><title>Error</title><p>Invalid request: Request parameters are invalid: Invalid platform app</p>');
    const code = randomBytes(24).toString('base64url');
    igCodes.set(code, { igUserId: fake.igLoginAs.id, redirectUri: redirect });
    const back = (params: Record<string, string>) => `${redirect}?${new URLSearchParams({ ...params, state: q.get('state') ?? '' }).toString()}`;
    return html(
      200,
      `<!doctype html><html><head><meta charset="utf-8"><title>Instagram</title></head><body><h1>Allow Siaran to access @${esc(fake.igLoginAs.username)}?</h1><p>${esc(q.get('scope') ?? '')}</p>` +
        // Instagram appends #_ to the code it sends back.
        `<a id="allow" href="${esc(back({ code }))}#_">Allow</a> <a id="cancel" href="${esc(back({ error: 'access_denied', error_reason: 'user_denied' }))}">Cancel</a></body></html>`,
    );
  };

  /** `POST api.instagram.com/oauth/access_token`: the code (once, for its redirect URI) for a one-hour token. */
  const igCodeExchange: Handler = (req) => {
    const b = (k: string) => text(req.body[k]);
    if (b('client_id') !== fake.instagramApp.id || b('client_secret') !== fake.instagramApp.secret) return { status: 400, body: { error_type: 'OAuthException', code: 400, error_message: 'Invalid client_secret' } };
    const code = igCodes.get(b('code'));
    igCodes.delete(b('code'));
    if (!code || b('grant_type') !== 'authorization_code' || b('redirect_uri') !== code.redirectUri) return { status: 400, body: { error_type: 'OAuthException', code: 400, error_message: 'Invalid authorization code' } };
    const token = `IGAAshort${randomBytes(24).toString('base64url').replace(/[-_]/g, 'S')}`;
    shortIgTokens.set(token, code.igUserId);
    return { status: 200, body: { data: [{ access_token: token, user_id: code.igUserId, permissions: 'instagram_business_basic,instagram_business_content_publish' }] } };
  };

  /** `GET graph.instagram.com/access_token?grant_type=ig_exchange_token`: a one-hour token for a 60-day one. */
  const igLongToken: Handler = (req) => {
    const q = req.query;
    if (q.get('grant_type') !== 'ig_exchange_token' || q.get('client_secret') !== fake.instagramApp.secret) return graphError(400, 100, 'Invalid client_secret or grant_type', { type: 'IGApiException' });
    const igUserId = shortIgTokens.get(q.get('access_token') ?? '');
    if (!igUserId) return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token', { type: 'OAuthException' });
    shortIgTokens.delete(q.get('access_token') ?? '');
    const user = igUsers.get(igUserId)!;
    user.token = `IGAA${randomBytes(30).toString('base64url').replace(/[-_]/g, 'L')}`;
    user.tokenIssuedAt = Date.now();
    return { status: 200, body: { access_token: user.token, token_type: 'bearer', expires_in: 5_184_000 } };
  };

  /** Instagram Login: a token a day old or more is traded for a fresh 60-day one. */
  const refreshIgToken: Handler = (req) => {
    if (req.query.get('grant_type') !== 'ig_refresh_token') return graphError(400, 100, 'Unsupported grant_type', { type: 'IGApiException' });
    const token = tokenIn(req);
    if (typeof token !== 'string') return token;
    const user = [...igUsers.values()].find((u) => u.token === token);
    if (!user) return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token', { type: 'OAuthException' });
    // The fake's own error where Meta documents only the rule: a token younger than 24 h is not refreshed.
    if (Date.now() - user.tokenIssuedAt < 86_400_000) return graphError(400, 10, 'Application does not have permission for this action: the token must be at least 24 hours old to be refreshed', { type: 'IGApiException' });
    user.token = `IGAA${randomBytes(30).toString('base64url').replace(/[-_]/g, 'A')}`;
    user.tokenIssuedAt = Date.now();
    fake.igRefreshes += 1;
    return { status: 200, body: { access_token: user.token, token_type: 'bearer', expires_in: 5_184_000 } };
  };

  const v = `/${version}`;
  const server = await startFakeServer(
    (req) => {
      if (req.path === '/refresh_access_token' && req.method === 'GET') return refreshIgToken;
      if (req.path === '/oauth/authorize' && req.method === 'GET') return igDialog;
      if (req.path === '/oauth/access_token' && req.method === 'POST') return igCodeExchange;
      if (req.path === '/access_token' && req.method === 'GET') return igLongToken;
      // A browser on the dialog asks for the site's icon.
      if (req.path === '/favicon.ico') return () => ({ status: 204 });
      if (req.path === `${v}/dialog/oauth` && req.method === 'GET') return dialog;
      if (req.path === `${v}/oauth/access_token` && (req.method === 'GET' || req.method === 'POST')) return accessToken;
      if (req.path === `${v}/me/accounts` && req.method === 'GET') return accounts;
      if (!req.path.startsWith(`${v}/`)) return () => graphError(400, 2500, 'Unknown path components: ' + req.path, { type: 'OAuthException' });
      const parts = req.path.slice(v.length + 1).split('/');
      if (parts.length === 2 && parts[1] === 'feed' && req.method === 'POST') return feed;
      if (parts.length === 2 && parts[1] === 'feed' && req.method === 'GET') return readFeed;
      if (parts.length === 2 && parts[1] === 'published_posts' && req.method === 'GET') return publishedPosts;
      if (parts.length === 1 && parts[0] === 'me' && req.method === 'GET') return me;
      if (parts.length === 1 && !parts[0]!.includes('_') && req.method === 'DELETE') return deletePhoto;
      if (parts.length === 2 && parts[1] === 'photos' && req.method === 'POST') return photos;
      if (parts.length === 2 && parts[1] === 'media' && req.method === 'POST') return media;
      if (parts.length === 2 && parts[1] === 'media_publish' && req.method === 'POST') return mediaPublish;
      if (parts.length === 2 && parts[1] === 'media' && req.method === 'GET') return listMedia;
      if (parts.length === 2 && parts[1] === 'content_publishing_limit' && req.method === 'GET') return publishingLimit;
      if (parts.length === 2 && parts[1] === 'insights' && req.method === 'GET') return insights;
      if (parts.length === 1 && parts[0]!.includes('_') && (req.method === 'GET' || req.method === 'DELETE')) return object;
      if (parts.length === 1 && req.method === 'GET') return igObject;
      return undefined;
    },
    (_req, answer) => {
      if (!usage) return answer;
      const headers: Record<string, string> = {
        'x-app-usage': JSON.stringify({ call_count: usage.callCount, total_cputime: Math.round(usage.callCount / 2), total_time: Math.round(usage.callCount / 2) }),
        'x-business-use-case-usage': JSON.stringify({
          [fake.page.id]: [{ type: 'pages', call_count: usage.callCount, total_cputime: 1, total_time: 1, estimated_time_to_regain_access: usage.regainMinutes ?? 0 }],
        }),
      };
      return { ...answer, headers: { ...answer.headers, ...headers } };
    },
  );

  const addPage = (o: { name: string }): FakePage => {
    const page: FakePage = { id: nextId(), name: o.name, token: `EAAG${randomBytes(30).toString('base64url').replace(/[-_]/g, 'Z')}`, posts: [], photos: [], followers: 0, insights: true };
    pages.set(page.id, page);
    return page;
  };
  const addIgUser = (o: { username: string; pageId?: string }): FakeIgUser => {
    const u: FakeIgUser = { id: `1784${nextId()}`, username: o.username, token: `IGAA${randomBytes(30).toString('base64url').replace(/[-_]/g, 'Q')}`, tokenIssuedAt: Date.now(), pageId: o.pageId, media: [], quotaTotal: 50, followers: 0 };
    igUsers.set(u.id, u);
    return u;
  };
  const addUser = (o: { name: string; pageIds: string[] }): FakeUser => {
    const u: FakeUser = { id: nextId(), name: o.name, pageIds: o.pageIds, declined: [] };
    users.set(u.id, u);
    return u;
  };
  Object.assign(fake, server, {
    version,
    app: { id: '1234567890123', secret: randomBytes(16).toString('hex') },
    addPage,
    addIgUser,
    addUser,
    userTokens,
    igRefreshes: 0,
    serverErrorsAfterPublish: 0,
    instagramApp: { id: '9876543210987', secret: randomBytes(16).toString('hex') },
    containers,
    processingMs: 0,
    failNextContainer(subcode = 2207001) {
      failNext = subcode;
    },
    expire(containerId: string) {
      const c = containers.get(containerId);
      if (c) c.forced = 'EXPIRED';
    },
    revokeToken(token: string, subcode = 460) {
      revoked.set(token, subcode);
    },
    newIgToken(igUserId: string) {
      const u = igUsers.get(igUserId)!;
      u.token = `IGAA${randomBytes(30).toString('base64url').replace(/[-_]/g, 'N')}`;
      u.tokenIssuedAt = Date.now();
      return u.token;
    },
    revokePageToken(pageId: string, subcode = 460) {
      const page = pages.get(pageId)!;
      revoked.set(page.token, subcode);
      page.token = `EAAG${randomBytes(30).toString('base64url').replace(/[-_]/g, 'Y')}`;
      return page.token;
    },
    setUsage(u: { callCount: number; regainMinutes?: number } | undefined) {
      usage = u;
    },
  });
  // The latency lives on the server, which reads it per request.
  Object.defineProperty(fake, 'latencyMs', { get: () => server.latencyMs, set: (ms: number) => (server.latencyMs = ms) });
  fake.page = addPage({ name: 'Humas Polres Tulangbawang Barat' });
  fake.ig = addIgUser({ username: 'humaspolrestubaba', pageId: fake.page.id });
  fake.user = addUser({ name: 'Operator TI Polda Lampung', pageIds: [fake.page.id] });
  fake.igLoginAs = addIgUser({ username: 'humaspolsekmandiri' });
  return fake;
}
