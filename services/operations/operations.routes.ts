// What operators and their tools ask a process: is it alive (/healthz), can it work (/readyz: the
// database, Redis and, for publishing, live workers), and its metrics (/metrics, behind METRICS_TOKEN).
import { timingSafeEqual } from 'node:crypto';
import express from 'express';
import type { Logger } from 'pino';
import type { Metrics } from './metrics';

/** A readiness check's own answer, safe to show anyone; any other error is only "unreachable" outside the logs. */
export class NotReady extends Error {}

export interface OperationsDeps {
  /** Each check throws when what it checks is unreachable or absent. */
  readiness: Record<string, () => Promise<void>>;
  metrics: Metrics;
  /** METRICS_TOKEN; without it /metrics is not served. */
  metricsToken: string | undefined;
  log: Logger;
}

export function operationsRouter(deps: OperationsDeps): express.Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      Object.entries(deps.readiness).map(async ([name, check]): Promise<[string, string]> => {
        try {
          await withTimeout(check(), 2000);
          return [name, 'ok'];
        } catch (err) {
          // Driver errors can name internal hosts and accounts: they go to the log, not to the caller.
          if (err instanceof NotReady) return [name, err.message];
          deps.log.warn({ err, check: name }, 'not ready');
          return [name, 'unreachable'];
        }
      }),
    );
    const ready = results.every(([, r]) => r === 'ok');
    res.set('cache-control', 'no-store');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks: Object.fromEntries(results) });
  });
  const expected = deps.metricsToken ? Buffer.from(`Bearer ${deps.metricsToken}`) : undefined;
  router.get('/metrics', async (req, res) => {
    res.set('cache-control', 'no-store');
    if (!expected) {
      res.status(404).json({ error: { code: 'metrics.off', message: 'Metrics are off: set METRICS_TOKEN to serve them.' } });
      return;
    }
    const given = Buffer.from(req.get('authorization') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.set('www-authenticate', 'Bearer realm="metrics"');
      res.status(401).json({ error: { code: 'metrics.token', message: 'Send METRICS_TOKEN as a bearer token.' } });
      return;
    }
    const { contentType, body } = await deps.metrics.scrape();
    res.type(contentType).send(body);
  });
  return router;
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${String(ms)} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A worker-only process's HTTP surface: the same health, readiness and metrics, nothing else. */
export function operationsApp(deps: OperationsDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(deps.metrics.http);
  app.use(operationsRouter(deps));
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'route.not_found', message: 'This is a worker process: /healthz, /readyz and /metrics only.' } });
  });
  return app;
}
