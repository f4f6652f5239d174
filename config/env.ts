// The only file that reads process.env: everything else receives a validated, typed Env.
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const Env = z.object({
  /** Runtime flavour; `test` relaxes nothing, it only names the logs. Default `development`. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** HTTP listen port. Default 3000; 0 picks a free port. */
  PORT: int(0, 65535).default(3000),
  /**
   * Express's "trust proxy": how many proxies (1), or which (loopback, uniquelocal), stand in front, so
   * sign-in limits and logs see the client's address. Default: none trusted.
   */
  TRUST_PROXY: optionalString,
  /** HTTP listen address. Default 127.0.0.1. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Absolute URL under which the public pages and feeds are reached. Default http://localhost:PORT. */
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** PostgreSQL connection string. When absent, embedded PGlite under DATA_DIR is used. */
  DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  /** PostgreSQL schema holding Siaran's tables. Default `public`. */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lowercase letters, digits and _ only')
    .default('public'),
  /**
   * PostgreSQL connections per process. Default 10. A worker's jobs share two for their claims and outcomes (batched)
   * and take one briefly for anything else (photos, failures); an API process needs about one per request at once.
   */
  DATABASE_POOL_SIZE: int(1, 500).default(10),
  /** Folder for the embedded database, the generated secret key and a private Redis. Default ./data. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** Keep the embedded database in memory only (tests, throw-away demos). Default false. */
  EMBEDDED_DB_IN_MEMORY: bool.default(false),
  /**
   * The embedded database's buffer cache, in MB. Default 32: PostgreSQL's own default (128) is the largest part
   * of an idle server's memory, and the files it caches stay in the operating system's cache anyway. At most
   * 1024: PGlite's WebAssembly memory cannot grow past 2 GB, and the rest of PostgreSQL needs room beside the
   * cache (at 2048 the database does not even open; a cache near the limit leaves its queries too little).
   */
  EMBEDDED_DB_BUFFERS_MB: z.coerce
    .number()
    .int()
    .min(8)
    .max(1024, 'at most 1024: the embedded database cannot use more than 2 GB of memory in all')
    .default(32),
  /** Redis for BullMQ. Default redis://127.0.0.1:6379. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  /** Key prefix for every BullMQ key, so several installations or test runs share one Redis. Default `siaran`. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .default('siaran'),
  /**
   * Redis Sentinel nodes as host:port,host:port: BullMQ then asks them for the current primary of
   * REDIS_SENTINEL_NAME (REDIS_URL's password and database still apply). Default: none, REDIS_URL directly.
   */
  REDIS_SENTINELS: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9.:[\]_-]+:\d{1,5}(,[A-Za-z0-9.:[\]_-]+:\d{1,5})*$/, 'host:port, separated by commas')
      .refine(
        (list) => list.split(',').every((node) => Number(node.slice(node.lastIndexOf(':') + 1)) >= 1 && Number(node.slice(node.lastIndexOf(':') + 1)) <= 65535),
        'each port from 1 to 65535',
      )
      .optional(),
  ),
  /** The primary's name the sentinels monitor. Default mymaster. */
  REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
  /** Password of the sentinels themselves, when they require one. */
  REDIS_SENTINEL_PASSWORD: optionalString,
  /**
   * Bearer token that opens GET /metrics (Prometheus text format). At least 24 characters. Default: none,
   * and /metrics answers 404.
   */
  METRICS_TOKEN: optionalString.pipe(z.string().min(24, 'at least 24 characters').optional()),
  /** Start a private redis-server under DATA_DIR when REDIS_URL is unreachable and redis-server is installed. Default true. */
  REDIS_AUTOSTART: bool.default(true),
  /** 32-byte key (base64 or hex) that encrypts channel secrets at rest. Generated under DATA_DIR when embedded; required with DATABASE_URL. */
  SECRETS_KEY: optionalString,
  /** Shortest time between now and a post's scheduled instant when it is submitted. Default 300 s. */
  SCHEDULE_MIN_LEAD_SECONDS: int(0, 7 * 24 * 3600).default(300),
  /** Publish attempts for a target whose failures are known to have published nothing. Default 5. */
  PUBLISH_ATTEMPTS: int(1, 50).default(5),
  /** First retry delay; doubles each attempt. Default 30000 ms. */
  PUBLISH_BACKOFF_MS: int(10, 3_600_000).default(30_000),
  /**
   * Publish jobs one worker process runs at once. Default 32: a job mostly waits on a platform, and jobs at once
   * share their claims' and outcomes' statements. At most 8 of them hold photos in memory at once.
   */
  PUBLISH_CONCURRENCY: int(1, 256).default(32),
  /** How long a worker holds a job before BullMQ considers it stalled. Default 30000 ms. */
  JOB_LOCK_MS: int(500, 600_000).default(30_000),
  /** How often stalled jobs are looked for. Default 30000 ms. */
  JOB_STALLED_CHECK_MS: int(500, 600_000).default(30_000),
  /** How often the reconciler compares the database with Redis. Default 60 s. */
  RECONCILE_EVERY_SECONDS: int(1, 3600).default(60),
  /**
   * How often the engagement job asks the platforms for published posts' figures (views, reactions, comments,
   * shares) and channels' followers, for the monthly report. 0 turns it off. Default 60 minutes: a post younger
   * than two days is read each run, an older one once a day, for 30 days.
   */
  ENGAGEMENT_EVERY_MINUTES: int(0, 1440).default(60),
  /** A claimed target with no job and no outcome for this long is handed to a human as unconfirmed. Default 600 s. */
  CLAIM_STALE_SECONDS: int(1, 86_400).default(600),
  /** Let webhooks reach loopback and private networks (a receiver on the same host or LAN). Default false. */
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: bool.default(false),
  /** Timeout of one outgoing webhook request. Default 10000 ms. */
  WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /** Timeout of every call to a platform (X, Telegram); a call that timed out after it was sent is an unknown outcome. Default 30000 ms. */
  PLATFORM_TIMEOUT_MS: int(500, 300_000).default(30_000),
  /** A post that could not go out within this long after its time (a paused unit, an outage, a held channel) waits for a supervisor's release or a new approval instead. Default 21600 s (6 h). */
  PUBLISH_LATE_WINDOW_SECONDS: int(1, 30 * 86_400).default(6 * 3600),
  /** How long a webhook waits for the post's other channels, so that its payload carries their links. Default 120 s. */
  WEBHOOK_WAIT_FOR_PLATFORMS_SECONDS: int(0, 3600).default(120),
  /** X API base URL; the client's requests to api.x.com and upload.x.com go there on the same paths (an egress proxy). Default https://api.x.com. */
  X_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.x.com'),
  /** Where a person grants Siaran access to an X account (OAuth 2.0). Default https://x.com/i/oauth2/authorize. */
  X_AUTHORIZE_URL: z.url({ protocol: /^https?$/ }).default('https://x.com/i/oauth2/authorize'),
  /** The X app's API key, for accounts connected with OAuth 1.0a user tokens. */
  X_CONSUMER_KEY: optionalString,
  /** The X app's API key secret. Required with X_CONSUMER_KEY. */
  X_CONSUMER_SECRET: optionalString,
  /** The X app's OAuth 2.0 client id, for "Connect X account" on the admin page. */
  X_CLIENT_ID: optionalString,
  /** The X app's OAuth 2.0 client secret (confidential clients). */
  X_CLIENT_SECRET: optionalString,
  /**
   * The X app's plan pays for reads: the engagement job reads posts' public metrics and accounts' followers.
   * Default false, since on X's pay-per-use plan every post read is billed.
   */
  X_READ_METRICS: bool.default(false),
  /** Telegram Bot API base URL (an egress proxy, or a local Bot API server). Default https://api.telegram.org. */
  TELEGRAM_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.telegram.org'),
  /** Meta's Graph API, for Facebook Pages. Default https://graph.facebook.com. */
  META_GRAPH_URL: z.url({ protocol: /^https?$/ }).default('https://graph.facebook.com'),
  /** The Graph API version every call names, pinned here only. Default v26.0. */
  META_GRAPH_VERSION: z
    .string()
    .regex(/^v\d{1,3}\.\d$/, 'like v26.0')
    .default('v26.0'),
  /** Instagram API with Instagram Login (accounts with no Facebook Page). Default https://graph.instagram.com. */
  INSTAGRAM_GRAPH_URL: z.url({ protocol: /^https?$/ }).default('https://graph.instagram.com'),
  /** Where "Connect with Facebook" sends an admin to grant access (Meta's login dialog). Default https://www.facebook.com. */
  META_DIALOG_URL: z.url({ protocol: /^https?$/ }).default('https://www.facebook.com'),
  /** The Meta app's id, for "Connect with Facebook" on the admin page. */
  META_APP_ID: optionalString.pipe(z.string().regex(/^\d{5,25}$/, 'a Meta app id is a number').optional()),
  /** The Meta app's secret. Required with META_APP_ID. */
  META_APP_SECRET: optionalString,
  /** The Meta app's Instagram app id (App Dashboard › Instagram › API setup with Instagram login), for "Connect with Instagram" on accounts with no Page. */
  INSTAGRAM_APP_ID: optionalString.pipe(z.string().regex(/^\d{5,25}$/, 'an Instagram app id is a number').optional()),
  /** The Instagram app secret. Required with INSTAGRAM_APP_ID. */
  INSTAGRAM_APP_SECRET: optionalString,
  /** Where "Connect with Instagram" sends an admin to grant access. Default https://www.instagram.com. */
  INSTAGRAM_LOGIN_URL: z.url({ protocol: /^https?$/ }).default('https://www.instagram.com'),
  /** Where Instagram Login's code is traded for a token. Default https://api.instagram.com. */
  INSTAGRAM_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.instagram.com'),
  /**
   * Let Instagram be offered although PUBLIC_BASE_URL is not a public HTTPS address: for a stand-in of
   * Meta's servers on the same network (tests), never for Meta itself, which cannot fetch such links. Default false.
   */
  META_ALLOW_PRIVATE_PHOTO_URLS: bool.default(false),
  /**
   * Silence allowed while a request is arriving: a client that announced a body and then sends nothing for this
   * long is disconnected. A slow upload that keeps sending is never cut off. Default 30 s.
   */
  HTTP_IDLE_TIMEOUT_SECONDS: int(1, 600).default(30),
  /** Largest JSON request body. Default 256kb. */
  JSON_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i)
    .default('256kb'),
  /** Lifetime of API tokens created without --days. Default 90 days. */
  TOKEN_DEFAULT_DAYS: int(1, 3650).default(90),
  /** pino level. Default info. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest photo upload in bytes. Default 26214400 (25 MB). */
  MEDIA_MAX_UPLOAD_BYTES: int(1024, 512 * 1024 * 1024).default(25 * 1024 * 1024),
  /** Largest photo in pixels (width × height), the guard against decompression bombs. Default 100000000. */
  MEDIA_MAX_PIXELS: int(1_000_000, 1_000_000_000).default(100_000_000),
  /**
   * Memory one photo's decoding may hold, in MB, judged from its header before any decoding: its decoded size
   * for photos read line by line, a quarter of this for progressive JPEG and interlaced PNG (held whole). Default 400.
   */
  MEDIA_DECODE_MB: int(16, 16_384).default(400),
  /** Photos decoded at once per process, uploads and renderings together; more wait their turn. Default 2. */
  MEDIA_DECODES: int(1, 64).default(2),
  /** Photos one media worker process renders at once. Default: the machine's cores. */
  MEDIA_CONCURRENCY: int(1, 64).optional(),
  /** Lifetime of a signed rendition URL (what Instagram fetches, what a preview shows). Default 3600 s. */
  MEDIA_SIGNED_URL_SECONDS: int(60, 7 * 24 * 3600).default(3600),
  /** Memory libvips may keep in its operation cache per process, in MB. Default 64. */
  MEDIA_CACHE_MB: int(0, 4096).default(64),
  /** S3-compatible endpoint for photos, shared by several servers (e.g. https://s3.example.com). Default: photos on local disk under DATA_DIR. */
  MEDIA_S3_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** Region the bucket is signed for. Default us-east-1. */
  MEDIA_S3_REGION: z.string().min(1).default('us-east-1'),
  /** Bucket holding photos; keep it private (Siaran serves the files). Required with MEDIA_S3_ENDPOINT. */
  MEDIA_S3_BUCKET: optionalString,
  /** Access key id for the bucket. Required with MEDIA_S3_ENDPOINT. */
  MEDIA_S3_ACCESS_KEY_ID: optionalString,
  /** Secret access key for the bucket. Required with MEDIA_S3_ENDPOINT. */
  MEDIA_S3_SECRET_ACCESS_KEY: optionalString,
  /** Address the bucket as <endpoint>/<bucket>/<key> (MinIO and most self-hosted stores) rather than <bucket>.<host>. Default true. */
  MEDIA_S3_FORCE_PATH_STYLE: bool.default(true),
  /**
   * Memory one password hash (argon2id) takes, in KiB. Default 65536 (64 MiB). At least 19456, the
   * smallest OWASP recommends; raise it on a server with memory to spare. A stored hash of another cost is
   * replaced at its holder's next sign-in; until then that account answers a sign-in in the old cost's time,
   * which tells it apart from an unknown e-mail, so change the cost rarely. Each sign-in holds this much memory.
   */
  PASSWORD_HASH_MEMORY_KIB: int(19_456, 4_194_304).default(65_536),
  /** Passes over that memory per hash. Default 3; at least 2. */
  PASSWORD_HASH_PASSES: int(2, 64).default(3),
  /** Threads one hash uses. Default 4. */
  PASSWORD_HASH_LANES: int(1, 16).default(4),
  /** Lifetime of a web sign-in session. Default 12 hours. */
  SESSION_TTL_HOURS: int(1, 24 * 90).default(12),
  /** Failed sign-ins allowed per e-mail and per client address within the window. Default 10. */
  LOGIN_RATE_LIMIT_ATTEMPTS: int(1, 1000).default(10),
  /** The window of the sign-in limit. Default 900 s. */
  LOGIN_RATE_LIMIT_WINDOW_SECONDS: int(10, 86_400).default(900),
  /** After an admin hands an account a password (invite, reset), that account cannot approve posts for this long: the admin knew its password. Default 72 h. */
  APPROVAL_HOLD_AFTER_RESET_HOURS: int(0, 24 * 30).default(72),
  /**
   * HTTPS only: Secure cookies, HSTS, and browsers told to upgrade every request. Default: true when
   * PUBLIC_BASE_URL is an https:// address, false otherwise (a site reached over plain HTTP would not work).
   */
  COOKIE_SECURE: bool.optional(),
  /** SMTP server that sends the notification e-mails. Default: none, and no e-mail is sent (the in-app notifications remain). */
  SMTP_HOST: optionalString,
  /** SMTP port. Default 587 (465 with SMTP_SECURE). */
  SMTP_PORT: int(1, 65535).optional(),
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. Default false. */
  SMTP_SECURE: bool.default(false),
  /** SMTP user name, when the server asks for one. */
  SMTP_USER: optionalString,
  /** SMTP password. Required with SMTP_USER. */
  SMTP_PASSWORD: optionalString,
  /** The From address of the e-mails, e.g. "Siaran Humas <siaran@polda.go.id>". Required with SMTP_HOST. */
  SMTP_FROM: optionalString,
  /** Tries to e-mail one notification before it is marked failed (the server kept answering "try later"). Default 5. */
  EMAIL_ATTEMPTS: int(1, 50).default(5),
  /** First wait before an e-mail the SMTP server did not take is tried again; doubles each try. Default 30000 ms. */
  EMAIL_BACKOFF_MS: int(10, 3_600_000).default(30_000),
  /** How often a worker looks for e-mails owed whose job Redis lost, and for posts about to pass their time unapproved. Default 30 s. */
  NOTIFY_SWEEP_SECONDS: int(1, 3600).default(30),
  /** Supervisors are reminded of a post still waiting for approval this long before its time (when it would expire). Default 60 min. */
  APPROVAL_REMINDER_MINUTES: int(1, 7 * 24 * 60).default(60),
});
export type Env = z.infer<typeof Env>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = Env.safeParse(source);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const env = result.data;
  const problems: string[] = [];
  if (env.DATABASE_URL && !env.SECRETS_KEY) {
    problems.push(
      'SECRETS_KEY: required when DATABASE_URL is set, so every process decrypts channel secrets alike',
    );
  }
  if (env.SECRETS_KEY && decodeKey(env.SECRETS_KEY) === undefined) {
    problems.push('SECRETS_KEY: must be 32 bytes, as 64 hex characters or 44 base64 characters');
  }
  if (env.MEDIA_S3_ENDPOINT) {
    for (const key of ['MEDIA_S3_BUCKET', 'MEDIA_S3_ACCESS_KEY_ID', 'MEDIA_S3_SECRET_ACCESS_KEY'] as const) {
      if (!env[key]) problems.push(`${key}: required when MEDIA_S3_ENDPOINT is set`);
    }
  }
  if (env.X_CONSUMER_KEY && !env.X_CONSUMER_SECRET) problems.push('X_CONSUMER_SECRET: required when X_CONSUMER_KEY is set');
  if (env.META_APP_ID && !env.META_APP_SECRET) problems.push('META_APP_SECRET: required when META_APP_ID is set');
  if (env.INSTAGRAM_APP_ID && !env.INSTAGRAM_APP_SECRET) problems.push('INSTAGRAM_APP_SECRET: required when INSTAGRAM_APP_ID is set');
  if (env.TELEGRAM_API_URL.endsWith('/')) problems.push('TELEGRAM_API_URL: remove the trailing /');
  if (env.SMTP_HOST && !env.SMTP_FROM) problems.push('SMTP_FROM: required when SMTP_HOST is set (the address the e-mails come from)');
  // "name@host" or "Name <name@host>": a From the server would refuse for every e-mail is refused here, at start.
  if (env.SMTP_FROM && !/^(?:[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/.test(env.SMTP_FROM.trim())) {
    problems.push('SMTP_FROM: an e-mail address, e.g. siaran@polda.go.id or "Siaran Humas <siaran@polda.go.id>"');
  }
  if (env.SMTP_USER && !env.SMTP_PASSWORD) problems.push('SMTP_PASSWORD: required when SMTP_USER is set');
  if (problems.length > 0) throw new ConfigError(problems);
  return env;
}

/** Decodes a 32-byte key written as hex or base64; undefined when it is neither. */
export function decodeKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const buf = Buffer.from(text, 'base64');
    if (buf.length === 32) return buf;
  }
  return undefined;
}

