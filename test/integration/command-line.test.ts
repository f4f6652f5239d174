// The product as an admin meets it: the siaran CLI, a refusal on bad config, a first start with no Redis.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnv } from '../../config/env';
import { openDatabase } from '../../services/storage/database';
import { client, dropTestState, testEnv } from '../support/harness';
import { freePort, spawnSiaran } from '../support/processes';
import { testDbKind } from '../support/test-db';
import { type FakeGraph, startFakeGraph } from '../support/fakes/fake-graph';
import { type FakeTelegram, startFakeTelegram } from '../support/fakes/fake-telegram';
import { type FakeX, startFakeX } from '../support/fakes/fake-x';
import { platformEnv } from '../support/platforms';

const ROOT = path.resolve(__dirname, '../..');

function siaran(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return siaranWithInput(env, '', ...args);
}

function siaranWithInput(env: Record<string, string>, input: string, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    // bin/siaran.js, as an admin runs it (jest's global set-up built what it loads).
    const p = spawn(process.execPath, [path.join(ROOT, 'bin/siaran.js'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: `--require ${path.join(ROOT, 'test/support/loopback-only.js')}`, ...env },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('exit', (code) => resolve({ code, out, err }));
    p.stdin.end(input);
  });
}

describe('the siaran command line', () => {
  let env: Record<string, string>;
  beforeAll(() => {
    env = testEnv({ DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'siaran-cli-')), EMBEDDED_DB_IN_MEMORY: 'false' });
  });
  afterAll(async () => {
    await dropTestState(loadEnv(env));
  });

  test('builds a hierarchy, users, a token and a webhook, and the token works against the server', async () => {
    expect((await siaran(env, 'unit', 'add', '--slug', 'polda-banten', '--name', 'Polda Banten', '--tz', 'Asia/Jakarta')).code).toBe(0);
    const polres = await siaran(env, 'unit', 'add', '--slug', 'polres-serang', '--name', 'Polres Serang', '--parent', 'polda-banten', '--tz', 'Asia/Jakarta');
    expect(polres.code).toBe(0);
    expect((await siaran(env, 'user', 'add', '--email', 'Op@Serang.test', '--unit', 'polres-serang', '--role', 'operator', '--password', 'kata-sandi-panjang')).code).toBe(0);
    const token = await siaran(env, 'token', 'create', '--email', 'op@serang.test', '--days', '7');
    expect(token.code).toBe(0);
    const secret = token.out.split('\n')[0]!.trim();
    expect(secret).toMatch(/^siaran_[A-Za-z0-9_-]{40,}$/);
    expect((await siaran(env, 'channel', 'add', '--unit', 'polres-serang', '--kind', 'webhook', '--url', 'https://example.invalid/hook', '--secret', 'a-secret-of-16-chars')).out).toMatch(/webhook/);

    const server = spawnSiaran(env);
    try {
      const me = await client(await server.url, secret)('GET', '/api/v1/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ email: 'op@serang.test', role: 'operator', unit: { slug: 'polres-serang', zone: 'WIB' } });
      const channels = await client(await server.url, secret)('GET', `/api/v1/units/${me.body.unit.id}/channels`);
      expect(channels.body.map((c: { kind: string }) => c.kind).sort()).toEqual(['news_page', 'webhook']);
      expect(JSON.stringify(channels.body)).not.toContain('a-secret-of-16-chars');

      // While the server holds the embedded database, the CLI's commands go to it (a Unix socket in
      // DATA_DIR and a token only this user can read); on PostgreSQL the CLI opens the database itself.
      const added = await siaran(env, 'unit', 'add', '--slug', 'polsek-ciruas', '--name', 'Polsek Ciruas', '--parent', 'polres-serang', '--tz', 'Asia/Jakarta', '--json');
      expect(added.code).toBe(0);
      expect(JSON.parse(added.out)).toMatchObject({ command: 'unit add', unit: { slug: 'polsek-ciruas', parentSlug: 'polres-serang', timeZone: 'Asia/Jakarta' } });
      const invited = await siaran(env, 'user', 'add', '--email', 'sup@ciruas.test', '--unit', 'polsek-ciruas', '--role', 'supervisor', '--password', 'kata-sandi-panjang', '--json');
      expect(JSON.parse(invited.out)).toMatchObject({ command: 'user add', user: { email: 'sup@ciruas.test', role: 'supervisor', unit: 'polsek-ciruas' } });
      const supToken = JSON.parse((await siaran(env, 'token', 'create', '--email', 'sup@ciruas.test', '--json')).out) as { token: string };
      expect((await client(await server.url, supToken.token)('GET', '/api/v1/me')).body).toMatchObject({ email: 'sup@ciruas.test', unit: { slug: 'polsek-ciruas' } });
      // A mistake is still an exit code and, with --json, one JSON object a script can read.
      const twice = await siaran(env, 'unit', 'add', '--slug', 'polsek-ciruas', '--name', 'Polsek Ciruas', '--tz', 'Asia/Jakarta', '--json');
      expect(twice.code).toBe(1);
      expect(JSON.parse(twice.out)).toMatchObject({ error: { exitCode: 1, code: 'unit.slug_taken', message: expect.stringMatching(/is taken/) } });
      if (testDbKind() === 'pglite') expect(server.logs.join('\n')).toMatch(/CLI command carried out/);
    } finally {
      expect(await server.kill('SIGTERM')).toBe(0);
    }
  }, 120_000);

  test('mistakes are explained, with a non-zero exit', async () => {
    const unknown = await siaran(env, 'unit', 'fly');
    expect(unknown.code).toBe(64);
    expect(unknown.err).toMatch(/unknown command/);
    const badTz = await siaran(env, 'unit', 'add', '--slug', 'x', '--name', 'X', '--tz', 'Europe/Paris');
    expect(badTz.code).toBe(64);
    expect(badTz.err).toMatch(/WIB/);
    const noParent = await siaran(env, 'unit', 'add', '--slug', 'polsek-x', '--name', 'X', '--parent', 'nope', '--tz', 'Asia/Jakarta');
    expect(noParent.code).toBe(1);
    expect(noParent.err).toMatch(/not found/);
    const shortSecret = await siaran(env, 'channel', 'add', '--unit', 'polda-banten', '--kind', 'webhook', '--url', 'https://e.invalid', '--secret', 'short');
    expect(shortSecret.err).toMatch(/16 characters/);
    const inward = await siaran({ ...env, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' }, 'channel', 'add', '--unit', 'polda-banten', '--kind', 'webhook', '--url', 'http://127.0.0.1:9/hook', '--secret', 'a-secret-of-16-chars');
    expect(inward.code).toBe(1);
    expect(inward.err).toMatch(/internal network/);
  }, 120_000);
});

// The platforms' checks are the subject, not the database (the commands above run on both): PostgreSQL only.
(testDbKind() === 'postgres' ? describe : describe.skip)('connecting platform channels from the command line', () => {
  let env: Record<string, string>;
  let x: FakeX;
  let tg: FakeTelegram;
  let meta: FakeGraph;
  beforeAll(async () => {
    x = await startFakeX();
    tg = await startFakeTelegram();
    meta = await startFakeGraph();
    env = testEnv({ ...platformEnv(x, tg, meta), DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'siaran-cli-')), EMBEDDED_DB_IN_MEMORY: 'false' });
  });
  afterAll(async () => {
    await dropTestState(loadEnv(env));
    await x.close();
    await tg.close();
    await meta.close();
  });

  test('adds a Telegram channel and an X account after checking them with the platform, and prints the ids (--json too)', async () => {
    expect((await siaran(env, 'unit', 'add', '--slug', 'polres-halut', '--name', 'Polres Halmahera Utara', '--tz', 'Asia/Jayapura')).code).toBe(0);
    // The bot token comes through standard input, out of the process list.
    const telegram = await siaranWithInput(env, `${tg.bot.token}\n`, 'channel', 'add', '--unit', 'polres-halut', '--kind', 'telegram', '--bot-token', '-', '--chat', '@humaspolrestubaba');
    expect(telegram.code).toBe(0);
    expect(telegram.out).toMatch(/^channel [0-9a-f-]{36} \(telegram, Humas Polres Tulangbawang Barat\) added to polres-halut$/m);

    const xAdded = await siaran(env, 'channel', 'add', '--unit', 'polres-halut', '--kind', 'x', '--access-token', x.oauth1.accessToken, '--access-secret', x.oauth1.accessSecret, '--json');
    expect(xAdded.code).toBe(0);
    const view = JSON.parse(xAdded.out);
    expect(view).toMatchObject({ command: 'channel add', unit: 'polres-halut' });
    expect(view.channel).toMatchObject({ kind: 'x', state: 'connected', accountName: '@humaspolrestubaba', settings: { username: 'humaspolrestubaba', auth: 'oauth1' } });
    expect(xAdded.out).not.toContain(x.oauth1.accessSecret);

    // The platform's refusal is told in words, and nothing is added.
    const wrongBot = await siaran(env, 'channel', 'add', '--unit', 'polres-halut', '--kind', 'telegram', '--bot-token', `${tg.bot.id}:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`, '--chat', '@humaspolrestubaba');
    expect(wrongBot.code).toBe(1);
    expect(wrongBot.err).toMatch(/Telegram refused or could not be reached: Telegram: Unauthorized/);
    // A Facebook Page from its id and Page token (read from standard input).
    const fb = await siaranWithInput(env, `${meta.page.token}\n`, 'channel', 'add', '--unit', 'polres-halut', '--kind', 'facebook', '--page-id', meta.page.id, '--page-token', '-', '--json');
    expect(fb.code).toBe(0);
    expect(JSON.parse(fb.out).channel).toMatchObject({ kind: 'facebook', state: 'connected', accountName: 'Humas Polres Tulangbawang Barat', settings: { pageId: meta.page.id } });
    expect(fb.out).not.toContain(meta.page.token);
    const wrongPage = await siaranWithInput(env, `${meta.page.token}\n`, 'channel', 'add', '--unit', 'polres-halut', '--kind', 'facebook', '--page-id', '123456789', '--page-token', '-');
    expect(wrongPage.code).toBe(1);
    expect(wrongPage.err).toMatch(/Facebook refused or could not be reached/);

    // An Instagram account from its id and its Page's token; refused, with the fix, where Meta cannot fetch photos.
    const ig = await siaranWithInput(env, `${meta.page.token}\n`, 'channel', 'add', '--unit', 'polres-halut', '--kind', 'instagram', '--ig-user-id', meta.ig.id, '--token', '-', '--json');
    expect(ig.code).toBe(0);
    expect(JSON.parse(ig.out).channel).toMatchObject({ kind: 'instagram', state: 'connected', accountName: '@humaspolrestubaba', settings: { igUserId: meta.ig.id, login: 'facebook' } });
    expect(ig.out).not.toContain(meta.page.token);
    const unreachable = await siaranWithInput({ ...env, META_ALLOW_PRIVATE_PHOTO_URLS: 'false', PUBLIC_BASE_URL: 'http://siaran.polres.lan' }, `${meta.ig.token}\n`, 'channel', 'add', '--unit', 'polres-halut', '--kind', 'instagram', '--ig-user-id', meta.ig.id, '--token', '-');
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toMatch(/PUBLIC_BASE_URL \(http:\/\/siaran\.polres\.lan\) is not HTTPS/);

    const missing = await siaran(env, 'channel', 'add', '--unit', 'polres-halut', '--kind', 'telegram', '--chat', '@humaspolrestubaba');
    expect(missing.code).toBe(64);
    expect(missing.err).toMatch(/missing --bot-token/);
    const noKind = await siaran(env, 'channel', 'add', '--unit', 'polres-halut', '--kind', 'myspace');
    expect(noKind.code).toBe(64);
    expect(noKind.err).toMatch(/--kind must be webhook, x, telegram, facebook or instagram/);
    const noApp = await siaran({ ...env, X_CONSUMER_KEY: '', X_CONSUMER_SECRET: '' }, 'channel', 'add', '--unit', 'polres-halut', '--kind', 'x', '--access-token', x.oauth1.accessToken, '--access-secret', x.oauth1.accessSecret);
    expect(noApp.code).toBe(1);
    expect(noApp.err).toMatch(/X_CONSUMER_KEY and X_CONSUMER_SECRET/);

    const parsed = loadEnv(env);
    const database = await openDatabase({ databaseUrl: parsed.DATABASE_URL, schema: parsed.DATABASE_SCHEMA, dataDir: parsed.DATA_DIR });
    try {
      const rows = await database.db.selectFrom('channels').innerJoin('units', 'units.id', 'channels.unit_id').select(['channels.kind', 'channels.secret_ciphertext']).where('units.slug', '=', 'polres-halut').execute();
      expect(rows.map((r) => r.kind).sort()).toEqual(['facebook', 'instagram', 'news_page', 'telegram', 'x']);
      // Sealed at rest: the token is not in the database in clear.
      for (const r of rows) expect(r.secret_ciphertext ?? '').not.toContain(tg.bot.token.split(':')[1]);
    } finally {
      await database.close();
    }
  }, 120_000);
});

