// The HTTP surface: health, the JSON API, the public news pages.
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { PostDeps } from '../posts/deps';
import { type OperationsDeps, operationsRouter } from '../operations/operations.routes';
import { newsPageRoutes } from '../public/news-page.routes';
import type { UnitLogos } from '../public/unit-logo';
import { siteRoutes } from '../public/site.routes';
import type { AssetStore } from '../web/assets';
import { apiRoutes } from './api.routes';
import { bearerAuth } from './auth';
import { errorHandler, language } from './errors';
import { mountApp } from './route-list';
import { storableInput } from './storable-input';

export interface AppDeps {
  posts: PostDeps;
  log: Logger;
  jsonLimit: string;
  baseUrl: () => string;
  version: string;
  /** /healthz, /readyz and /metrics. */
  operations: OperationsDeps;
  /**
   * More routers at the root, after authentication of /api/v1: their /api/v1 paths see `req.actor`,
   * their other paths are public (photos, rendition files).
   */
  extraRouters?: express.Router[];
  /** Express's "trust proxy" value (TRUST_PROXY); undefined trusts none. */
  trustProxy?: string | undefined;
  /** Public URL of a stored rendition, for the news pages. */
  photoUrl?: (key: string) => string;
  /** The units' logos on their news pages. */
  logos?: UnitLogos;
  /** The built style sheets and scripts (served by the web router's /assets route); the news pages link theirs. */
  assets: Pick<AssetStore, 'url'>;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (deps.trustProxy) app.set('trust proxy', /^\d+$/.test(deps.trustProxy) ? Number(deps.trustProxy) : deps.trustProxy);

  // Timing first, so every request is counted, including those an error handler answers.
  app.use(deps.operations.metrics.http);
  app.use(operationsRouter(deps.operations));

  // Every JSON answer is the reader's own and of the moment: no cache, shared or private, keeps it.
  app.use('/api', (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    // Nothing of the API is kept to revalidate: a conditional request (`If-None-Match: *` matches any answer) must
    // get the answer, never an empty 304.
    delete req.headers['if-none-match'];
    delete req.headers['if-modified-since'];
    next();
  });
  const registry = apiRoutes(deps.posts);
  const openApi = () => registry.openApi({ title: 'Siaran API', version: deps.version, serverUrl: deps.baseUrl() });
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApi());
  });
  // The API is an application of its own for one setting: no ETag. Its routes' answers are never stored (no-store
  // above), so a validator would only cost a hash of every answer (the error handler's answers, on this app, keep
  // theirs). A path it does not serve falls through, authenticated, to the routers below, and its errors reach the
  // error handler at the end. Its other settings are Express's defaults, as this app's are: one set on this app
  // (query parser, trust proxy aside, which it inherits; strict routing) must be set on it too.
  const api = express();
  api.disable('x-powered-by');
  api.set('etag', false);
  api.use(express.json({ limit: deps.jsonLimit, strict: true }), bearerAuth(deps.posts.db, deps.posts.now), storableInput());
  api.use(registry.router);
  mountApp(app, '/api/v1', api);
  // The public site before the web app's routers, so that its pages answer under their own, stricter policy
  // and never under the staff app's.
  app.use(siteRoutes(deps.baseUrl));
  app.use(newsPageRoutes({ db: deps.posts.db, baseUrl: deps.baseUrl, photoUrl: deps.photoUrl, stylesheet: () => deps.assets.url('news'), shareScript: () => deps.assets.url('share'), now: deps.posts.now, log: deps.log, logos: deps.logos }));
  for (const r of deps.extraRouters ?? []) app.use(r);
  app.use('/api', (req, res) => {
    const en = language(req) === 'en';
    res.status(404).json({ error: { code: 'route.not_found', message: en ? 'No such API route.' : 'Rute API tidak ada.', details: { method: req.method, path: req.path } } });
  });

  app.get('/', (_req, res) => {
    res.type('html').send(
      '<!doctype html><html lang="id"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Siaran</title>' +
        '<body style="font-family:system-ui;max-width:40rem;margin:2rem auto;padding:0 1rem"><h1>Siaran</h1>' +
        '<p>Penjadwal konten Humas. API: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>. Halaman berita satuan: <code>/u/&lt;slug&gt;</code>.</p></body></html>',
    );
  });
  app.use(errorHandler(deps.log));
  return app;
}
