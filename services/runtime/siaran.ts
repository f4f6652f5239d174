// Puts the product together from validated config: database, Redis, the API, the workers.
import { purgeExpiredStates } from '../channels/oauth-states';
import { keepCredentialsAlive } from '../publishing/keep-credentials-alive';
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { type Env, httpsOnly, photosUnreachable, publicBaseUrl } from '../../config/env';
import os from 'node:os';
import path from 'node:path';
import { startMediaWorker, type MediaWorkerHandle } from '../../workers/media/media.worker';
import { MediaQueue } from '../../workers/media/media.queue';
import { configureImageEngine, imageEngine } from '../../workers/media/sharp-engine';
import { type RunningWorkers, startPublishWorkers } from '../../workers/publish/publish.worker';
import { PublishQueue } from '../../workers/queue/publish-queue';
import { NotifyQueue } from '../../workers/queue/notify-queue';
import { type RunningNotifyWorker, startNotifyWorker } from '../../workers/notify/notify.worker';
import { type RunningEngagementWorker, startEngagementWorker, stopEngagementSchedule } from '../../workers/engagement/engagement.worker';
import { type RunningImportWorker, startImportWorker } from '../../workers/imports/import.worker';
import { PlanImportQueue } from '../../workers/queue/import-queue';
import { smtpMailer } from '../notifications/mailer';
import { liveWorkers, startHeartbeat } from '../../workers/queue/heartbeat';
import { queueInspector } from '../../workers/queue/queue-inspector';
import { parseSentinels, producerConnection, redisClient, workerConnection } from '../../workers/queue/redis';
import { heldChannelCounts } from '../operations/held-channels.repository';
import { createMetrics } from '../operations/metrics';
import { NotReady, operationsApp } from '../operations/operations.routes';
import type { ChannelDeps } from '../channels/manage-channels';
import { secretBox } from '../channels/secret-box';
import { platformAdapters, platformConfig } from '../publishing/platforms/registry';
import { createApp } from '../http/app';
import { type RouteEntry, listRoutes } from '../http/route-list';
import { unitLogos } from '../public/unit-logo';
import type { MediaDeps } from '../media/deps';
import { createLocalMediaStore } from '../media/local-media-store';
import { mediaSigningKey } from '../media/media-store';
import { createS3MediaStore } from '../media/s3-media-store';
import { mediaRouter } from '../media/media.routes';
import { queuePostRenditions } from '../media/read-photos';
import type { PostDeps } from '../posts/deps';
import { type Database, migrateToLatest, openDatabase } from '../storage/database';
import { createLogger } from './logger';
import { resolveRedis } from './private-redis';
import { resolveSecretsKey } from './secrets-key';
import { purgeExpiredSessions } from '../web/session.repository';
import { startControlChannel } from '../cli/control';
import { setupLink } from '../setup/first-run';
import { assetStore } from '../web/assets';
import { applyServerTimeouts } from '../http/server-timeouts';
import { webRouter } from '../web/web.routes';
import { configurePasswordCostFrom, preparePasswordChecks } from '../users/passwords';

/** The smallest pool a worker's publish jobs run well with (see DATABASE_POOL_SIZE in config/env.ts). */
const MIN_WORKER_POOL = 4;

export interface Roles {
  api: boolean;
  worker: boolean;
}

export interface RunningSiaran {
  /** Base URL of the HTTP server, when the API runs here. */
  url: string | undefined;
  database: Database;
  queue: PublishQueue;
  workers: RunningWorkers | undefined;
  /** The notification e-mails and sweep, when the worker role runs here. */
  notifications: RunningNotifyWorker | undefined;
  /** The engagement job's queue and worker (worker processes, unless ENGAGEMENT_EVERY_MINUTES is 0). */
  engagement: RunningEngagementWorker | undefined;
  /** Large posting plans' imports, when the worker role runs here. */
  imports: RunningImportWorker | undefined;
  /** Connecting and looking after channels, as the admin page and the CLI do. */
  channels: ChannelDeps;
  /** PUBLIC_BASE_URL, or this server's own address. */
  baseUrl(): string;
  /** Every route the HTTP server answers (method and declared path), for checks over all of them. */
  routes(): RouteEntry[];
  /** The first run's set-up link while the database has no account (API role only). */
  firstRunLink(): Promise<string | undefined>;
  log: Logger;
  close(): Promise<void>;
}

