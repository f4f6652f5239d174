// An in-memory S3 on 127.0.0.1 (path-style `/<bucket>/<key>`) that checks every request's SigV4
// Authorization header as S3 would, written from the AWS specification rather than from the product's
// signer, so a signing mistake in the product makes requests fail here instead of passing silently.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeS3Object {
  body: Buffer;
  contentType: string;
}

export interface FakeS3 {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  objects: Map<string, FakeS3Object>;
  /** Every request as received, with the error code answered (undefined when it succeeded). */
  requests: Array<{ method: string; path: string; error?: string }>;
  close(): Promise<void>;
}

export interface ReceivedRequest {
  method: string;
  /** Path and query exactly as on the request line. */
  target: string;
  /** Header names lowercase; repeated headers joined with commas, as Node does. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

type Verdict = { ok: true } | { ok: false; code: string };

function sha256(data: Buffer | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** AWS's URI encoding: unreserved characters as they are, all else %XX in uppercase hex. */
function awsEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Checks a request's Authorization header against the one secret this fake knows. */
export function verifySigV4(req: ReceivedRequest, keys: { accessKeyId: string; secretAccessKey: string; region: string }): Verdict {
  const auth = req.headers.authorization;
  const m = auth ? /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(auth) : null;
  if (!m) return { ok: false, code: 'AuthorizationHeaderMalformed' };
  const [, credential, signedHeaderList, givenSignature] = m as unknown as [string, string, string, string];
  const parts = credential.split('/');
  if (parts.length !== 5) return { ok: false, code: 'AuthorizationHeaderMalformed' };
  const [accessKey, day, region, service, terminator] = parts as [string, string, string, string, string];
  if (accessKey !== keys.accessKeyId) return { ok: false, code: 'InvalidAccessKeyId' };
  if (region !== keys.region || service !== 's3' || terminator !== 'aws4_request') return { ok: false, code: 'AuthorizationHeaderMalformed' };

  const date = req.headers['x-amz-date'];
  if (!date || !/^\d{8}T\d{6}Z$/.test(date) || date.slice(0, 8) !== day) return { ok: false, code: 'AccessDenied' };

  const signedNames = signedHeaderList.split(';');
  if (!signedNames.includes('host') || !signedNames.includes('x-amz-content-sha256')) return { ok: false, code: 'AccessDenied' };
  const contentHash = req.headers['x-amz-content-sha256'];
  if (contentHash === undefined) return { ok: false, code: 'InvalidRequest' };
  if (contentHash !== 'UNSIGNED-PAYLOAD' && contentHash !== sha256(req.body)) return { ok: false, code: 'XAmzContentSHA256Mismatch' };

  const queryStart = req.target.indexOf('?');
  const rawPath = queryStart < 0 ? req.target : req.target.slice(0, queryStart);
  const rawQuery = queryStart < 0 ? '' : req.target.slice(queryStart + 1);
  // S3 encodes the path once: decode what arrived, then re-encode each segment canonically.
  const canonicalUri = rawPath
    .split('/')
    .map((seg) => awsEncode(decodeURIComponent(seg)))
    .join('/');
  const canonicalQuery = rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const name = decodeURIComponent(eq < 0 ? p : p.slice(0, eq));
      const value = eq < 0 ? '' : decodeURIComponent(p.slice(eq + 1));
      return [awsEncode(name), awsEncode(value)] as const;
    })
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
  let canonicalHeaders = '';
  for (const name of signedNames) {
    const value = req.headers[name];
    if (value === undefined) return { ok: false, code: 'AccessDenied' };
    canonicalHeaders += `${name}:${value.trim().split(/\s+/).join(' ')}\n`;
  }
  const canonicalRequest = `${req.method}\n${canonicalUri}\n${canonicalQuery}\n${canonicalHeaders}\n${signedHeaderList}\n${contentHash}`;

  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${sha256(canonicalRequest)}`;
  let signingKey: Buffer = Buffer.from(`AWS4${keys.secretAccessKey}`, 'utf8');
  for (const step of [day, region, 's3', 'aws4_request']) signingKey = crypto.createHmac('sha256', signingKey).update(step).digest();
  const expected = crypto.createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  return crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(givenSignature)) ? { ok: true } : { ok: false, code: 'SignatureDoesNotMatch' };
}

const STATUS: Record<string, number> = {
  AuthorizationHeaderMalformed: 400,
  InvalidRequest: 400,
  XAmzContentSHA256Mismatch: 400,
  InvalidAccessKeyId: 403,
  AccessDenied: 403,
  SignatureDoesNotMatch: 403,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  MethodNotAllowed: 405,
};

export async function startFakeS3(opts: { bucket?: string; region?: string } = {}): Promise<FakeS3> {
  const bucket = opts.bucket ?? 'siaran-media';
  const region = opts.region ?? 'ap-southeast-3';
  const accessKeyId = 'AKIAFAKES3SIARAN0001';
  const secretAccessKey = crypto.randomBytes(30).toString('base64');
  const objects = new Map<string, FakeS3Object>();
  const requests: FakeS3['requests'] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const target = req.url ?? '/';
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
      const fail = (code: string) => {
        requests.push({ method, path: target, error: code });
        const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${code}</Message></Error>`;
        res.writeHead(STATUS[code] ?? 400, { 'content-type': 'application/xml' });
        res.end(method === 'HEAD' ? undefined : xml);
      };

      const verdict = verifySigV4({ method, target, headers, body: Buffer.concat(chunks) }, { accessKeyId, secretAccessKey, region });
      if (!verdict.ok) return fail(verdict.code);

      const path = decodeURIComponent(target.split('?')[0] ?? '/');
      const slash = path.indexOf('/', 1);
      if (slash < 0 || path.slice(1, slash) !== bucket) return fail('NoSuchBucket');
      const key = path.slice(slash + 1);
      if (key === '') return fail('MethodNotAllowed');

      switch (method) {
        case 'PUT':
          objects.set(key, { body: Buffer.concat(chunks), contentType: headers['content-type'] ?? 'binary/octet-stream' });
          requests.push({ method, path: target });
          res.writeHead(200, { etag: `"${crypto.createHash('md5').update(Buffer.concat(chunks)).digest('hex')}"` });
          return res.end();
        case 'GET':
        case 'HEAD': {
          const o = objects.get(key);
          if (!o) return fail('NoSuchKey');
          requests.push({ method, path: target });
          res.writeHead(200, { 'content-type': o.contentType, 'content-length': o.body.length });
          return res.end(method === 'HEAD' ? undefined : o.body);
        }
        case 'DELETE':
          objects.delete(key);
          requests.push({ method, path: target });
          res.writeHead(204);
          return res.end();
        default:
          return fail('MethodNotAllowed');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    bucket,
    accessKeyId,
    secretAccessKey,
    objects,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
