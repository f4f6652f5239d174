// The S3 store against an in-memory S3 that checks each request's signature, so a signing mistake fails
// here rather than on the first real bucket.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createLocalMediaStore } from '../../../services/media/local-media-store';
import { mediaSigningKey } from '../../../services/media/media-store';
import { type S3MediaStoreOptions, createS3MediaStore } from '../../../services/media/s3-media-store';
import { type FakeS3, startFakeS3, verifySigV4 } from '../../support/fake-s3';

let s3: FakeS3;
let tmp: string;
const signingKey = mediaSigningKey(randomBytes(32));
const key = `renditions/${randomBytes(16).toString('hex')}.jpg`;

function options(over: Partial<S3MediaStoreOptions> = {}): S3MediaStoreOptions {
  return {
    endpoint: s3.endpoint,
    region: s3.region,
    bucket: s3.bucket,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    forcePathStyle: true,
    baseUrl: 'https://humas.polri.test/',
    signingKey,
    ...over,
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  s3 = await startFakeS3();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'siaran-s3-'));
});

afterAll(async () => {
  await s3.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('the fake S3 checks signatures as AWS documents them', () => {
  it('accepts the GET Object example from the SigV4 documentation and refuses it altered', () => {
    const keys = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1' };
    const signature = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';
    const request = (sig: string, range = 'bytes=0-9') => ({
      method: 'GET',
      target: '/test.txt',
      body: Buffer.alloc(0),
      headers: {
        host: 'examplebucket.s3.amazonaws.com',
        range,
        'x-amz-date': '20130524T000000Z',
        'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=${sig}`,
      },
    });
    expect(verifySigV4(request(signature), keys)).toEqual({ ok: true });
    expect(verifySigV4(request(signature, 'bytes=0-10'), keys)).toEqual({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(verifySigV4(request(signature.replace(/^f/, 'e')), keys)).toEqual({ ok: false, code: 'SignatureDoesNotMatch' });
  });
});

describe('S3 media store', () => {
  it('puts bytes with their content type and reads them back', async () => {
    const store = createS3MediaStore(options());
    const bytes = randomBytes(200_000);
    await store.put(key, bytes, 'image/jpeg');
    expect(s3.objects.get(key)).toEqual({ body: bytes, contentType: 'image/jpeg' });
    expect((await store.get(key)).equals(bytes)).toBe(true);

    const streamed = await store.stream(key);
    expect(streamed).toBeDefined();
    expect(streamed!.bytes).toBe(bytes.length);
    expect(streamed!.contentType).toBe('image/jpeg');
    expect((await readAll(streamed!.stream)).equals(bytes)).toBe(true);
  });

  it('moves a local file in: uploaded, then gone from the disk', async () => {
    const store = createS3MediaStore(options());
    const file = path.join(tmp, 'upload.png');
    const bytes = randomBytes(5000);
    await fs.writeFile(file, bytes);
    const fileKey = 'originals/2024/upload.png';
    await store.put(fileKey, { file }, 'image/png');
    expect((await store.get(fileKey)).equals(bytes)).toBe(true);
    expect((await store.stream(fileKey))?.contentType).toBe('image/png');
    await expect(fs.stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps the local file when the upload fails, so it can be retried', async () => {
    const store = createS3MediaStore(options({ secretAccessKey: 'not the secret' }));
    const file = path.join(tmp, 'kept.png');
    await fs.writeFile(file, 'x');
    await expect(store.put('originals/kept.png', { file }, 'image/png')).rejects.toThrow(/403 SignatureDoesNotMatch/);
    await expect(fs.readFile(file, 'utf8')).resolves.toBe('x');
  });

  it('deletes, and deleting again is fine', async () => {
    const store = createS3MediaStore(options());
    const k = 'renditions/00000000000000000000000000000001.webp';
    await store.put(k, Buffer.from('webp'), 'image/webp');
    await store.delete(k);
    expect(s3.objects.has(k)).toBe(false);
    await store.delete(k);
    expect(await store.stream(k)).toBeUndefined();
  });

  it('a missing key: stream gives undefined, get throws with the S3 error code', async () => {
    const store = createS3MediaStore(options());
    expect(await store.stream('renditions/ffffffffffffffffffffffffffffffff.jpg')).toBeUndefined();
    await expect(store.get('renditions/ffffffffffffffffffffffffffffffff.jpg')).rejects.toThrow(/404 NoSuchKey/);
  });

  it('a wrong secret is refused by the server with SignatureDoesNotMatch on every call', async () => {
    const store = createS3MediaStore(options({ secretAccessKey: `${s3.secretAccessKey}x` }));
    await expect(store.put(key, Buffer.from('x'), 'image/jpeg')).rejects.toThrow(/403 SignatureDoesNotMatch/);
    await expect(store.get(key)).rejects.toThrow(/403 SignatureDoesNotMatch/);
    await expect(store.stream(key)).rejects.toThrow(/403 SignatureDoesNotMatch/);
    await expect(store.delete(key)).rejects.toThrow(/403 SignatureDoesNotMatch/);
    expect(s3.objects.get(key)?.body.length).toBe(200_000);
  });

  it('a wrong region or access key is refused too', async () => {
    await expect(createS3MediaStore(options({ region: 'us-east-1' })).get(key)).rejects.toThrow(/400 AuthorizationHeaderMalformed/);
    await expect(createS3MediaStore(options({ accessKeyId: 'AKIAOTHER' })).get(key)).rejects.toThrow(/403 InvalidAccessKeyId/);
  });

  it('refuses keys that could step outside their folder, before any request', async () => {
    const store = createS3MediaStore(options());
    const before = s3.requests.length;
    for (const bad of ['renditions/../originals/a.jpg', 'originals/..', '../a', '/renditions/a.jpg', 'renditions/a b.jpg', 'renditions']) {
      await expect(store.put(bad, Buffer.from('x'), 'image/jpeg')).rejects.toThrow(/bad media key/);
      await expect(store.get(bad)).rejects.toThrow(/bad media key/);
      await expect(store.stream(bad)).rejects.toThrow(/bad media key/);
      await expect(store.delete(bad)).rejects.toThrow(/bad media key/);
    }
    expect(s3.requests.length).toBe(before);
  });

  it('hands out the same public and signed URLs as the local store: our route, never the bucket', () => {
    const now = new Date('2024-05-01T08:00:00Z');
    for (const baseUrl of ['https://humas.polri.test/', () => 'http://127.0.0.1:3000']) {
      const s3Store = createS3MediaStore(options({ baseUrl }));
      const local = createLocalMediaStore({ root: tmp, baseUrl, signingKey });
      expect(s3Store.publicUrl(key)).toBe(local.publicUrl(key));
      expect(s3Store.signedUrl(key, 600, now)).toBe(local.signedUrl(key, 600, now));
      expect(s3Store.signedUrl(key, 600, now)).toMatch(/\/media\/[0-9a-f]{32}\.jpg\?expires=\d+&signature=/);
      expect(s3Store.publicUrl(key)).not.toContain(s3.endpoint);
    }
    expect(createS3MediaStore(options()).publicUrl(key)).toBe(`https://humas.polri.test/media/${key.slice('renditions/'.length)}`);
  });
});
