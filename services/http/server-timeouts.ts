// How long the server waits on a client. A request that announced a body and then stalls is dropped after a
// short silence, while a slow upload that keeps moving (a photo over a weak mobile line) runs as long as it moves.
import type { IncomingMessage, Server } from 'node:http';

export interface ServerTimeouts {
  /** Silence allowed while a request's headers or body are arriving, in ms. */
  idleMs: number;
}

/** The whole of a request's headers must arrive within this; they are a few kilobytes at most. */
const HEADERS_MS = 30_000;

export function applyServerTimeouts(server: Server, t: ServerTimeouts): void {
  // Node's default (300 s for the whole request) would cut off a 25 MB photo sent at 50 kB/s, yet holds a stalled
  // request for five minutes: the body's silence is what counts instead (below). An hour still ends the endless.
  server.requestTimeout = 3_600_000;
  server.headersTimeout = HEADERS_MS;
  server.on('request', (req: IncomingMessage) => {
    if (!announcesBody(req)) return;
    // The socket's own timer restarts with every chunk that arrives; when it fires, Node closes the socket.
    // Once the body is in, the handler may take its time (a platform call, a photo's decoding): no timer then.
    const socket = req.socket;
    socket.setTimeout(t.idleMs);
    req.once('end', () => socket.setTimeout(0));
  });
}

function announcesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
