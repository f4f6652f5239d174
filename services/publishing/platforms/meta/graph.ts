// Meta's Graph API (Facebook Pages and Instagram), the one module that talks to it. Meta keeps no
// well-kept Node SDK for publishing, so this is a thin client over fetch: one version pinned by the
// caller, the token in the Authorization header, Meta's error body and usage headers read into a
// GraphError, and that error told apart the way the publishing engine needs (PlatformError kinds).
import { neverSent } from '../../outbound';
import { PlatformError } from '../../platform';

export interface GraphOptions {
  /** https://graph.facebook.com, or https://graph.instagram.com for Instagram Login tokens (a fake in tests). */
  baseUrl: string;
  /** `v26.0`: pinned once, in the settings; empty for the few paths Meta does not version. */
  version: string;
  timeoutMs: number;
}

/** What Meta's usage headers say, as percentages of the allowance and a wait when throttled. */
export interface GraphUsage {
  /** The highest of call count, CPU time and total time across the headers, 0–100 (or more). */
  percent: number;
  /** `estimated_time_to_regain_access` (minutes in the header), as milliseconds; 0 when not throttled. */
  regainMs: number;
}

export class GraphError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: number | undefined,
    readonly subcode: number | undefined,
    readonly type: string | undefined,
    readonly fbtraceId: string | undefined,
    readonly usage: GraphUsage,
    /** Meta's own sentence for a person, where it gave one (`error_user_msg`). */
    readonly userMessage: string | undefined,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

/** The call reached Meta and may have been carried out, but no answer came back (timeout, reset). */
export class GraphNoAnswer extends Error {
  constructor(
    message: string,
    /** Whether the request had been sent: before that, nothing can have happened. */
    readonly sent: boolean,
  ) {
    super(message);
    this.name = 'GraphNoAnswer';
  }
}

export type GraphParams = Record<string, string | number | boolean | undefined>;

export interface GraphClient {
  get<T>(path: string, token: string, params?: GraphParams): Promise<T>;
  /** Form-encoded, as Meta's own examples post. */
  post<T>(path: string, token: string, params?: GraphParams): Promise<T>;
  /** Multipart, for a photo sent as bytes (`source`). */
  upload<T>(path: string, token: string, params: GraphParams, file: { field: string; data: Buffer; filename: string; type: string }): Promise<T>;
  delete<T>(path: string, token: string): Promise<T>;
  /** The usage Meta reported on the last answer (to slow down before being throttled). */
  lastUsage(): GraphUsage;
}

function usageOf(headers: Headers): GraphUsage {
  let percent = 0;
  let regainMs = 0;
  const read = (name: string): unknown => {
    const raw = headers.get(name);
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      // A header Meta changed the shape of must not break a publish: it is advice, not an answer.
      return undefined;
    }
  };
  const take = (u: unknown) => {
    if (typeof u !== 'object' || u === null) return;
    const o = u as Record<string, unknown>;
    for (const key of ['call_count', 'total_cputime', 'total_time', 'acc_id_util_pct']) {
      const v = Number(o[key]);
      if (Number.isFinite(v)) percent = Math.max(percent, v);
    }
    const regain = Number(o.estimated_time_to_regain_access);
    if (Number.isFinite(regain)) regainMs = Math.max(regainMs, regain * 60_000);
  };
  take(read('x-app-usage'));
  take(read('x-page-usage'));
  take(read('x-ad-account-usage'));
  // Business use case usage: { "<business or page id>": [ { type, call_count, ..., estimated_time_to_regain_access } ] }
  const buc = read('x-business-use-case-usage');
  if (typeof buc === 'object' && buc !== null) {
    for (const entries of Object.values(buc as Record<string, unknown>)) if (Array.isArray(entries)) entries.forEach(take);
  }
  return { percent, regainMs };
}

export function graphClient(opts: GraphOptions): GraphClient {
  let usage: GraphUsage = { percent: 0, regainMs: 0 };
  const urlOf = (path: string, params?: GraphParams) => {
    // An empty version reaches Meta's unversioned paths (Instagram's token refresh).
    const version = opts.version ? `${opts.version}/` : '';
    const u = new URL(`${opts.baseUrl.replace(/\/+$/, '')}/${version}${path.replace(/^\/+/, '')}`);
    for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  };
  const call = async <T>(method: string, url: URL, token: string, body?: URLSearchParams | FormData): Promise<T> => {
    let res: Response;
    try {
      // The OAuth exchanges carry no token (the app's id and secret are their parameters).
      res = await fetch(url, { method, headers: token ? { authorization: `Bearer ${token}` } : {}, body, signal: AbortSignal.timeout(opts.timeoutMs) });
    } catch (err) {
      // fetch does not say whether the request left; errors raised before connecting (refused, no route, DNS,
      // TLS) say it did not. A timeout may have fired after sending, so it counts as sent.
      throw new GraphNoAnswer(`Meta did not answer: ${err instanceof Error ? err.message : String(err)}`, !neverSent(err));
    }
    usage = usageOf(res.headers);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const error = (parsed as { error?: Record<string, unknown> } | undefined)?.error;
    if (!res.ok || error) {
      const e = error ?? {};
      const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      // Instagram's login host answers {error_type, code, error_message} without the `error` wrapper.
      const flat = (parsed ?? {}) as Record<string, unknown>;
      throw new GraphError(
        str(e.message) ?? str(flat.error_message) ?? `HTTP ${String(res.status)} from Meta`,
        res.status,
        num(e.code),
        num(e.error_subcode),
        str(e.type),
        str(e.fbtrace_id),
        usage,
        str(e.error_user_msg),
      );
    }
    if (parsed === undefined) throw new GraphError(`Meta answered HTTP ${String(res.status)} with a body that is not JSON`, res.status, undefined, undefined, undefined, undefined, usage, undefined);
    return parsed as T;
  };
  const form = (params: GraphParams) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) body.set(k, String(v));
    return body;
  };
  return {
    get: (path, token, params) => call('GET', urlOf(path, params), token),
    post: (path, token, params = {}) => call('POST', urlOf(path), token, form(params)),
    upload: (path, token, params, file) => {
      const body = new FormData();
      for (const [k, v] of Object.entries(params)) if (v !== undefined) body.set(k, String(v));
      body.set(file.field, new Blob([new Uint8Array(file.data)], { type: file.type }), file.filename);
      return call('POST', urlOf(path), token, body);
    },
    delete: (path, token) => call('DELETE', urlOf(path), token),
    lastUsage: () => usage,
  };
}

