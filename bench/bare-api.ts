// The baseline of the API: Express 5 parsing the same JSON body Siaran's create-post takes and adding a BullMQ job,
// with no database and no checks. Started as its own process by api.bench.ts.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import express from 'express';

const redisUrl = new URL(process.env.BARE_REDIS_URL!);
const queue = new Queue('bare-api', {
  connection: { host: redisUrl.hostname, port: Number(redisUrl.port || 6379), maxRetriesPerRequest: 1 },
  prefix: process.env.BARE_PREFIX!,
});
const app = express();
app.use(express.json({ limit: '1mb' }));
app.post('/api/v1/posts', async (req, res) => {
  const body = req.body as { title?: unknown; scheduledAt?: unknown };
  if (typeof body.title !== 'string' || typeof body.scheduledAt !== 'string') {
    res.status(422).json({ error: 'invalid' });
    return;
  }
  const id = randomUUID();
  await queue.add('publish', { id }, { jobId: id, delay: Math.max(0, Date.parse(body.scheduledAt) - Date.now()), removeOnComplete: true });
  res.status(201).json({ id, title: body.title, status: 'draft', scheduledAt: body.scheduledAt });
});
app.get('/healthz', (_req, res) => {
  res.json({ ok: true });
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  void queue.obliterate({ force: true }).finally(() => queue.close().finally(() => process.exit(0)));
});
