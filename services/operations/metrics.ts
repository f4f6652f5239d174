// Prometheus metrics, through prom-client: the one module that knows it. Each process has its own
// registry; what the whole installation shares (queues, held channels, live workers) is read at scrape
// time from Redis and the database, so any API process can answer for it.
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueInspector } from '../../workers/queue/queue-inspector';

export interface PublishMetrics {
  /** A publish job's result for one target; lateness only for a target that went out. */
  outcome(channelKind: string, result: string, latenessSeconds?: number): void;
}

export interface RenderMetrics {
  rendered(seconds: number, result: 'ready' | 'failed'): void;
}

export interface Metrics extends PublishMetrics, RenderMetrics {
  /** Times each HTTP request, labelled by its route pattern (never the raw path: ids would explode the labels). */
  http: (req: Request, res: Response, next: NextFunction) => void;
  /** The Prometheus text exposition. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

export interface MetricSources {
  /** Present where the installation-wide figures are answered for (API processes). */
  queues?: QueueInspector | undefined;
  heldChannels?: (() => Promise<Array<{ kind: string; reason: string; count: number }>>) | undefined;
  liveWorkers?: (() => Promise<number>) | undefined;
  database: () => Promise<void>;
  redis: () => Promise<void>;
}

const LATENESS_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600];
const RENDER_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

async function roundTrip(probe: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  let timer: NodeJS.Timeout | undefined;
  try {
    // A scrape never waits long on a dependency that is away.
    await Promise.race([probe(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), 2000)))]);
    return Number(process.hrtime.bigint() - started) / 1e9;
  } catch {
    // Unreachable: the gauge says so with -1 rather than hiding the series.
    return -1;
  } finally {
    clearTimeout(timer);
  }
}

export function createMetrics(role: string, sources: MetricSources): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry, prefix: 'siaran_' });

  const outcomes = new Counter({
    name: 'siaran_publish_outcomes_total',
    help: 'Publish jobs by channel kind and result (published, failed, unconfirmed, retry, held, not-yet, skipped, stale).',
    labelNames: ['channel_kind', 'result'] as const,
    registers: [registry],
  });
  const lateness = new Histogram({
    name: 'siaran_publish_lateness_seconds',
    help: 'Time from a target’s scheduled instant to its publication being recorded.',
    labelNames: ['channel_kind'] as const,
    buckets: LATENESS_BUCKETS,
    registers: [registry],
  });
  const render = new Histogram({
    name: 'siaran_media_render_seconds',
    help: 'Time to render all renditions of one photo version.',
    labelNames: ['result'] as const,
    buckets: RENDER_BUCKETS,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'siaran_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status class.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: 'siaran_database_roundtrip_seconds',
    help: 'One `select 1` round trip at scrape time; -1 when the database does not answer.',
    registers: [registry],
    async collect() {
      this.set(await roundTrip(sources.database));
    },
  });
  new Gauge({
    name: 'siaran_redis_roundtrip_seconds',
    help: 'One PING round trip at scrape time; -1 when Redis does not answer.',
    registers: [registry],
    async collect() {
      this.set(await roundTrip(sources.redis));
    },
  });
  if (sources.queues) {
    const queues = sources.queues;
    new Gauge({
      name: 'siaran_queue_jobs',
      help: 'Jobs in each BullMQ queue by state (installation-wide).',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const counts = await queues.counts().catch(() => undefined);
        for (const [queue, states] of Object.entries(counts ?? {})) {
          for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
        }
      },
    });
  }
  if (sources.heldChannels) {
    const held = sources.heldChannels;
    new Gauge({
      name: 'siaran_channels_held',
      help: 'Channels whose posts wait: needing reconnection, rate-limited or paced, or switched off (installation-wide).',
      labelNames: ['channel_kind', 'reason'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await held().catch(() => [])) this.set({ channel_kind: row.kind, reason: row.reason }, row.count);
      },
    });
  }
  if (sources.liveWorkers) {
    const live = sources.liveWorkers;
    new Gauge({
      name: 'siaran_workers_alive',
      help: 'Worker processes whose heartbeat reached Redis in the last 20 s (installation-wide).',
      registers: [registry],
      async collect() {
        this.set(await live().catch(() => 0));
      },
    });
  }

  return {
    outcome(channelKind, result, latenessSeconds) {
      outcomes.inc({ channel_kind: channelKind, result });
      if (latenessSeconds !== undefined) lateness.observe({ channel_kind: channelKind }, Math.max(0, latenessSeconds));
    },
    rendered(seconds, result) {
      render.observe({ result }, seconds);
    },
    http(req, res, next) {
      const end = httpDuration.startTimer();
      res.once('finish', () => {
        // The pattern the router matched (`/api/v1/posts/:id`), known only once it has run.
        const route = (req.route as { path?: unknown } | undefined)?.path;
        end({ method: req.method, route: typeof route === 'string' ? `${req.baseUrl}${route}` : 'unmatched', status: `${String(Math.floor(res.statusCode / 100))}xx` });
      });
      next();
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