describe('starting the product', () => {
  test('refuses to start on bad configuration and names every bad key', async () => {
    const p = spawnSiaran({ PORT: 'eighty', REDIS_URL: 'ftp://nope', LOG_LEVEL: 'silent' });
    expect(await p.exited).toBe(2);
    const text = p.logs.join('\n');
    expect(text).toMatch(/PORT/);
    expect(text).toMatch(/REDIS_URL/);
  });

  // The one-process mode needs no database server; with PostgreSQL this case says nothing new.
  (testDbKind() === 'pglite' ? test : test.skip)('on a machine with no Redis running, starts a private redis-server and stops it cleanly', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'siaran-fresh-'));
    const env = { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', REDIS_URL: `redis://127.0.0.1:${await freePort()}`, REDIS_PREFIX: 'fresh' };
    const p = spawnSiaran(env);
    try {
      const ready = await client(await p.url)('GET', '/readyz');
      expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok', workers: 'ok' } });
      expect(fs.existsSync(path.join(dataDir, 'redis', 'redis.sock'))).toBe(true);
      expect(fs.existsSync(path.join(dataDir, 'secrets.key'))).toBe(true);
    } finally {
      expect(await p.kill('SIGTERM')).toBe(0);
    }
    expect(p.logs.join('\n')).toMatch(/started a private redis-server/);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  // Making a new embedded database takes seconds: a SIGTERM (or Ctrl-C) meanwhile stops the server cleanly once it
  // has started, where it used to kill it mid-start.
  (testDbKind() === 'pglite' ? test : test.skip)('a SIGTERM while it is still starting stops it cleanly', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'siaran-early-'));
    const env = { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', REDIS_URL: `redis://127.0.0.1:${await freePort()}`, REDIS_PREFIX: 'early' };
    const p = spawnSiaran(env);
    for (let i = 0; i < 400 && !p.logs.some((l) => l.includes('started a private redis-server')); i++) await new Promise((r) => setTimeout(r, 25));
    // Sent twice at once, as `timeout` does (to the process and to its group): one request to stop, not two.
    p.proc.kill('SIGTERM');
    expect(await p.kill('SIGTERM')).toBe(0);
    const text = p.logs.join('\n');
    expect(text).toMatch(/stopping as soon as the start has finished/);
    expect(text).not.toMatch(/stopping at once/);
    expect(text).toMatch(/draining in-flight work, then stopping/);
    expect(text).not.toMatch(/"level":50/);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  // A DATA_DIR anybody may write into could hold somebody else's socket: the server opens none there.
  (testDbKind() === 'pglite' ? test : test.skip)('opens no CLI socket in a world-writable DATA_DIR', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'siaran-open-'));
    fs.chmodSync(dataDir, 0o777);
    const env = testEnv({ LOG_LEVEL: 'info', DATA_DIR: dataDir, EMBEDDED_DB_IN_MEMORY: 'false' });
    const p = spawnSiaran(env);
    try {
      await p.url;
      expect(p.logs.join('\n')).toMatch(/no CLI socket/);
      expect(fs.existsSync(path.join(dataDir, 'siaran.sock'))).toBe(false);
      const refused = await siaran(env, 'unit', 'add', '--slug', 'polda-x', '--name', 'Polda X', '--tz', 'Asia/Jakarta');
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/in use by process/);
    } finally {
      expect(await p.kill('SIGTERM')).toBe(0);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  // Units that run Redis highly available give the sentinels, not the primary's address.
  (testDbKind() === 'pglite' ? test : test.skip)('finds Redis through Redis Sentinel', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'siaran-sentinel-'));
    const [primaryPort, sentinelPort] = [await freePort(), await freePort()];
    const started: ReturnType<typeof spawn>[] = [];
    const run = (args: string[]) => {
      const p = spawn('redis-server', args, { cwd: dir, stdio: 'ignore' });
      started.push(p);
    };
    run(['--port', String(primaryPort), '--bind', '127.0.0.1', '--save', '']);
    fs.writeFileSync(path.join(dir, 'sentinel.conf'), `port ${sentinelPort}\nbind 127.0.0.1\nsentinel monitor primary-a 127.0.0.1 ${primaryPort} 1\n`);
    run([path.join(dir, 'sentinel.conf'), '--sentinel']);
    // REDIS_URL names nothing that listens: only the sentinels can lead to the primary.
    const env = testEnv({ LOG_LEVEL: 'info', REDIS_URL: 'redis://127.0.0.1:1', REDIS_AUTOSTART: 'false', REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`, REDIS_SENTINEL_NAME: 'primary-a' });
    const p = spawnSiaran(env);
    try {
      const ready = await client(await p.url)('GET', '/readyz');
      expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok', workers: 'ok' } });
      const direct = spawn('redis-cli', ['-p', String(primaryPort), '--scan', '--pattern', `${env.REDIS_PREFIX!}:*`]);
      let keys = '';
      direct.stdout.on('data', (c: Buffer) => (keys += c.toString()));
      await new Promise((r) => direct.on('exit', r));
      expect(keys).toContain(`${env.REDIS_PREFIX!}:siaran:workers`);
    } finally {
      expect(await p.kill('SIGTERM')).toBe(0);
      for (const s of started) s.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
