// The baseline of publish throughput: a bare BullMQ worker that makes the same signed webhook POST Siaran makes,
// with no database. Started as its own process by publish-throughput.bench.ts, one or more at a time.
import { createHmac } from 'node:crypto';
import { Worker } from 'bullmq';

const redisUrl = process.env.BARE_REDIS_URL!;
const prefix = process.env.BARE_PREFIX!;
const target = process.env.BARE_URL!;
const concurrency = Number(process.env.BARE_CONCURRENCY ?? 8);
const secret = 'bench-secret-0123456789';

const worker = new Worker(
  'bare',
  async (job) => {
    const { n } = job.data as { n: number };
    const now = new Date();
    // The same shape and size as Siaran's webhook body for a post without photos.
    const body = JSON.stringify({
      event: 'post.published',
      deliveryId: job.id,
      post: {
        id: job.id,
        title: `Berita ${String(n)}`,
        text: 'Isi.',
        url: `http://localhost:3000/u/polres-bench/p/${String(job.id)}`,
        scheduledAt: now.toISOString(),
        scheduledLocal: now.toISOString(),
        unit: { slug: 'polres-bench', name: 'Polres Bench', timeZone: 'Asia/Jakarta' },
        photos: [],
        links: [],
      },
      sentAt: now.toISOString(),
    });
    const ts = Math.floor(now.getTime() / 1000);
    const res = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-siaran-signature': `sha256=${createHmac('sha256', secret).update(`${String(ts)}.${body}`).digest('hex')}`,
        'x-siaran-timestamp': String(ts),
        'x-delivery': String(job.id),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    await res.text();
    if (!res.ok) throw new Error(`HTTP ${String(res.status)}`);
  },
  { connection: { ...parse(redisUrl), maxRetriesPerRequest: null }, prefix, concurrency },
);

function parse(url: string) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 6379), db: Number(u.pathname.slice(1) || 0) };
}

process.on('SIGTERM', () => {
  worker.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
