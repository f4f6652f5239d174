// A local Graph API on 127.0.0.1 for the calls Siaran makes to Facebook Pages: /{version}/{page-id}/feed,
// /{page-id}/photos (published or not, by `url` Meta downloads itself or by multipart `source`), a post's
// permalink, deleting a post. Tokens are checked (Authorization: Bearer, or access_token as Meta also
// accepts); answers and errors have Meta's shapes ({error:{message,type,code,error_subcode,fbtrace_id}})
// and usage headers (X-App-Usage, X-Business-Use-Case-Usage with estimated_time_to_regain_access).
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
}

export interface FakeGraph extends FakeServer {
  version: string;
  addPage(o: { name: string }): FakePage;
  page: FakePage;
  /** Invalidates a Page token as a password change does (error 190, subcode 460). */
  revokePageToken(pageId: string, subcode?: number): void;
  /** Usage headers on every answer; `regainMinutes` also throttles writes with error 32 until cleared. */
  setUsage(u: { callCount: number; regainMinutes?: number } | undefined): void;
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
  const pageFor = (req: FakeRequest, pageId: string): FakePage | FakeAnswer => {
    const token = tokenOf(req);
    if (!token) return graphError(400, 104, 'An access token is required to request this resource.', { type: 'OAuthException' });
    const sub = revoked.get(token);
    if (sub !== undefined) {
      return graphError(400, 190, 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.', { subcode: sub, type: 'OAuthException' });
    }
    const page = pages.get(pageId);
    if (!page) return graphError(400, 100, `Unsupported post request. Object with ID '${pageId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, { subcode: 33 });
    if (page.token !== token) return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token', { type: 'OAuthException' });
    return page;
  };
  const throttled = (): FakeAnswer | undefined =>
    usage?.regainMinutes ? graphError(400, 32, 'Page request limit reached', { type: 'OAuthException' }) : undefined;

  /** Meta fetches `url` itself; a URL it cannot fetch or that is no image is refused as Meta does. */
  const download = async (url: string): Promise<{ width: number; height: number; bytes: number } | FakeAnswer> => {
    let data: Buffer;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`HTTP ${String(res.status)}`);
      data = Buffer.from(await res.arrayBuffer());
    } catch {
      return graphError(400, 324, 'Missing or invalid image file', { subcode: 2069019, type: 'OAuthException' });
    }
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
    const post: FakePagePost = { id: `${pageId}_${nextId()}`, pageId, message: text(req.body.caption) || text(req.body.message), link: undefined, photoIds: [photo.id], createdAt: Date.now(), deleted: false };
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
    const post: FakePagePost = { id: `${pageId}_${nextId()}`, pageId, message, link, photoIds: attached, createdAt: Date.now(), deleted: false };
    for (const id of attached) page.photos.find((p) => p.id === id)!.published = true;
    page.posts.push(post);
    return { status: 200, body: { id: post.id } };
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
    const permalink = `https://www.facebook.com/${pageId}/posts/${id.split('_')[1]!}`;
    return { status: 200, body: { id: post.id, message: post.message, created_time: new Date(post.createdAt).toISOString().replace('Z', '+0000'), permalink_url: permalink } };
  };

  const pageInfo: Handler = (req) => {
    const pageId = req.path.split('/')[2]!;
    const page = pageFor(req, pageId);
    if ('status' in page) return page;
    return { status: 200, body: { id: page.id, name: page.name } };
  };

  const v = `/${version}`;
  const server = await startFakeServer(
    (req) => {
      if (!req.path.startsWith(`${v}/`)) return () => graphError(400, 2500, 'Unknown path components: ' + req.path, { type: 'OAuthException' });
      const parts = req.path.slice(v.length + 1).split('/');
      if (parts.length === 2 && parts[1] === 'feed' && req.method === 'POST') return feed;
      if (parts.length === 2 && parts[1] === 'photos' && req.method === 'POST') return photos;
      if (parts.length === 1 && parts[0]!.includes('_') && (req.method === 'GET' || req.method === 'DELETE')) return object;
      if (parts.length === 1 && req.method === 'GET') return pageInfo;
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
    const page: FakePage = { id: nextId(), name: o.name, token: `EAAG${randomBytes(30).toString('base64url').replace(/[-_]/g, 'Z')}`, posts: [], photos: [] };
    pages.set(page.id, page);
    return page;
  };
  Object.assign(fake, server, {
    version,
    addPage,
    revokePageToken(pageId: string, subcode = 460) {
      const page = pages.get(pageId);
      if (page) revoked.set(page.token, subcode);
    },
    setUsage(u: { callCount: number; regainMinutes?: number } | undefined) {
      usage = u;
    },
  });
  // The latency lives on the server, which reads it per request.
  Object.defineProperty(fake, 'latencyMs', { get: () => server.latencyMs, set: (ms: number) => (server.latencyMs = ms) });
  fake.page = addPage({ name: 'Humas Polres Tulangbawang Barat' });
  return fake;
}
