// The Graph API client against the fake Graph API: Meta's answers read, its errors told apart the way
// the publishing engine needs them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { GraphError, classifyGraphError, graphClient } from '../../../services/publishing/platforms/meta/graph';
import { type FakeGraph, startFakeGraph } from '../../support/fakes/fake-graph';
import { freePort } from '../../support/processes';

let meta: FakeGraph;
let images: http.Server;
let imageUrl: string;

beforeAll(async () => {
  meta = await startFakeGraph();
  const jpeg = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#2f6db5' } }).jpeg().toBuffer();
  images = http.createServer((req, res) => (req.url === '/foto.jpg' ? res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg) : res.writeHead(404).end()));
  await new Promise<void>((r) => images.listen(0, '127.0.0.1', r));
  imageUrl = `http://127.0.0.1:${String((images.address() as AddressInfo).port)}/foto.jpg`;
});
afterAll(async () => {
  await meta.close();
  await new Promise((r) => images.close(r));
});
afterEach(() => {
  meta.clearFaults();
  meta.setUsage(undefined);
});

const client = (timeoutMs = 5000) => graphClient({ baseUrl: meta.url, version: meta.version, timeoutMs });
const now = new Date('2026-11-23T03:00:00Z');

async function refusal(p: Promise<unknown>): Promise<GraphError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GraphError);
  return err as GraphError;
}

test('a text with a link goes to the feed, and its permalink is read back', async () => {
  const g = client();
  const { id } = await g.post<{ id: string }>(`${meta.page.id}/feed`, meta.page.token, { message: 'Patroli malam di Tumijajar.', link: 'https://siaran.example/u/polres/p/1' });
  expect(id).toMatch(new RegExp(`^${meta.page.id}_\\d+$`));
  const post = await g.get<{ permalink_url: string }>(id, meta.page.token, { fields: 'permalink_url' });
  expect(post.permalink_url).toMatch(/^https:\/\/www\.facebook\.com\/permalink\.php\?story_fbid=\d+&id=\d+$/);
  // The token went in the Authorization header, never in the URL.
  expect(meta.requests.at(-1)!.headers.authorization).toBe(`Bearer ${meta.page.token}`);
  expect(meta.requests.every((r) => !r.query.has('access_token'))).toBe(true);
});

test('three photos uploaded unpublished, then one feed post with attached_media', async () => {
  const g = client();
  const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#aa3322' } }).jpeg().toBuffer();
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { id } = await g.upload<{ id: string }>(`${meta.page.id}/photos`, meta.page.token, { published: false, alt_text_custom: `Foto ${String(i + 1)}` }, { field: 'source', data: jpeg, filename: `foto-${String(i)}.jpg`, type: 'image/jpeg' });
    ids.push(id);
  }
  const params = Object.fromEntries(ids.map((id, i) => [`attached_media[${String(i)}]`, JSON.stringify({ media_fbid: id })]));
  const { id } = await g.post<{ id: string }>(`${meta.page.id}/feed`, meta.page.token, { message: 'Tiga foto kegiatan.', ...params });
  const post = meta.page.posts.find((p) => p.id === id)!;
  expect(post.photoIds).toEqual(ids);
  expect(meta.page.photos.filter((p) => ids.includes(p.id)).map((p) => [p.published, p.altText, p.width])).toEqual([
    [true, 'Foto 1', 800],
    [true, 'Foto 2', 800],
    [true, 'Foto 3', 800],
  ]);
});

test('a photo Meta fetches itself from our URL; one it cannot fetch is refused in Meta’s words', async () => {
  const g = client();
  const done = await g.post<{ id: string; post_id: string }>(`${meta.page.id}/photos`, meta.page.token, { url: imageUrl, caption: 'Satu foto.' });
  expect(done.post_id).toMatch(/_/);
  expect(meta.page.photos.find((p) => p.id === done.id)!.via).toBe('url');
  const dead = `http://127.0.0.1:${String(await freePort())}/hilang.jpg`;
  const err = await refusal(g.post(`${meta.page.id}/photos`, meta.page.token, { url: dead }));
  expect([err.code, err.subcode]).toEqual([324, 2069019]);
  const kind = classifyGraphError(err, now);
  expect(kind.kind).toBe('rejected');
  expect(kind.message).toMatch(/Missing or invalid image file/);
});

