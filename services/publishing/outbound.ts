// Outbound calls to platforms: whether a failed call ever reached the platform decides between
// "retry" (it never connected) and "maybe published" (it did, then timed out or broke).
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Network errors raised before any byte could reach the other side. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID']);

/** The first `code` found on an error or its causes. */
export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause ?? (e as { error?: unknown }).error;
  }
  return undefined;
}

export function neverSent(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && NEVER_SENT.has(code);
}

/**
 * An HTTP agent of one call that remembers whether a connection was made: a call that failed
 * without ever connecting cannot have reached the platform.
 */
export interface TrackedAgent {
  agent: http.Agent;
  connected(): boolean;
}

export function trackedAgent(baseUrl: string): TrackedAgent {
  const secure = baseUrl.startsWith('https:');
  const agent: http.Agent = secure ? new https.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: false });
  let connected = false;
  const withCreate = agent as unknown as { createConnection: (opts: unknown, cb: unknown) => Duplex };
  const create = withCreate.createConnection.bind(agent);
  withCreate.createConnection = (opts, cb) => {
    const socket = create(opts, cb);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      connected = true;
    });
    return socket;
  };
  return { agent, connected: () => connected };
}

/**
 * A keep-alive agent shared by every call to one base URL, which marks each socket that connected: a
 * failed request whose socket never connected cannot have reached the platform.
 */
export interface ConnectionPool {
  agent: http.Agent;
  reached(request: { socket?: Socket | null } | undefined): boolean;
}

const pools = new Map<string, ConnectionPool>();

export function connectionPool(baseUrl: string): ConnectionPool {
  const origin = new URL(baseUrl).origin;
  const known = pools.get(origin);
  if (known) return known;
  const secure = origin.startsWith('https:');
  const agent: http.Agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const connected = new WeakSet<object>();
  const withCreate = agent as unknown as { createConnection: (opts: unknown, cb: unknown) => Duplex };
  const create = withCreate.createConnection.bind(agent);
  withCreate.createConnection = (opts, cb) => {
    const socket = create(opts, cb);
    socket.once(secure ? 'secureConnect' : 'connect', () => connected.add(socket));
    return socket;
  };
  const pool: ConnectionPool = { agent, reached: (request) => (request?.socket ? connected.has(request.socket) : false) };
  pools.set(origin, pool);
  return pool;
}
