// How long the server waits on a client. A request that announced a body and then stalls is dropped after a
// short silence, while a slow upload that keeps moving (a photo over a weak mobile line) runs as long as it moves
// at a pace no real line falls below; a body trickled a byte at a time to hold the connection open is dropped.
import type { IncomingMessage, Server } from 'node:http';

export interface ServerTimeouts {
  /** Silence allowed while a request's headers or body are arriving, in ms. */
  idleMs: number;
}

/** The whole of a request's headers must arrive within this; they are a few kilobytes at most. */
const HEADERS_MS = 30_000;
/**
 * The slowest average a body may keep after its first moments: 1 kB/s, under a tenth of the weakest mobile data
 * line (EDGE carries 10–25 kB/s). Below it, only someone holding connections open on purpose is sending.
 */
const MIN_BODY_BYTES_PER_SECOND = 1024;
/** The first moments a body may be slower than that (a phone waking its radio), as a multiple of the idle limit. */
const GRACE_IDLE_MULTIPLE = 5;

export function applyServerTimeouts(server: Server, t: ServerTimeouts): void {
  // Node's default (300 s for the whole request) would cut off a 25 MB photo sent at 50 kB/s, yet holds a stalled
  // request for five minutes: the body's silence and its pace are what count instead (below). An hour still ends
  // the endless.
  server.requestTimeout = 3_600_000;
  server.headersTimeout = HEADERS_MS;
  server.on('request', (req: IncomingMessage) => {
    if (!announcesBody(req)) return;
    // The socket's own timer restarts with every chunk that arrives; when it fires, Node closes the socket.
    // Once the body is in, the handler may take its time (a platform call, a photo's decoding): no timer then.
    const socket = req.socket;
    socket.setTimeout(t.idleMs);
    // The pace, read from the socket's own count of bytes (a 'data' listener here would take the body from the
    // parsers that read it).
    const startedAt = Date.now();
    const startBytes = socket.bytesRead;
    const graceMs = t.idleMs * GRACE_IDLE_MULTIPLE;
    const pace = setInterval(() => {
      const elapsed = Date.now() - startedAt;
      if (elapsed < graceMs) return;
      if (((socket.bytesRead - startBytes) * 1000) / elapsed < MIN_BODY_BYTES_PER_SECOND) socket.destroy();
    }, Math.max(250, Math.floor(t.idleMs / 2)));
    pace.unref();
    const done = () => {
      clearInterval(pace);
      socket.setTimeout(0);
    };
    req.once('end', done);
    req.once('close', done);
  });
}

function announcesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