test('a revoked token is error 190: the channel needs connecting again, and says why', async () => {
  const page = meta.addPage({ name: 'Humas Polsek Tumijajar' });
  const old = page.token;
  meta.revokePageToken(page.id, 460);
  const err = await refusal(client().post(`${page.id}/feed`, old, { message: 'x' }));
  expect([err.status, err.code, err.subcode, err.type]).toEqual([400, 190, 460, 'OAuthException']);
  expect(err.fbtraceId).toBeTruthy();
  const kind = classifyGraphError(err, now);
  expect(kind.kind).toBe('auth-expired');
  expect(kind.message).toMatch(/password was changed/);
});

test('a throttled Page waits for as long as Meta estimates in its usage header', async () => {
  meta.setUsage({ callCount: 100, regainMinutes: 7 });
  const g = client();
  const err = await refusal(g.post(`${meta.page.id}/feed`, meta.page.token, { message: 'Terlalu sering.' }));
  expect(err.code).toBe(32);
  expect(err.usage).toEqual({ percent: 100, regainMs: 7 * 60_000 });
  const kind = classifyGraphError(err, now);
  expect(kind.kind).toBe('rate-limited');
  expect(kind.hold?.until?.toISOString()).toBe('2026-11-23T03:07:00.000Z');
  // Usage is read on success too, to slow down before Meta says stop.
  meta.setUsage({ callCount: 85 });
  await g.get(meta.page.id, meta.page.token);
  expect(g.lastUsage()).toEqual({ percent: 85, regainMs: 0 });
});

test('the same text twice is a duplicate (506): never shown as a success, never retried blindly', async () => {
  const g = client();
  await g.post(`${meta.page.id}/feed`, meta.page.token, { message: 'Pesan kembar.' });
  const err = await refusal(g.post(`${meta.page.id}/feed`, meta.page.token, { message: 'Pesan kembar.' }));
  expect(err.code).toBe(506);
  expect(err.userMessage).toMatch(/identical/);
  expect(classifyGraphError(err, now).kind).toBe('unknown-outcome');
});

test('no answer after sending may have published; a refused connection did not', async () => {
  meta.fault(`POST /${meta.version}/${meta.page.id}/feed`, { hang: true, accept: true });
  const lost = await client(300).post(`${meta.page.id}/feed`, meta.page.token, { message: 'Jawaban hilang.' }).catch((e: unknown) => e);
  expect(classifyGraphError(lost, now, 'publish').kind).toBe('unknown-outcome');
  // The same silence on a call nobody sees (a read, an unpublished upload) is only worth trying again.
  expect(classifyGraphError(lost, now, 'harmless').kind).toBe('transient');
  expect(meta.page.posts.some((p) => p.message === 'Jawaban hilang.')).toBe(true);
  const nowhere = graphClient({ baseUrl: `http://127.0.0.1:${String(await freePort())}`, version: meta.version, timeoutMs: 2000 });
  const refused = await nowhere.post('1/feed', 't', { message: 'x' }).catch((e: unknown) => e);
  expect(classifyGraphError(refused, now).kind).toBe('transient');
});

test('Meta’s passing errors (1, 2, 5xx) are retried; policy blocks (368) and bad parameters (100) are not', async () => {
  const answers: Array<[number, number, string]> = [
    [500, 2, 'transient'],
    [400, 1, 'transient'],
    [429, 4, 'rate-limited'],
    [400, 368, 'rejected'],
    [400, 100, 'rejected'],
    [403, 200, 'auth-expired'],
  ];
  for (const [status, code, kind] of answers) {
    meta.fault(`POST /${meta.version}/${meta.page.id}/feed`, { answer: { status, body: { error: { message: `error ${String(code)}`, type: 'OAuthException', code, fbtrace_id: 'T' } } } });
    const err = await refusal(client().post(`${meta.page.id}/feed`, meta.page.token, { message: 'x' }));
    expect([code, classifyGraphError(err, now).kind]).toEqual([code, kind]);
  }
  // On the request that makes a post public, an unknown error may have published it: never retried blindly.
  meta.fault(`POST /${meta.version}/${meta.page.id}/feed`, { answer: { status: 500, body: { error: { message: 'An unknown error has occurred.', type: 'OAuthException', code: 1, fbtrace_id: 'T' } } } });
  const unknown = await refusal(client().post(`${meta.page.id}/feed`, meta.page.token, { message: 'x' }));
  expect(classifyGraphError(unknown, now, 'publish').kind).toBe('unknown-outcome');
  // A 429 without Meta's body is still a limit, not a refusal.
  meta.fault(`POST /${meta.version}/${meta.page.id}/feed`, { answer: { status: 429, body: 'Too Many Requests' } });
  expect(classifyGraphError(await refusal(client().post(`${meta.page.id}/feed`, meta.page.token, { message: 'x' })), now, 'publish').kind).toBe('rate-limited');
});

