// The address a webhook request connects to is the address that was checked (no second look-up for a
// rebinding name server to answer differently), redirects are named and never followed, and an address
// with a user name and password is refused in words instead of ending "unconfirmed".
import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { PlatformError, type PublishContext, type PublishInput } from '../../services/publishing/platform';
import { webhookAdapter } from '../../services/publishing/platforms/webhook/webhook.adapter';
import { type Receiver, startReceiver } from '../support/webhook-receiver';

const SECRET = 'a-secret-of-16-chars';
/** A public address (not a documentation range, which counts as internal); the loopback guard never lets a test reach it. */
const PUBLIC = '93.184.215.14';

function input(): PublishInput {
  return {
    targetId: 't',
    attempt: 1,
    photos: [],
    links: [],
    post: { id: 'p', title: 'x', text: 'x', thread: false, scheduledAt: new Date(), unit: { id: 'u', slug: 'u', name: 'U', timeZone: 'Asia/Jakarta' }, pageUrl: 'http://localhost/u/u/p/p' },
  };
}

function channel(url: string) {
  return {
    id: 'c',
    kind: 'webhook' as const,
    name: 'Webhook',
    settings: { url },
    credentials: { current: () => ({ secret: SECRET }), renew: () => Promise.reject(new Error('not used')) },
  };
}

function context(url: string, checkpoints: unknown[] = []): PublishContext<'webhook'> {
  return {
    channel: channel(url),
    claimedAt: new Date(),
    checkpoint: { sending: true },
    saveCheckpoint: (d) => {
      checkpoints.push(d);
      return Promise.resolve();
    },
    timeoutMs: 2000,
    log: pino({ level: 'silent' }),
  };
}

type Answer = Array<{ address: string; family: number }>;

/**
 * A name server under the test's control: every look-up of the process (the callback and promise forms) is
 * answered by `answer(n)`, n counting from 1. Only "localhost" is asked: the loopback guard lets a socket
 * look it up, then refuses any address it resolved to that is not this machine.
 */
function rebindingResolver(answer: (n: number) => Answer) {
  const original = { lookup: dns.lookup, promised: dns.promises.lookup };
  const asked: string[] = [];
  const resolve = (host: string): Answer => {
    asked.push(host);
    return answer(asked.length);
  };
  const fake = (host: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (err: Error | null, a: unknown, f?: number) => void;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    const found = resolve(host);
    // Asynchronous, like a real look-up.
    setImmediate(() => (all ? cb(null, found) : cb(null, found[0]!.address, found[0]!.family)));
  };
  (dns as { lookup: unknown }).lookup = fake;
  (dns.promises as { lookup: unknown }).lookup = (host: string, options?: { all?: boolean }) => {
    const found = resolve(host);
    return Promise.resolve(options?.all ? found : found[0]);
  };
  return {
    asked,
    restore: () => {
      (dns as { lookup: unknown }).lookup = original.lookup;
      (dns.promises as { lookup: unknown }).lookup = original.promised;
    },
  };
}