export function publicBaseUrl(env: Env, boundPort?: number): string {
  if (env.PUBLIC_BASE_URL) return env.PUBLIC_BASE_URL.replace(/\/+$/, '');
  return `http://localhost:${boundPort ?? env.PORT}`;
}

/** Whether the site is served over HTTPS only (COOKIE_SECURE, else the scheme of PUBLIC_BASE_URL). */
export function httpsOnly(env: Env): boolean {
  return env.COOKIE_SECURE ?? env.PUBLIC_BASE_URL?.startsWith('https:') ?? false;
}

/**
 * Why Meta's servers cannot download our photo links (Instagram fetches each photo from its image_url), in
 * words for the admin who can fix it; undefined when PUBLIC_BASE_URL is a public HTTPS address. Only the
 * address itself is judged: a public name that resolves inside a private network is the operator's to fix.
 */
export function photosUnreachable(env: Env): { id: string; en: string } | undefined {
  if (env.META_ALLOW_PRIVATE_PHOTO_URLS) return undefined;
  const fix = {
    id: 'Atur PUBLIC_BASE_URL ke alamat HTTPS publik server ini (mis. https://humas.polda.go.id) lalu jalankan ulang Siaran.',
    en: "Set PUBLIC_BASE_URL to this server's public HTTPS address (e.g. https://humas.polda.go.id) and restart Siaran.",
  };
  if (!env.PUBLIC_BASE_URL) return { id: `PUBLIC_BASE_URL belum diatur, jadi tautan foto hanya berlaku di jaringan ini. ${fix.id}`, en: `PUBLIC_BASE_URL is not set, so photo links work only on this network. ${fix.en}` };
  const url = new URL(env.PUBLIC_BASE_URL);
  if (url.protocol !== 'https:') return { id: `PUBLIC_BASE_URL (${url.origin}) bukan HTTPS, dan Meta hanya mengambil foto lewat HTTPS. ${fix.id}`, en: `PUBLIC_BASE_URL (${url.origin}) is not HTTPS, and Meta fetches photos over HTTPS only. ${fix.en}` };
  // A trailing dot names the same host (`localhost.`).
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  const local = host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal') || host.endsWith('.lan') || host.endsWith('.home.arpa') || (!host.includes('.') && !host.includes(':'));
  if (local || (isIP(host) !== 0 && !isPublicIp(host))) {
    return { id: `PUBLIC_BASE_URL (${url.origin}) adalah alamat jaringan lokal yang tidak dapat dijangkau Meta. ${fix.id}`, en: `PUBLIC_BASE_URL (${url.origin}) is a local-network address Meta cannot reach. ${fix.en}` };
  }
  return undefined;
}

/** IPv4 ranges no outside server reaches: private, shared, loopback, link-local, documentation, multicast. */
const PRIVATE_V4 = (() => {
  const list = new BlockList();
  for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['192.0.2.0', 24], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 3]] as const) list.addSubnet(net, bits, 'ipv4');
  return list;
})();
/** IPv6 is public only as global unicast (2000::/3), less the ranges that wrap IPv4 or are for documentation. */
const GLOBAL_V6 = (() => {
  const list = new BlockList();
  list.addSubnet('2000::', 3, 'ipv6');
  return list;
})();
const SPECIAL_V6 = (() => {
  const list = new BlockList();
  for (const [net, bits] of [['2001::', 32], ['2001:db8::', 32], ['2002::', 16], ['3fff::', 20]] as const) list.addSubnet(net, bits, 'ipv6');
  return list;
})();

function isPublicIp(ip: string): boolean {
  if (isIP(ip) === 4) return !PRIVATE_V4.check(ip, 'ipv4');
  return GLOBAL_V6.check(ip, 'ipv6') && !SPECIAL_V6.check(ip, 'ipv6');
}
