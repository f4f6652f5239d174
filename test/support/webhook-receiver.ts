// A local webhook endpoint on 127.0.0.1 that checks each delivery's signature as a real receiver would.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from '../../services/publishing/platforms/webhook/webhook-signature';

export interface Delivery {
  deliveryId: string;
  validSignature: boolean;
  body: any;
  receivedAt: number;
}

/**
 * A fault at random (the chaos run): an error answer (the delivery is not taken, so not recorded), a dropped
 * connection (recorded when `accept`: taken, the answer lost), or a slow answer.
 */
export type ReceiverFault = { status: number; headers?: Record<string, string> } | { drop: true; accept: boolean } | { delayMs: number };

export interface Receiver {
  url: string;
  deliveries: Delivery[];
  /** What to do with the next requests: answer with a status, or hold the request open (never answer). */
  behave(b: 'ok' | 'hang' | number): void;
  /** Asked for every request while set: a fault for it, or nothing for the normal behaviour. */
  setChaos(choose: (() => ReceiverFault | undefined) | undefined): void;
  /** Resolves when a request arrives (after it is recorded). */
  nextRequest(): Promise<Delivery>;
  close(): Promise<void>;
}

export async function startReceiver(secret: string): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  let behaviour: 'ok' | 'hang' | number = 'ok';
  let chaos: (() => ReceiverFault | undefined) | undefined;
  let waiters: Array<(d: Delivery) => void> = [];
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const fault = chaos?.();
      if (fault && 'status' in fault) {
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(JSON.stringify({ error: 'not now' }));
        return;
      }
      if (fault && 'drop' in fault && !fault.accept) {
        req.socket.destroy();
        return;
      }
      const d: Delivery = {
        deliveryId: String(req.headers[DELIVERY_HEADER]),
        validSignature: verifyWebhook(secret, { signature: req.headers[SIGNATURE_HEADER] as string | undefined, timestamp: req.headers[TIMESTAMP_HEADER] as string | undefined }, raw),
        body: JSON.parse(raw),
        receivedAt: Date.now(),
      };
      deliveries.push(d);
      const w = waiters;
      waiters = [];
      w.forEach((f) => f(d));
      if (fault && 'drop' in fault) {
        req.socket.destroy();
        return;
      }
      if (behaviour === 'hang') {
        held.push(res);
        return;
      }
      const status = behaviour === 'ok' ? 200 : behaviour;
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status < 300 ? JSON.stringify({ id: `rcv-${deliveries.length}` }) : JSON.stringify({ error: 'no' }));
      };
      if (fault && 'delayMs' in fault) setTimeout(answer, fault.delayMs);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    deliveries,
    behave: (b) => {
      behaviour = b;
    },
    setChaos: (choose) => {
      chaos = choose;
    },
    nextRequest: () => new Promise((r) => waiters.push(r)),
    close: () =>
      new Promise((r) => {
        held.forEach((res) => res.destroy());
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
