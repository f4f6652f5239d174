// A post with a photo, through the whole product: upload, renditions, approval, publication with the
// photo on the news page and in the signed webhook, GPS gone from what is served.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { type Harness, type WebhookWorld, type World, addWebhook, client, inSeconds, startWithWebhook, unitSlug, waitFor } from '../support/harness';
import type { Receiver } from '../support/webhook-receiver';
import * as img from '../unit/media/image-fixtures';
import { type FakeS3, startFakeS3 } from '../support/fake-s3';

const SECRET = 'photo-webhook-secret-long';

describe.each([['on local disk', false], ['in an S3-compatible bucket', true]] as const)('a post with a photo, stored %s', (_where, useS3) => {
  let h: Harness;
  let world: World;
  let receiver: Receiver;
  let webhookId: string;
  let env: WebhookWorld;

  let s3: FakeS3 | undefined;

  beforeAll(async () => {
    s3 = useS3 ? await startFakeS3() : undefined;
    env = await startWithWebhook(
      SECRET,
      s3
        ? { MEDIA_S3_ENDPOINT: s3.endpoint, MEDIA_S3_REGION: s3.region, MEDIA_S3_BUCKET: s3.bucket, MEDIA_S3_ACCESS_KEY_ID: s3.accessKeyId, MEDIA_S3_SECRET_ACCESS_KEY: s3.secretAccessKey }
        : {},
    );
    ({ h, world, receiver, webhookId } = env);
  });
  afterAll(async () => {
    await env.close();
    await s3?.close();
  });

  test('goes out with its photo, alt text and no GPS, on the news page and to the webhook', async () => {
    const operator = client(h.url, world.tokens.operator);
    const created = await operator('POST', '/api/v1/posts', {
      title: 'Jumat Curhat bersama warga',
      body: 'Kapolres mendengar keluhan warga.',
      channelIds: [world.newsPage.polres, webhookId],
      scheduledAt: inSeconds(6),
    });
    const id: string = created.body.id;

    const upload = await fetch(`${h.url}/api/v1/photos?postId=${id}&alt=${encodeURIComponent('Kapolres berbincang dengan warga')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.tokens.operator}`, 'content-type': 'image/jpeg' },
      body: await img.sidewaysJpegWithGps(),
    });
    expect(upload.status).toBe(201);

    const submitted = await operator('POST', `/api/v1/posts/${id}/submit`);
    const approved = await client(h.url, world.tokens.supervisor)('POST', `/api/v1/posts/${id}/approve`, { expectedVersion: submitted.body.version });
    expect(approved.body.status).toBe('scheduled');

    await waitFor('publication', async () => (await operator('GET', `/api/v1/posts/${id}`)).body.status === 'published', 40_000);

    expect(receiver.deliveries).toHaveLength(1);
    const photos = receiver.deliveries[0]!.body.post.photos;
    expect(photos).toHaveLength(1);
    expect(photos[0].alt).toBe('Kapolres berbincang dengan warga');
    // A lasting link, not one signed for an hour: receivers keep what they are sent.
    expect(photos[0].url).not.toMatch(/signature=|expires=/);
    const served = await fetch(photos[0].url);
    expect(served.status).toBe(200);
    const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
    expect(meta.exif).toBeUndefined();
    // The photo was taken sideways; what is served stands upright.
    expect(meta.height).toBeGreaterThan(meta.width);

    const page = await (await fetch(`${h.url}/u/${await unitSlug(h.siaran.database.db, world.units.polres)}/p/${id}`)).text();
    expect(page).toContain('<picture>');
    expect(page).toContain('type="image/webp"');
    expect(page).toContain('alt="Kapolres berbincang dengan warga"');
    const src = /<img src="([^"]+)"/.exec(page)![1]!;
    const publicRendition = await fetch(src.replace(/&amp;/g, '&'));
    expect(publicRendition.status).toBe(200);
    // Caches ask again after a while: a post taken back stops being served through them too.
    expect(publicRendition.headers.get('cache-control')).toBe('public, max-age=600');
    if (s3) {
      // Originals and renditions live in the bucket, and nothing fell back to the local disk.
      const keys = [...s3.objects.keys()];
      expect(keys.some((k) => k.includes('originals/'))).toBe(true);
      expect(keys.some((k) => k.includes('renditions/'))).toBe(true);
      expect(s3.requests.filter((r) => r.error)).toEqual([]);
    }
  }, 60_000);

  test('a receiver that fetches the photo while its delivery is being answered gets it, and its link dies when the post is taken back', async () => {
    // Only the webhook: no other channel has made the photo public before the receiver asks for it.
    let fetched: number | undefined;
    let link: string | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { post: { photos?: Array<{ url: string }> } };
        // The retraction's notice carries no photos.
        const url = body.post.photos?.[0]?.url;
        if (!url) {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          return;
        }
        link = url;
        void fetch(url).then(
          (r) => {
            fetched = r.status;
            res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"arsip-1"}');
          },
          () => res.writeHead(500).end(),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const hook = await addWebhook(h.siaran.database.db, world.units.polres, `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/arsip`, SECRET);
      const operator = client(h.url, world.tokens.operator);
      const supervisor = client(h.url, world.tokens.supervisor);
      const created = await operator('POST', '/api/v1/posts', { title: 'Arsip kegiatan', body: 'Kegiatan untuk arsip.', channelIds: [hook], scheduledAt: inSeconds(4) });
      const id: string = created.body.id;
      // A photo of its own: renditions are named by their content, and the first test's photo stays published.
      const own = await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 30, g: 120, b: (Date.now() % 200) + 20 } } }).jpeg().toBuffer();
      const upload = await fetch(`${h.url}/api/v1/photos?postId=${id}&alt=${encodeURIComponent('Warga')}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${world.tokens.operator}`, 'content-type': 'image/jpeg' },
        body: own,
      });
      expect(upload.status).toBe(201);
      const submitted = await operator('POST', `/api/v1/posts/${id}/submit`);
      await supervisor('POST', `/api/v1/posts/${id}/approve`, { expectedVersion: submitted.body.version });
      await waitFor('publication', async () => (await operator('GET', `/api/v1/posts/${id}`)).body.status === 'published', 40_000);
      expect(fetched).toBe(200);
      expect((await fetch(link!)).status).toBe(200);
      // Taken back: what was public of it stops being served.
      expect((await supervisor('POST', `/api/v1/posts/${id}/retract`, { reason: 'Salah foto kegiatan.' })).status).toBeLessThan(300);
      expect((await fetch(link!)).status).toBe(404);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 60_000);
});