/** Throttling codes of the Graph API: app, user, page, custom-level and business-use-case limits. */
const THROTTLED = new Set([4, 17, 32, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014]);
/** Error 190's subcodes say why a token died; all mean the channel needs connecting again. */
const TOKEN_SUBCODES: Record<number, string> = {
  458: 'the app was removed from the account',
  459: 'the account is checkpointed: sign in on Facebook to fix it',
  460: 'the password was changed',
  463: 'the token expired',
  464: 'the account is not confirmed',
  467: 'the token is no longer valid',
  492: 'the user is no longer an admin of the Page',
};
/** When Meta throttles without saying for how long. */
const DEFAULT_THROTTLE_MS = 15 * 60_000;

/**
 * What a Graph error means for one call:
 * - `publish`: the request that makes the post public. Anything Meta may have carried out before failing
 *   (no answer, an unknown error 1/2, a 5xx, an answer that is not JSON) may have published: never retried
 *   blindly. A duplicate (506) means the same post is there already, which is never a success we can show.
 * - `harmless`: a read, or an upload nobody sees (an unpublished photo): whatever happened, trying again is safe.
 */
export function classifyGraphError(err: unknown, now: Date, step: 'publish' | 'harmless' = 'harmless'): PlatformError {
  const publish = step === 'publish';
  if (err instanceof GraphNoAnswer) {
    return err.sent && publish ? new PlatformError('unknown-outcome', `${err.message}; it may have gone out`) : new PlatformError('transient', err.message);
  }
  if (!(err instanceof GraphError)) return new PlatformError(publish ? 'unknown-outcome' : 'transient', err instanceof Error ? err.message : String(err));
  if (err.status === 429) return PlatformError.rateLimited(`Meta is limiting this account: ${err.message}`, new Date(now.getTime() + (err.usage.regainMs || DEFAULT_THROTTLE_MS)));
  const words = err.userMessage ? `${err.message} — ${err.userMessage}` : err.message;
  const code = err.code;
  // Instagram's spam restriction arrives under a throttling code, but waiting does not lift it.
  if (code === 4 && err.subcode === 2207051) return new PlatformError('rejected', `Instagram restricted this account's publishing as possible spam: ${words}`);
  if (code !== undefined && THROTTLED.has(code)) {
    return PlatformError.rateLimited(`Meta is limiting this account: ${words}`, new Date(now.getTime() + (err.usage.regainMs || DEFAULT_THROTTLE_MS)));
  }
  if (code === 190 || code === 102) {
    const why = err.subcode !== undefined ? TOKEN_SUBCODES[err.subcode] : undefined;
    return new PlatformError('auth-expired', `Meta no longer accepts this connection${why ? ` (${why})` : ''}: ${words}`);
  }
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) {
    return new PlatformError('auth-expired', `the connection lacks a permission Meta requires: ${words}`);
  }
  if (code === 9 && err.subcode === 2207042) {
    // Instagram's daily publishing quota: the channel waits for its window; the adapter, which reads the
    // quota, knows better when that is and says so itself.
    return PlatformError.rateLimited(`Instagram's daily publishing limit is reached: ${words}`, new Date(now.getTime() + 60 * 60_000));
  }
  if (code === 9007 || code === -2) return new PlatformError('transient', `Instagram is not ready: ${words}`);
  // Instagram's "server error": answered even after a post was made, so for the publishing request, unknown.
  if (code === -1) return new PlatformError(publish ? 'unknown-outcome' : 'transient', `Instagram had a passing problem: ${words}`);
  if (code === 368) return new PlatformError('rejected', `Meta blocked this post for its policies: ${words}`);
  if (code === 506) return new PlatformError('unknown-outcome', `Meta says the same post is already there: ${words}`);
  if (code === 1 || code === 2 || err.status >= 500 || (code === undefined && err.status < 400)) {
    // Code 1 ("an unknown error") has been answered after a post was made: for the publishing request, unknown.
    return new PlatformError(publish ? 'unknown-outcome' : 'transient', `Meta had a passing problem: ${words}`);
  }
  return new PlatformError('rejected', `Meta refused it: ${words}`);
}
