// Photos in an S3-compatible bucket, so several API and worker servers share one set of files.
// The bucket stays private: browsers still fetch through our `/media/` route, which checks access.
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { type MediaStore, type StoredObject, assertMediaKey, mediaUrls } from './media-store';

export interface S3MediaStoreOptions {
  /** Service root without the bucket, e.g. `https://s3.example.com` or `http://127.0.0.1:9000`. */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `/<bucket>/<key>` instead of `<bucket>.<host>/<key>`: what MinIO and most self-hosted servers expect. */
  forcePathStyle: boolean;
  /** Where the API is reached; a function when the port is known only once it listens. */
  baseUrl: string | (() => string);
  signingKey: Buffer;
}

// Generous enough for tens of MB on a slow uplink, short enough that a dead server does not hang a job.
const REQUEST_TIMEOUT_MS = 120_000;

const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

// RFC 3986 unreserved characters stay as they are; SigV4 requires everything else percent-encoded,
// which encodeURIComponent leaves undone for a few characters.
const encodeSegment = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `20240131T235959Z`, the form the signature and `x-amz-date` use. */
const amzDate = (now: Date): string => now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

interface SignInput {
  method: string;
  url: URL;
  headers: Record<string, string>;
  payloadHash: string;
  now: Date;
}

function authorization(opts: S3MediaStoreOptions, req: SignInput): string {
  const stamp = amzDate(req.now);
  const day = stamp.slice(0, 8);
  const scope = `${day}/${opts.region}/s3/aws4_request`;
  const names = Object.keys(req.headers)
    .map((h) => h.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const canonicalHeaders = names.map((h) => `${h}:${(lower[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  // Our requests never carry a query string; the empty line still belongs in the canonical form.
  const canonicalRequest = [req.method, req.url.pathname, '', canonicalHeaders, signedHeaders, req.payloadHash].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${opts.secretAccessKey}`, day), opts.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${opts.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

async function s3Error(res: Response, what: string): Promise<Error> {
  const text = await res.text().catch(() => '');
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? 'no error code';
  return new Error(`S3 ${what} failed: ${res.status} ${code}`);
}

export function createS3MediaStore(opts: S3MediaStoreOptions): MediaStore {
  const endpoint = new URL(opts.endpoint);
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') throw new Error(`S3 endpoint must be http(s): ${opts.endpoint}`);
  const basePath = endpoint.pathname.replace(/\/+$/, '');

  const objectUrl = (key: string): URL => {
    assertMediaKey(key);
    const encodedKey = key.split('/').map(encodeSegment).join('/');
    const url = new URL(endpoint.origin);
    if (opts.forcePathStyle) {
      url.pathname = `${basePath}/${encodeSegment(opts.bucket)}/${encodedKey}`;
    } else {
      url.hostname = `${opts.bucket}.${endpoint.hostname}`;
      url.pathname = `${basePath}/${encodedKey}`;
    }
    return url;
  };

  const send = async (
    method: 'PUT' | 'GET' | 'DELETE',
    key: string,
    body?: { bytes: Buffer; contentType: string },
    timeout = true,
  ): Promise<Response> => {
    const url = objectUrl(key);
    const payloadHash = sha256Hex(body?.bytes ?? '');
    const now = new Date();
    const sent: Record<string, string> = { 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate(now) };
    if (body) sent['content-type'] = body.contentType;
    // Host is signed as fetch will send it: URL.host drops a default port just as the request line does.
    const headers = { ...sent, host: url.host };
    sent.authorization = authorization(opts, { method, url, headers, payloadHash, now });
    return fetch(url, {
      method,
      headers: sent,
      ...(body ? { body: body.bytes } : {}),
      ...(timeout ? { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) } : {}),
    });
  };

  return {
    async put(key, source, contentType) {
      const bytes = Buffer.isBuffer(source) ? source : await fs.readFile(source.file);
      const res = await send('PUT', key, { bytes, contentType });
      if (!res.ok) throw await s3Error(res, `PUT ${key}`);
      await res.body?.cancel();
      // Removed only once the bucket has it, so a failed upload can be retried from the same file.
      if (!Buffer.isBuffer(source)) await fs.rm(source.file, { force: true });
    },
    async get(key) {
      const res = await send('GET', key);
      if (!res.ok) throw await s3Error(res, `GET ${key}`);
      return Buffer.from(await res.arrayBuffer());
    },
    async stream(key): Promise<StoredObject | undefined> {
      // No timeout: it would cut off a slow browser still reading a large photo.
      const res = await send('GET', key, undefined, false);
      if (res.status === 404) {
        await res.body?.cancel();
        return undefined;
      }
      if (!res.ok) throw await s3Error(res, `GET ${key}`);
      const length = Number(res.headers.get('content-length'));
      if (!res.body || !Number.isSafeInteger(length)) {
        await res.body?.cancel();
        throw new Error(`S3 GET ${key} answered without a body length`);
      }
      return {
        stream: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
        bytes: length,
        contentType: res.headers.get('content-type') ?? 'application/octet-stream',
      };
    },
    async delete(key) {
      const res = await send('DELETE', key);
      // Deleting what is already gone is success, as on the local disk.
      if (!res.ok && res.status !== 404) throw await s3Error(res, `DELETE ${key}`);
      await res.body?.cancel();
    },
    ...mediaUrls(opts.baseUrl, opts.signingKey),
  };
}
