// The one way to send a request to an address a person typed (a webhook): the address checked is the
// address connected to. The host is resolved once, inside the connection's own look-up, every address is
// judged there, and only judged addresses are handed to the socket, so a name server that answers "public"
// to a check and "127.0.0.1" to the connection a moment later (DNS rebinding) has no second question to
// answer. Redirects are never followed: the answer, 3xx included, is returned to the caller.
import dns, { type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { isPrivateAddress } from '../channels/webhook-address';
import { errorCode } from './outbound';

/** A receiver's answer is read up to this much; the rest is dropped (only its first words are ever shown). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** Why a request was not sent at all. */
export type RefusalReason = 'internal-address' | 'credentials-in-url' | 'not-http';

/** The address was refused before a single byte left; nothing reached anyone. */
export class AddressRefused extends Error {
  readonly code = 'ESIARAN_ADDRESS_REFUSED';
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'AddressRefused';
  }
}

/** The request failed; `reached` says whether a connection was ever made (so whether it may have arrived). */
export class RequestFailed extends Error {
  constructor(
    readonly code: string,
    readonly reached: boolean,
  ) {
    super(`request failed (${code})`);
    this.name = 'RequestFailed';
  }
}

export interface GuardedAnswer {
  status: number;
  /** Where a 3xx answer points, for the caller to name; never followed. */
  location: string | undefined;
  retryAfter: string | undefined;
  text: string;
}

export interface GuardOptions {
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: internal addresses are allowed too (credentials and redirects are still refused). */
  allowPrivateNetworks: boolean;
  timeoutMs: number;
}

/** Where a URL points, for people who may not see the whole URL (its path and query may hold a token): "host/…". */
export function hostOnly(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname === '/' && !u.search ? u.host : `${u.host}/…`;
  } catch {
    return '…';
  }
}

/** What is wrong with the URL itself, before any look-up. */
export function refuseUrl(url: URL, opts: Pick<GuardOptions, 'allowPrivateNetworks'>): AddressRefused | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return new AddressRefused('not-http', 'the webhook address is not an http or https address');
  if (url.username || url.password) {
    return new AddressRefused('credentials-in-url', 'the webhook address carries a user name and password, which Siaran does not send; remove them (the receiver checks the signing secret instead)');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // A literal address is connected to without a look-up, so it is judged here.
  if (!opts.allowPrivateNetworks && net.isIP(host) && isPrivateAddress(host)) return internal();
  return undefined;
}

function internal(): AddressRefused {
  return new AddressRefused('internal-address', 'the webhook address leads into an internal network');
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The socket's look-up: one resolution, every address judged, only judged addresses returned. A name with any
 * internal address is refused as a whole, as when the channel was added.
 */
function guardedLookup(hostname: string, options: { family?: number | string; all?: boolean }, callback: LookupCallback): void {
  dns.lookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
    if (err) return callback(err, []);
    if (addresses.some((a) => isPrivateAddress(a.address))) return callback(internal(), []);
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0);
    const usable = family ? addresses.filter((a) => a.family === family) : addresses;
    const first = usable[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
    if (options.all) return callback(null, usable);
    callback(null, first.address, first.family);
  });
}

/** One POST to the address, through the guarded look-up, without following redirects. */
export function guardedPost(address: string, headers: Record<string, string>, body: string, opts: GuardOptions): Promise<GuardedAnswer> {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return Promise.reject(new AddressRefused('not-http', 'the webhook address is not a valid address'));
  }
  const refused = refuseUrl(url, opts);
  if (refused) return Promise.reject(refused);
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    let reached = false;
    const fail = (err: unknown) => {
      if (err instanceof AddressRefused) return reject(err);
      const timedOut = err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
      reject(new RequestFailed(timedOut ? 'timeout' : (errorCode(err) ?? (err instanceof Error ? err.name : 'error')), reached));
    };
    const req = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        // Its own connection: a pooled socket could have been opened by another, unchecked, request.
        agent: false,
        ...(opts.allowPrivateNetworks ? {} : { lookup: guardedLookup }),
        signal: AbortSignal.timeout(opts.timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ANSWER_BYTES) chunks.push(c);
          size += c.length;
        });
        res.on('error', fail);
        res.on('end', () => {
          const header = (name: string) => {
            const v = res.headers[name];
            return Array.isArray(v) ? v[0] : v;
          };
          resolve({ status: res.statusCode ?? 0, location: header('location'), retryAfter: header('retry-after'), text: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES) });
        });
      },
    );
    req.on('socket', (socket) => {
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        reached = true;
      });
    });
    req.on('error', fail);
    req.end(body);
  });
}