const VERSION = '0.1.0';

export interface StartOptions {
  log?: Logger;
  now?: () => Date;
  /**
   * The embedded database stopped after the start (its thread died): it is logged as fatal here, and every
   * statement fails from then on. The process that owns this server decides what follows (main.ts stops it).
   */
  onDatabaseLost?: (err: Error) => void;
}

export async function startSiaran(env: Env, roles: Roles, opts: StartOptions = {}): Promise<RunningSiaran> {
  const log = opts.log ?? createLogger(env.LOG_LEVEL);
  const now = opts.now ?? (() => new Date());
  if (!env.DATABASE_URL && !(roles.api && roles.worker)) {
    throw new Error('The embedded database (no DATABASE_URL) serves one process: run API and workers together with `npm start`.');
  }
  // Read first: an API without its built scripts and style refuses to start rather than serve broken pages.
  const assets = roles.api ? assetStore() : undefined;
  const key = resolveSecretsKey(env.SECRETS_KEY, env.DATA_DIR);
  const sentinel = env.REDIS_SENTINELS ? { nodes: parseSentinels(env.REDIS_SENTINELS), name: env.REDIS_SENTINEL_NAME, password: env.REDIS_SENTINEL_PASSWORD } : undefined;
  const redis = await resolveRedis(env.REDIS_URL, { autostart: env.REDIS_AUTOSTART, dataDir: env.DATA_DIR, log, sentinel });
  const minPool = Math.min(env.PUBLISH_CONCURRENCY, MIN_WORKER_POOL);
  if (env.DATABASE_URL && roles.worker && env.DATABASE_POOL_SIZE < minPool) {
    // Publish jobs' claims and outcomes keep up to two connections busy (batched); anything else a job asks waits
    // for another.
    log.warn(
      { DATABASE_POOL_SIZE: env.DATABASE_POOL_SIZE, PUBLISH_CONCURRENCY: env.PUBLISH_CONCURRENCY },
      `DATABASE_POOL_SIZE is below ${String(minPool)}: publish jobs will wait for a database connection; raise DATABASE_POOL_SIZE to at least ${String(minPool)}`,
    );
  }
  const database = await openDatabase({
    databaseUrl: env.DATABASE_URL,
    schema: env.DATABASE_SCHEMA,
    poolSize: env.DATABASE_POOL_SIZE,
    embeddedBuffersMb: env.EMBEDDED_DB_BUFFERS_MB,
    dataDir: env.EMBEDDED_DB_IN_MEMORY ? 'memory://' : env.DATA_DIR,
    onLost: (err) => {
      log.fatal({ err }, 'the embedded database stopped: nothing can be read or saved until Siaran is restarted');
      opts.onDatabaseLost?.(err);
    },
  });
  const closers: Array<() => Promise<void>> = [];
  try {
    const applied = await migrateToLatest(database, env.DATABASE_SCHEMA);
    if (applied.length > 0) log.info({ applied }, 'database migrated');

    // Known once the server listens (PORT=0 picks a free one); links made before then use PORT.
    let boundPort: number | undefined = undefined;
    const baseUrl = () => publicBaseUrl(env, boundPort);

    if (!env.DATABASE_URL && !env.EMBEDDED_DB_IN_MEMORY) {
      // The embedded database is this process's alone: the CLI's commands come here instead.
      const control = await startControlChannel({ dataDir: env.DATA_DIR, env, db: database.db, log, baseUrl });
      if (control) closers.push(() => control.close());
    }

    // Our own keys in Redis (heartbeats) and the queues as the admins' page and /metrics see them.
    const ops = redisClient(redis.target);
    closers.push(async () => {
      ops.disconnect();
      await Promise.resolve();
    });
    // The long-lived client: a check per request or scrape must not open (and, when Redis is away, strand) one each.
    const pingRedis = async () => {
      await ops.ping();
    };
    const workersAlive = () => liveWorkers(ops, env.REDIS_PREFIX);
    const readiness: Record<string, () => Promise<void>> = {
      database: () => database.ping(),
      redis: pingRedis,
      // An API whose posts nobody would publish is not ready, whatever its own health.
      workers: async () => {
        if ((await workersAlive()) === 0) throw new NotReady('no live worker');
      },
    };

    const queue = new PublishQueue({
      connection: producerConnection(redis.target),
      prefix: env.REDIS_PREFIX,
      attempts: env.PUBLISH_ATTEMPTS,
      backoffMs: env.PUBLISH_BACKOFF_MS,
    });

    const notifyQueue = new NotifyQueue({
      connection: producerConnection(redis.target),
      prefix: env.REDIS_PREFIX,
      attempts: env.EMAIL_ATTEMPTS,
      backoffMs: env.EMAIL_BACKOFF_MS,
    });
    closers.push(() => notifyQueue.close());
    const importQueue = new PlanImportQueue({ connection: producerConnection(redis.target), prefix: env.REDIS_PREFIX });
    closers.push(() => importQueue.close());

    const mediaQueue = new MediaQueue({ connection: producerConnection(redis.target), prefix: env.REDIS_PREFIX });
    closers.push(() => mediaQueue.close());

    const inspector = roles.api
      ? queueInspector({ connection: producerConnection(redis.target), prefix: env.REDIS_PREFIX, open: { publish: queue.queue, media: mediaQueue.queue, notify: notifyQueue.queue } })
      : undefined;
    if (inspector) closers.push(() => inspector.close());
    const metrics = createMetrics(roles.api && roles.worker ? 'all' : roles.api ? 'api' : 'worker', {
      queues: inspector,
      heldChannels: roles.api ? () => heldChannelCounts(database.db, now()) : undefined,
      liveWorkers: roles.api ? workersAlive : undefined,
      database: () => database.ping(),
      redis: pingRedis,
    });
    const mediaKey = mediaSigningKey(key);
    const store = env.MEDIA_S3_ENDPOINT
      ? createS3MediaStore({
          endpoint: env.MEDIA_S3_ENDPOINT,
          region: env.MEDIA_S3_REGION,
          bucket: env.MEDIA_S3_BUCKET!,
          accessKeyId: env.MEDIA_S3_ACCESS_KEY_ID!,
          secretAccessKey: env.MEDIA_S3_SECRET_ACCESS_KEY!,
          forcePathStyle: env.MEDIA_S3_FORCE_PATH_STYLE,
          baseUrl,
          signingKey: mediaKey,
        })
      : createLocalMediaStore({ root: path.resolve(env.DATA_DIR, 'media'), baseUrl, signingKey: mediaKey });
    configurePasswordCostFrom(env);
    if (roles.api) await preparePasswordChecks();
    // The API decodes photos at the door and the worker renders them: both share these process-wide limits.
    configureImageEngine({ threadsPerImage: 1, cacheMb: env.MEDIA_CACHE_MB, decodes: env.MEDIA_DECODES });
    const media: MediaDeps = {
      db: database.db,
      store,
      queue: mediaQueue,
      engine: imageEngine,
      log,
      now,
      maxBytes: env.MEDIA_MAX_UPLOAD_BYTES,
      maxPixels: env.MEDIA_MAX_PIXELS,
      decodeBudgetBytes: env.MEDIA_DECODE_MB * 1024 * 1024,
      tmpDir: path.resolve(env.DATA_DIR, 'tmp', 'uploads'),
      signedUrlSeconds: env.MEDIA_SIGNED_URL_SECONDS,
      signingKey: mediaKey,
    };

    if (env.NODE_ENV === 'production' && roles.api && !httpsOnly(env)) {
      log.warn('served over plain HTTP: set PUBLIC_BASE_URL to the https:// address of the proxy in front, so that cookies and HSTS are HTTPS-only');
    }
    const box = secretBox(key);
    const platforms = platformConfig(env, database.db);
    if (env.NODE_ENV === 'production') {
      for (const [key, url] of [['X_API_URL', env.X_API_URL], ['TELEGRAM_API_URL', env.TELEGRAM_API_URL]] as const) {
        if (url.startsWith('http:')) log.warn({ setting: key }, `${key} is plain http: tokens travel unencrypted to it`);
      }
    }
    // Refuses to start when a channel kind has no adapter.
    const adapters = platformAdapters(platforms);

    // Why Meta cannot fetch our photos: the same answer for the findings and for connecting Instagram.
    const unreachable = photosUnreachable(env);
    const postDeps: PostDeps = {
      db: database.db,
      scheduler: queue,
      log,
      now,
      minLeadSeconds: env.SCHEDULE_MIN_LEAD_SECONDS,
      photosUnreachable: unreachable,
      channelsChanged: (postId) => queuePostRenditions(media, postId),
      // No SMTP server, no e-mail: the in-app notifications are written all the same.
      emails: env.SMTP_HOST ? notifyQueue : undefined,
      imports: importQueue,
    };

    const channels: ChannelDeps = { db: database.db, box, adapters, x: platforms.x, telegram: platforms.telegram, facebook: platforms.facebook, instagram: platforms.instagram, photosUnreachable: unreachable, scheduler: queue, baseUrl, now, log };

    let workers: RunningWorkers | undefined;
    let notifications: RunningNotifyWorker | undefined;
    let mediaWorker: MediaWorkerHandle | undefined;
    let engagement: RunningEngagementWorker | undefined;
    let imports: RunningImportWorker | undefined;
    if (roles.worker) {
      const heartbeat = await startHeartbeat(ops, env.REDIS_PREFIX);
      // Removed on a clean stop; a killed process drops out of the count after 20 s.
      closers.push(() => heartbeat.stop());
      mediaWorker = await startMediaWorker({
        metrics,
        db: database.db,
        connection: workerConnection(redis.target),
        prefix: env.REDIS_PREFIX,
        store,
        log,
        concurrency: env.MEDIA_CONCURRENCY ?? os.availableParallelism(),
        maxPixels: env.MEDIA_MAX_PIXELS,
        cacheMb: env.MEDIA_CACHE_MB,
      });
      workers = await startPublishWorkers(
        {
          db: database.db,
          adapters,
          photos: { store, signedUrlSeconds: env.MEDIA_SIGNED_URL_SECONDS },
          jobLockMs: env.JOB_LOCK_MS,
          lateWindowMs: env.PUBLISH_LATE_WINDOW_SECONDS * 1000,
          webhookWaitMs: env.WEBHOOK_WAIT_FOR_PLATFORMS_SECONDS * 1000,
          box,
          log,
          now,
          maxAttempts: env.PUBLISH_ATTEMPTS,
          publicBaseUrl: baseUrl,
          metrics,
        },
        {
          db: database.db,
          queue,
          log,
          now,
          horizonMs: 2 * 86_400_000,
          claimStaleMs: env.CLAIM_STALE_SECONDS * 1000,
          housekeeping: [(at) => purgeExpiredSessions(database.db, at), (at) => purgeExpiredStates(database.db, at), async (at) => {
            await keepCredentialsAlive({ db: database.db, adapters, box, log, now }, at);
          }],
        },
        {
          connection: workerConnection(redis.target),
          prefix: env.REDIS_PREFIX,
          concurrency: env.PUBLISH_CONCURRENCY,
          lockMs: env.JOB_LOCK_MS,
          stalledCheckMs: env.JOB_STALLED_CHECK_MS,
          reconcileEveryMs: env.RECONCILE_EVERY_SECONDS * 1000,
        },
      );
    }

    if (roles.worker) {
      imports = await startImportWorker(postDeps, importQueue, {
        connection: workerConnection(redis.target),
        prefix: env.REDIS_PREFIX,
        lockMs: env.JOB_LOCK_MS,
        sweepEveryMs: env.RECONCILE_EVERY_SECONDS * 1000,
      });
    }

    if (roles.worker && env.ENGAGEMENT_EVERY_MINUTES > 0) {
      engagement = await startEngagementWorker(
        { db: database.db, adapters, box, log, now, everyMs: env.ENGAGEMENT_EVERY_MINUTES * 60_000 },
        { connection: workerConnection(redis.target), prefix: env.REDIS_PREFIX, lockMs: env.JOB_LOCK_MS },
      );
    } else if (roles.worker) {
      await stopEngagementSchedule({ connection: workerConnection(redis.target), prefix: env.REDIS_PREFIX }).catch((err: unknown) => log.warn({ err }, 'could not take the engagement schedule away'));
    }

    if (roles.worker) {
      notifications = await startNotifyWorker(
        {
          db: database.db,
          queue: notifyQueue,
          log,
          now,
          email: env.SMTP_HOST
            ? {
                db: database.db,
                mailer: smtpMailer({ host: env.SMTP_HOST, port: env.SMTP_PORT, secure: env.SMTP_SECURE, user: env.SMTP_USER, password: env.SMTP_PASSWORD, from: env.SMTP_FROM! }),
                log,
                now,
                baseUrl,
                maxAttempts: env.EMAIL_ATTEMPTS,
              }
            : undefined,
          sweepEveryMs: env.NOTIFY_SWEEP_SECONDS * 1000,
          reminderWindowMs: env.APPROVAL_REMINDER_MINUTES * 60_000,
          claimStaleMs: env.CLAIM_STALE_SECONDS * 1000,
        },
        { connection: workerConnection(redis.target), prefix: env.REDIS_PREFIX, lockMs: env.JOB_LOCK_MS, stalledCheckMs: env.JOB_STALLED_CHECK_MS },
      );
    }

    let app: Express;
    if (roles.api) {
      app = createApp({
        posts: postDeps,
        log,
        jsonLimit: env.JSON_BODY_LIMIT,
        trustProxy: env.TRUST_PROXY,
        baseUrl,
        version: VERSION,
        operations: { readiness, metrics, metricsToken: env.METRICS_TOKEN, log },
        extraRouters: [
          mediaRouter(media),
          webRouter({
            db: database.db,
            posts: postDeps,
            media,
            box,
            channels,
            log,
            now,
            sessionTtlHours: env.SESSION_TTL_HOURS,
            approvalHoldHours: env.APPROVAL_HOLD_AFTER_RESET_HOURS,
            loginLimit: { attempts: env.LOGIN_RATE_LIMIT_ATTEMPTS, windowSeconds: env.LOGIN_RATE_LIMIT_WINDOW_SECONDS },
            cookieSecure: httpsOnly(env),
            platformTimeoutMs: env.PLATFORM_TIMEOUT_MS,
            allowPrivateNetworks: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
            assets: assets!,
            setupKey: key,
            queues: inspector!,
            liveWorkers: workersAlive,
          }),
        ],
        photoUrl: (k) => store.publicUrl(k),
        logos: unitLogos(database.db, store, imageEngine),
        assets: assets!,
      });
    } else {
      // A worker-only process answers health, readiness and metrics on PORT, for its orchestrator and Prometheus.
      app = operationsApp({ readiness, metrics, metricsToken: env.METRICS_TOKEN, log });
    }
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(env.PORT, env.HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
    });
    applyServerTimeouts(server, { idleMs: env.HTTP_IDLE_TIMEOUT_SECONDS * 1000 });
    boundPort = (server.address() as AddressInfo).port;
    log.info(roles.api ? { url: baseUrl(), host: env.HOST, port: boundPort } : { host: env.HOST, port: boundPort, serves: 'healthz, readyz, metrics' }, 'listening');

    const url = `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${String(boundPort)}`;
    let closing: Promise<void> | undefined;
    return {
      url,
      database,
      queue,
      workers,
      notifications,
      engagement,
      imports,
      channels,
      log,
      baseUrl,
      routes: () => listRoutes(app),
      firstRunLink() {
        return roles.api ? setupLink(database.db, key, baseUrl(), now()) : Promise.resolve(undefined);
      },
      close() {
        closing ??= (async () => {
          await new Promise<void>((resolve) => server.close(() => resolve()));
          // Workers finish the jobs they hold before letting go: nothing is left half-published.
          if (workers) await workers.close();
          if (notifications) await notifications.close();
          // Each lets its current run finish; neither waits for the other's.
          await Promise.all([engagement?.close(), imports?.close()]);
          if (mediaWorker) await mediaWorker.close();
          await queue.close();
          for (const c of closers.reverse()) await c();
          await database.close();
          await redis.stop();
        })();
        return closing;
      },
    };
  } catch (err) {
    await database.close().catch(() => undefined);
    await redis.stop();
    throw err;
  }
}