test('Instagram’s own codes: a server error (-1) to the publishing request is unknown, a spam restriction (4/2207051) is a refusal, not a throttle', async () => {
  const answer = (code: number, subcode: number) => ({ answer: { status: 400, body: { error: { message: `error ${String(code)}`, type: 'IGApiException', code, error_subcode: subcode, fbtrace_id: 'T' } } } });
  meta.fault(`POST /${meta.version}/${meta.page.id}/feed`, answer(-1, 2207001));
  const serverError = await refusal(client().post(`${meta.page.id}/feed`, meta.page.token, { message: 'x' }));
  expect([classifyGraphError(serverError, now, 'publish').kind, classifyGraphError(serverError, now, 'harmless').kind]).toEqual(['unknown-outcome', 'transient']);
  meta.fault(`POST /${meta.version}/${meta.page.id}/feed`, answer(4, 2207051));
  const spam = classifyGraphError(await refusal(client().post(`${meta.page.id}/feed`, meta.page.token, { message: 'x' })), now, 'publish');
  expect([spam.kind, spam.message]).toEqual(['rejected', expect.stringMatching(/restricted this account's publishing as possible spam/)]);
});

describe('Instagram', () => {
  let square: string;
  let tall: string;
  let png: string;
  beforeAll(async () => {
    const jpeg = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#336699' } }).jpeg().toBuffer();
    const files: Record<string, [Buffer, string]> = {
      '/kotak.jpg': [await jpeg(1080, 1080), 'image/jpeg'],
      '/tinggi.jpg': [await jpeg(600, 1200), 'image/jpeg'],
      '/foto.png': [await sharp({ create: { width: 1080, height: 1080, channels: 3, background: '#336699' } }).png().toBuffer(), 'image/png'],
    };
    images.removeAllListeners('request');
    images.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const f = files[req.url ?? ''];
      if (f) res.writeHead(200, { 'content-type': f[1] }).end(f[0]);
      else res.writeHead(404).end();
    });
    const base = imageUrl.replace(/\/foto\.jpg$/, '');
    [square, tall, png] = [`${base}/kotak.jpg`, `${base}/tinggi.jpg`, `${base}/foto.png`];
  });
  afterEach(() => {
    meta.processingMs = 0;
  });

  const status = (id: string) => client().get<{ status_code: string; status: string }>(id, meta.ig.token, { fields: 'status_code,status' });

  test('one photo: a container, IN_PROGRESS until Meta has processed it, then published with its permalink', async () => {
    meta.processingMs = 300;
    const g = client();
    const { id: container } = await g.post<{ id: string }>(`${meta.ig.id}/media`, meta.ig.token, { image_url: square, caption: 'Patroli pagi.', alt_text: 'Petugas berpatroli' });
    expect((await status(container)).status_code).toBe('IN_PROGRESS');
    // Publishing too early is refused, and it is worth trying again.
    const early = await refusal(g.post(`${meta.ig.id}/media_publish`, meta.ig.token, { creation_id: container }));
    expect([early.code, early.subcode, classifyGraphError(early, now).kind]).toEqual([9007, 2207027, 'transient']);
    // Polled, as the adapter will: FINISHED once Meta has processed it.
    for (let i = 0; i < 100 && (await status(container)).status_code === 'IN_PROGRESS'; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await status(container)).status_code).toBe('FINISHED');
    const { id: mediaId } = await g.post<{ id: string }>(`${meta.ig.id}/media_publish`, meta.ig.token, { creation_id: container });
    expect((await status(container)).status_code).toBe('PUBLISHED');
    expect((await g.get<{ permalink: string }>(mediaId, meta.ig.token, { fields: 'permalink' })).permalink).toMatch(/^https:\/\/www\.instagram\.com\/p\/[\w-]+\/$/);
    expect(meta.containers.get(container)!.altText).toBe('Petugas berpatroli');
  });

  test('a carousel of finished items; a container already published is not published again', async () => {
    const g = client();
    const items: string[] = [];
    for (let i = 0; i < 3; i++) items.push((await g.post<{ id: string }>(`${meta.ig.id}/media`, meta.ig.token, { image_url: square, is_carousel_item: true, alt_text: `Foto ${String(i + 1)}` })).id);
    const { id: carousel } = await g.post<{ id: string }>(`${meta.ig.id}/media`, meta.ig.token, { media_type: 'CAROUSEL', children: items.join(','), caption: 'Tiga foto.' });
    const { id } = await g.post<{ id: string }>(`${meta.ig.id}/media_publish`, meta.ig.token, { creation_id: carousel });
    expect(meta.ig.media.find((m) => m.id === id)!.children).toEqual(items);
    const again = await refusal(g.post(`${meta.ig.id}/media_publish`, meta.ig.token, { creation_id: carousel }));
    expect(again.code).toBe(9007);
    expect(meta.ig.media.filter((m) => m.containerId === carousel)).toHaveLength(1);
  });

  test('Meta must fetch the image itself: an unreachable URL, a PNG and a tall photo are refused in Meta’s words', async () => {
    const g = client();
    const dead = await refusal(g.post(`${meta.ig.id}/media`, meta.ig.token, { image_url: `http://127.0.0.1:${String(await freePort())}/x.jpg` }));
    expect([dead.code, dead.subcode]).toEqual([9004, 2207052]);
    expect(classifyGraphError(dead, now).kind).toBe('rejected');
    expect((await refusal(g.post(`${meta.ig.id}/media`, meta.ig.token, { image_url: png }))).subcode).toBe(2207052);
    const ratio = await refusal(g.post(`${meta.ig.id}/media`, meta.ig.token, { image_url: tall }));
    expect([ratio.code, ratio.subcode]).toEqual([36003, 2207009]);
  });

  test('a container that ends ERROR or EXPIRED is not published; the daily quota holds rather than fails', async () => {
    const g = client();
    meta.failNextContainer(2207001);
    const { id: broken } = await g.post<{ id: string }>(`${meta.ig.id}/media`, meta.ig.token, { image_url: square });
    expect(await status(broken)).toEqual({ id: broken, status_code: 'ERROR', status: 'Error: Media upload has failed with error code 2207001' });
    const { id: old } = await g.post<{ id: string }>(`${meta.ig.id}/media`, meta.ig.token, { image_url: square });
    meta.expire(old);
    const expired = await refusal(g.post(`${meta.ig.id}/media_publish`, meta.ig.token, { creation_id: old }));
    expect([expired.subcode, classifyGraphError(expired, now).kind]).toEqual([2207020, 'transient']);

    const limit = await g.get<{ data: Array<{ quota_usage: number; config: { quota_total: number; quota_duration: number } }> }>(`${meta.ig.id}/content_publishing_limit`, meta.ig.token, { fields: 'quota_usage,config' });
    expect(limit.data[0]!.config).toEqual({ quota_total: 50, quota_duration: 86400 });
    meta.ig.quotaTotal = limit.data[0]!.quota_usage;
    const { id: ready } = await g.post<{ id: string }>(`${meta.ig.id}/media`, meta.ig.token, { image_url: square });
    const full = await refusal(g.post(`${meta.ig.id}/media_publish`, meta.ig.token, { creation_id: ready }));
    expect([full.code, full.subcode]).toEqual([9, 2207042]);
    expect(classifyGraphError(full, now).kind).toBe('rate-limited');
    meta.ig.quotaTotal = 50;
  });
});
