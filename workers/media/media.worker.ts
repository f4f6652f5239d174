// The media worker: renders photos' renditions off the request path, several photos at once.
import os from 'node:os';
import { type ConnectionOptions, type Job, Worker } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { MediaStore } from '../../services/media/media-store';
import type { RenderMetrics } from '../../services/operations/metrics';
import type { DB } from '../../services/storage/schema';
import { MEDIA_QUEUE, RENDER_JOB, type RenderJobData } from './media.queue';
import { markRenderFailed, renderPhoto } from './render-photo';
import { configureImageEngine, type ImageEngine, imageEngine } from './sharp-engine';

export interface MediaWorkerDeps {
  db: Kysely<DB>;
  /** BullMQ connection options (what workers/queue/redis.ts builds); the worker opens its own connection. */
  connection: ConnectionOptions;
  /** REDIS_PREFIX */
  prefix: string;
  store: MediaStore;
  log: Logger;
  /** Photos rendered at once (MEDIA_CONCURRENCY). Default: the machine's cores. */
  concurrency?: number | undefined;
  /** MEDIA_MAX_PIXELS */
  maxPixels: number;
  /** MEDIA_CACHE_MB. Default 64. */
  cacheMb?: number | undefined;
  /** Replaced only by tests. Default: sharp. */
  engine?: ImageEngine;
  /** Times each photo's rendering for /metrics. */
  metrics?: RenderMetrics | undefined;
}

export interface MediaWorkerHandle {
  readonly worker: Worker<RenderJobData>;
  close(): Promise<void>;
}

type Handler = (job: Job<RenderJobData>) => Promise<unknown>;

export async function startMediaWorker(deps: MediaWorkerDeps): Promise<MediaWorkerHandle> {
  const concurrency = deps.concurrency ?? os.availableParallelism();
  // One libvips thread per photo and as many photos as cores: the cores stay busy, and memory is
  // bounded by `concurrency` decoded photos (about 50 MB each at 4096 px) plus the cache.
  configureImageEngine({ threadsPerImage: 1, cacheMb: deps.cacheMb ?? 64 });
  const engine = deps.engine ?? imageEngine;
  const renderDeps = { db: deps.db, store: deps.store, engine, log: deps.log, maxPixels: deps.maxPixels };

  const handlers: Record<string, Handler> = {
    [RENDER_JOB]: async (job) => {
      const { photoId, version } = job.data;
      const started = process.hrtime.bigint();
      const took = () => Number(process.hrtime.bigint() - started) / 1e9;
      try {
        const outcome = await renderPhoto(renderDeps, photoId, version);
        deps.metrics?.rendered(took(), 'ready');
        return outcome;
      } catch (e) {
        deps.metrics?.rendered(took(), 'failed');
        const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        deps.log.warn({ err: e, photoId, version, attempt: job.attemptsMade + 1, last }, 'photo rendering failed');
        if (last) await markRenderFailed(deps.db, photoId, version, e instanceof Error ? e.message : String(e));
        throw e;
      }
    },
  };

  const worker = new Worker<RenderJobData>(
    MEDIA_QUEUE,
    async (job) => {
      const handler = handlers[job.name];
      if (!handler) throw new Error(`no handler for media job "${job.name}"`);
      return handler(job);
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency,
      // Rendering is async in libvips threads, so the lock is renewed; the margin covers very slow disks.
      lockDuration: 120_000,
    },
  );
  worker.on('error', (err) => deps.log.error({ err }, 'media worker error'));
  await worker.waitUntilReady();
  deps.log.info({ concurrency }, 'media worker started');
  return {
    worker,
    close: () => worker.close(),
  };
}
