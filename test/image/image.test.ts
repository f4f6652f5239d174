// The production image as it runs, without Docker: the Dockerfile's stages reproduced step by step (its
// install, its prune, then only what the final stage copies), the result started as API and as worker on
// PostgreSQL, as the image's unprivileged user. A post goes from the CLI's demo accounts to the public page.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnv } from '../../config/env';
import { type BuiltImage, reproduceImage } from '../support/dockerfile';
import { client, dropTestState, inSeconds, testEnv, waitFor } from '../support/harness';
import { type SiaranProcess, freePort, spawnSiaran } from '../support/processes';
import { signInWith } from '../support/web-session';

const ROOT = path.resolve(__dirname, '../..');
// This machine has no "node" user (the image's, uid 1000); as root the test runs the image as "nobody",
// another unprivileged account. Not root: as the current user.
const asRoot = process.getuid?.() === 0;
const runAs = asRoot ? { uid: 65534, gid: 65534 } : {};

let root: string;
let image: BuiltImage;
let env: Record<string, string> | undefined;
let api: SiaranProcess | undefined;
let worker: SiaranProcess | undefined;
let url: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'siaran-image-'));
  // Its parts must be readable by the unprivileged user, as the image's are.
  fs.chmodSync(root, 0o755);
  image = reproduceImage(path.join(ROOT, 'Dockerfile'), {
    context: ROOT,
    root,
    // npm's cache of this machine, as a registry mirror would be; the lock file decides what is installed.
    runEnv: { npm_config_prefer_offline: 'true' },
    rewriteRun: (cmd) => (asRoot ? cmd.split('node:node').join('nobody:nogroup') : cmd.split(/chown\s+\S+\s+/).join('true ')),
  });
  const inImage = (v: string) => (v.startsWith(`${image.workdir}/`) ? image.local(v) : v);
  env = {
    ...Object.fromEntries(Object.entries(image.env).map(([k, v]) => [k, inImage(v)])),
    ...testEnv({ EMBEDDED_DB_IN_MEMORY: 'false' }),
    // What the image sets wins over the tests' defaults, except where the test must listen and log.
    NODE_ENV: image.env.NODE_ENV ?? 'production',
    DATA_DIR: inImage(image.env.DATA_DIR ?? `${image.workdir}/data`),
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    LOG_LEVEL: 'info',
    METRICS_TOKEN: 'image-metrics-token-0123456789',
  };
  const cmd = image.cmd.map((c, i) => (i === 0 && c === 'node' ? process.execPath : c));
  // The image's user may not read the test tree (a clone in a private temporary folder): it gets its own
  // copy of the set-up that keeps every connection on this machine.
  const guard = path.join(root, 'loopback-only.js');
  fs.copyFileSync(path.join(ROOT, 'test/support/loopback-only.js'), guard);
  fs.chmodSync(guard, 0o644);
  // docker-compose.yml runs its `migrate` service once before the API and the workers: the same here.
  const compose = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  const migrateLine = /^  migrate:\n(?:    .*\n)*?    command: (\[.*\])$/m.exec(compose);
  expect(migrateLine).not.toBeNull();
  const migrateCmd = (JSON.parse(migrateLine![1]!) as string[]).map((c, i) => (i === 0 && c === 'node' ? process.execPath : c));
  const migrated = spawnSync(migrateCmd[0]!, migrateCmd.slice(1), { cwd: image.dir, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', ...runAs });
  expect(`${migrated.stdout}${migrated.stderr}`).toMatch(/applied|up to date/i);
  expect(migrated.status).toBe(0);
  api = spawnSiaran(env, ['--api'], { cwd: image.dir, command: cmd, guard, ...runAs });
  worker = spawnSiaran({ ...env, PORT: String(await freePort()) }, ['--worker'], { cwd: image.dir, command: cmd, guard, ...runAs });
  url = await api.url;
}, 300_000);

afterAll(async () => {
  await api?.kill('SIGTERM');
  await worker?.kill('SIGTERM');
  if (env) await dropTestState(loadEnv(env));
  if (root) fs.rmSync(root, { recursive: true, force: true });
}, 60_000);

