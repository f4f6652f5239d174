// What the platform fakes share: a server on 127.0.0.1 that reads bodies as the real APIs accept them
// (JSON, form-encoded, multipart), records every request, and lets a test inject faults per route.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Busboy from 'busboy';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** JSON or form fields; multipart text fields are here too. */
  body: Record<string, unknown>;
  /** Multipart files, by field name. */
  files: Record<string, { data: Buffer; filename: string; type: string }>;
  raw: Buffer;
  at: number;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A fault for the next `times` requests of a route (`POST /2/tweets`):
 * - `answer`: answer this instead of doing the work;
 * - `hang`: never answer; with `accept`, do the work first (the platform took it, the answer is lost);
 * - `delayMs`: do the work, answer this much later;
 * - `drop`: close the connection without an answer, after doing the work when `accept`.
 */
export type Fault =
  | { answer: FakeAnswer; times?: number }
  | { hang: true; accept?: boolean; times?: number }
  | { delayMs: number; times?: number }
  | { drop: true; accept?: boolean; times?: number };

export type Handler = (req: FakeRequest) => FakeAnswer | Promise<FakeAnswer>;

export interface FakeServer {
  url: string;
  /** Added to every answer, as the distance to the real platform would (benchmarks). Default 0. */
  latencyMs: number;
  port: number;
  requests: FakeRequest[];
  /** Adds a fault for a route, e.g. `POST /2/tweets` or `POST /bot*\/sendMessage` (a `*` matches a segment). */
  fault: (route: string, fault: Fault) => void;
  clearFaults: () => void;
  /**
   * Faults at random (the chaos run): `choose` is asked for every request no queued fault takes; its answer
   * (a fault, or nothing for the normal answer) is used for that request. Off by default; `undefined` ends it.
   */
  setChaos: (choose: ((req: FakeRequest) => Fault | undefined) | undefined) => void;
  /** Resolves when a request for the route arrives. */
  nextRequest: (route: string) => Promise<FakeRequest>;
  close: () => Promise<void>;
}

/** A request field as text: what a form or JSON carried, or empty. */
export function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

export async function startFakeServer(
  route: (req: FakeRequest) => Handler | undefined,
  decorate: (req: FakeRequest, answer: FakeAnswer) => FakeAnswer = (_r, a) => a,
): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const faults: Array<{ pattern: RegExp; fault: Fault; left: number }> = [];
  let waiters: Array<{ pattern: RegExp; resolve: (r: FakeRequest) => void }> = [];
  const held = new Set<http.ServerResponse>();
  let chaos: ((req: FakeRequest) => Fault | undefined) | undefined;
  const toPattern = (r: string) => new RegExp(`^${r.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+')}$`);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks);
        const url = new URL(req.url ?? '/', 'http://fake');
        const fr: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: {}, files: {}, raw, at: Date.now() };
        await parseBody(fr);
        requests.push(fr);
        const key = `${fr.method} ${fr.path}`;
        const w = waiters.filter((x) => x.pattern.test(key));
        waiters = waiters.filter((x) => !x.pattern.test(key));
        w.forEach((x) => x.resolve(fr));
        const handler = route(fr);
        const f = faults.find((x) => x.left > 0 && x.pattern.test(key));
        if (f) f.left -= 1;
        const fault = f?.fault ?? chaos?.(fr);
        if (self.latencyMs > 0) await new Promise((r) => setTimeout(r, self.latencyMs));
        const send = (a: FakeAnswer) => {
          const answer = decorate(fr, a);
          res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
          res.end(answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
        };
        const work = async () => (handler ? handler(fr) : { status: 404, body: { errors: [{ message: 'Sorry, that page does not exist', code: 34 }] } });
        try {
          if (fault && 'answer' in fault) return send(fault.answer);
          if (fault && 'hang' in fault) {
            if (fault.accept) await work();
            held.add(res);
            return;
          }
          if (fault && 'drop' in fault) {
            if (fault.accept) await work();
            req.socket.destroy();
            return;
          }
          const answer = await work();
          if (fault && 'delayMs' in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
          if (!res.destroyed) send(answer);
        } catch (err) {
          send({ status: 500, body: { title: 'Internal Error', detail: String(err) } });
        }
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const self: FakeServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    latencyMs: 0,
    setChaos: (choose) => {
      chaos = choose;
    },
    requests,
    fault: (routeText, fault) => {
      faults.push({ pattern: toPattern(routeText), fault, left: fault.times ?? 1 });
    },
    clearFaults: () => {
      faults.length = 0;
    },
    nextRequest: (routeText) => new Promise((resolve) => waiters.push({ pattern: toPattern(routeText), resolve })),
    close: () =>
      new Promise((r) => {
        held.forEach((res) => res.destroy());
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return self;
}

async function parseBody(fr: FakeRequest): Promise<void> {
  const type = fr.headers['content-type'] ?? '';
  if (fr.raw.length === 0) return;
  if (type.includes('application/json')) {
    fr.body = JSON.parse(fr.raw.toString('utf8')) as Record<string, unknown>;
  } else if (type.includes('application/x-www-form-urlencoded')) {
    fr.body = Object.fromEntries(new URLSearchParams(fr.raw.toString('utf8')));
  } else if (type.includes('multipart/form-data')) {
    // Multipart as a platform's server reads it (busboy takes what clients send, quoted or not).
    await new Promise<void>((resolve, reject) => {
      const bb = Busboy({ headers: { 'content-type': type } });
      bb.on('field', (name, value) => {
        fr.body[name] = value;
      });
      bb.on('file', (name, stream, info) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          fr.files[name] = { data: Buffer.concat(chunks), filename: info.filename ?? '', type: info.mimeType };
        });
      });
      bb.on('close', () => resolve());
      bb.on('error', reject);
      bb.end(fr.raw);
    });
  }
}