/** A server that answers every request with a redirect to `location`. */
async function redirecting(location: string, status = 307): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { location });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('webhook requests connect where they were checked', () => {
  let internal: Receiver;
  beforeEach(async () => {
    // Stands for a service of the servers' own network that no webhook may reach.
    internal = await startReceiver(SECRET);
  });
  afterEach(async () => {
    await internal.close();
  });

  const rebinding = () => rebindingResolver((n) => (n === 1 ? [{ address: PUBLIC, family: 4 }] : [{ address: '127.0.0.1', family: 4 }]));

  test('when a name answers a public address first and 127.0.0.1 after, a delivery resolves it once and never reaches 127.0.0.1', async () => {
    const port = new URL(internal.url).port;
    const resolver = rebinding();
    const adapter = webhookAdapter({ allowPrivateNetworks: false, timeoutMs: 2000 });
    try {
      const attempt = adapter.publish(input(), context(`http://localhost:${port}/hook`));
      // The one answer was public: the connection went there (and the loopback guard stopped it), so nothing was sent.
      await expect(attempt).rejects.toMatchObject({ kind: 'transient', message: expect.stringContaining('ETESTOUTBOUND') });
    } finally {
      resolver.restore();
    }
    expect(resolver.asked).toEqual(['localhost']);
    expect(internal.deliveries).toEqual([]);
  });

  test('when a name answers a public address first and 127.0.0.1 after, the test of the channel never reaches 127.0.0.1', async () => {
    const port = new URL(internal.url).port;
    const resolver = rebinding();
    const adapter = webhookAdapter({ allowPrivateNetworks: false, timeoutMs: 2000 });
    let report;
    try {
      report = await adapter.test(channel(`http://localhost:${port}/hook`), 2000);
    } finally {
      resolver.restore();
    }
    expect(report.ok).toBe(false);
    expect(resolver.asked).toEqual(['localhost']);
    expect(internal.deliveries).toEqual([]);
  });

  test('when a name answers a public and an internal address together, the delivery is refused before anything is sent', async () => {
    const port = new URL(internal.url).port;
    const resolver = rebindingResolver(() => [
      { address: PUBLIC, family: 4 },
      { address: '127.0.0.1', family: 4 },
    ]);
    const checkpoints: unknown[] = [];
    try {
      const attempt = webhookAdapter({ allowPrivateNetworks: false, timeoutMs: 2000 }).publish(input(), context(`http://localhost:${port}/hook`, checkpoints));
      await expect(attempt).rejects.toMatchObject({ kind: 'rejected', message: expect.stringMatching(/internal network/) });
    } finally {
      resolver.restore();
    }
    expect(internal.deliveries).toEqual([]);
    // Nothing left: the "sending" mark of the claim is cleared, so that a retry may send freely.
    expect(checkpoints).toEqual([null]);
  });
});

describe('webhook redirects are named, not followed', () => {
  let internal: Receiver;
  let redirect: { url: string; close(): Promise<void> };
  beforeEach(async () => {
    internal = await startReceiver(SECRET);
    redirect = await redirecting(`${internal.url}?token=s3cret`);
  });
  afterEach(async () => {
    await redirect.close();
    await internal.close();
  });

  // Loopback is allowed here (as on a host whose receiver runs beside it): even an allowed redirect is not followed.
  test('when the address answers 307, the test of the channel says where it redirects and that Siaran does not follow', async () => {
    const report = await webhookAdapter({ allowPrivateNetworks: true, timeoutMs: 2000 }).test(channel(redirect.url), 2000);
    expect(report.ok).toBe(false);
    const { host } = new URL(internal.url);
    expect(report.detail.en).toBe(`The address redirects to ${host}/… (HTTP 307); Siaran does not follow redirects. Use the final address: add a webhook with it, then disable the old webhook if there is one.`);
    expect(report.detail.id).toContain('Siaran tidak mengikuti pengalihan');
    // The redirect's query (a token) is not repeated.
    expect(report.detail.en).not.toContain('s3cret');
    expect(internal.deliveries).toEqual([]);
  });

  test('when the address answers 308, a delivery is rejected with the reason and nothing reaches the redirect target', async () => {
    await redirect.close();
    redirect = await redirecting(internal.url, 308);
    const attempt = webhookAdapter({ allowPrivateNetworks: true, timeoutMs: 2000 }).publish(input(), context(redirect.url));
    await expect(attempt).rejects.toBeInstanceOf(PlatformError);
    await expect(attempt).rejects.toMatchObject({ kind: 'rejected', message: expect.stringMatching(/redirects \(HTTP 308\); Siaran does not follow redirects/) });
    expect(internal.deliveries).toEqual([]);
  });
});

describe('webhook addresses with a user name and password', () => {
  test('a stored address with a user name and password fails its delivery with the reason, before anything is sent', async () => {
    const receiver = await startReceiver(SECRET);
    const checkpoints: unknown[] = [];
    try {
      const url = receiver.url.replace('http://', 'http://user:pass@');
      const attempt = webhookAdapter({ allowPrivateNetworks: true, timeoutMs: 2000 }).publish(input(), context(url, checkpoints));
      // Rejected (a person must change the address), not an unknown outcome to be confirmed.
      await expect(attempt).rejects.toMatchObject({ kind: 'rejected', message: expect.stringMatching(/user name and password/) });
      expect(receiver.deliveries).toEqual([]);
      expect(checkpoints).toEqual([null]);
      const report = await webhookAdapter({ allowPrivateNetworks: true, timeoutMs: 2000 }).test(channel(url), 2000);
      expect(report.ok).toBe(false);
      expect(report.detail.en).toMatch(/user name and password.*webhook secret/);
    } finally {
      await receiver.close();
    }
  });
});