test('the image carries no dev dependency and no source, and says how big it is', () => {
  const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const shipped = files(path.join(image.dir, 'dist'));
  expect(shipped.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  expect(fs.existsSync(path.join(image.dir, 'node_modules', 'esbuild'))).toBe(false);
  expect(fs.existsSync(path.join(image.dir, 'node_modules', 'typescript'))).toBe(false);
  expect(fs.existsSync(path.join(image.dir, 'services'))).toBe(false);
  const du = execFileSync('du', ['-sk', 'node_modules', 'dist'], { cwd: image.dir, encoding: 'utf8' });
  const packages = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: image.dir, encoding: 'utf8' }).trim().split('\n').length - 1;
  console.log(`image /app: ${du.trim().replace(/\n/g, ', ')} (KiB); ${packages} production packages`);
});

test('the API is ready, and the HEALTHCHECK of the Dockerfile passes against it', async () => {
  // Ready once the worker process's heartbeat is in, beside the database and Redis.
  await waitFor('ready', async () => (await fetch(`${url}/readyz`)).status === 200, 30_000);
  expect(image.healthcheck).toBeDefined();
  const [sh, ...args] = image.healthcheck!;
  const check = spawnSync(sh!, args, { env: { PATH: process.env.PATH ?? '', PORT: new URL(url).port } });
  expect(check.status).toBe(0);
});

test("the image's CLI makes demo accounts; a person signs in and the compose page has its scripts and style", async () => {
  const demo = spawnSync(process.execPath, ['bin/siaran.js', 'demo'], { cwd: image.dir, env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: 'silent' }, encoding: 'utf8', ...runAs });
  expect(demo.stderr).toBe('');
  expect(demo.status).toBe(0);
  const account = (email: string) => {
    const lines = demo.stdout.split('\n');
    const i = lines.findIndex((l) => l.includes(email));
    return { password: /password (\S+)/.exec(lines[i]!)![1]!, token: /token\s+(\S+)/.exec(lines[i + 1]!)![1]! };
  };
  const operator = account('operator.tubaba@demo.siaran');
  const supervisor = account('kasihumas.tubaba@demo.siaran');
  const cookie = await signInWith(url, 'operator.tubaba@demo.siaran', operator.password);
  const page = await fetch(`${url}/compose`, { headers: { cookie } });
  expect(page.status).toBe(200);
  const html = await page.text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  expect(assets.some((a) => /compose\.[0-9a-f]+\.js$/.test(a))).toBe(true);
  expect(assets.some((a) => /style\.[0-9a-f]+\.css$/.test(a))).toBe(true);
  for (const a of assets) {
    const r = await fetch(`${url}${a}`, { headers: { 'accept-encoding': 'br' } });
    expect(r.status).toBe(200);
    expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(100);
  }

  // A post, end to end: written, submitted, approved, published by the worker process on the unit's page.
  const me = (await client(url, operator.token)('GET', '/api/v1/me')).body;
  const channels = (await client(url, operator.token)('GET', `/api/v1/units/${me.unit.id}/channels`)).body;
  const newsPage = channels.find((c: { kind: string }) => c.kind === 'news_page');
  const title = 'Patroli malam dari image';
  const created = await client(url, operator.token)('POST', '/api/v1/posts', { title, body: 'Patroli malam di Tumijajar, diterbitkan oleh image produksi.', channelIds: [newsPage.id], scheduledAt: inSeconds(4) });
  expect(created.status).toBe(201);
  const submitted = await client(url, operator.token)('POST', `/api/v1/posts/${created.body.id}/submit`);
  const approved = await client(url, supervisor.token)('POST', `/api/v1/posts/${created.body.id}/approve`, { expectedVersion: submitted.body.version });
  expect(approved.status).toBe(200);
  await waitFor('published by the worker', async () => (await client(url, operator.token)('GET', `/api/v1/posts/${created.body.id}`)).body.status === 'published', 30_000);
  const news = await fetch(`${url}/u/${me.unit.slug}`);
  expect(await news.text()).toContain(title);

  // The worker process answers its orchestrator and Prometheus too: it published, its counter says so.
  const workerUrl = await worker!.url;
  expect((await fetch(`${workerUrl}/healthz`)).status).toBe(200);
  const metrics = await (await fetch(`${workerUrl}/metrics`, { headers: { authorization: `Bearer ${env!.METRICS_TOKEN!}` } })).text();
  expect(metrics).toMatch(/^siaran_publish_outcomes_total\{channel_kind="news_page",result="published",role="worker"\} 1$/m);
  // The API process sees the worker's heartbeat.
  expect((await client(url)('GET', '/readyz')).body.checks).toEqual({ database: 'ok', redis: 'ok', workers: 'ok' });
}, 60_000);
