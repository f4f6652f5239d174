// Tokens and secrets stay sealed: after connecting every kind of channel and publishing through success,
// refusals and broken connections, and after people sign in (and mistype), use API tokens and web sessions, none
// of the channels' secrets, the API tokens, the passwords, the session cookies or the installation's key is in
// the logs, the job data in Redis, the API's answers or the pages' HTML.
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import { type Receiver, startReceiver } from '../../support/webhook-receiver';
import { addWebhook, client, quiescent } from '../../support/harness';
import { type PlatformWorld, connectFacebook, connectInstagram, connectTelegram, connectXOAuth2, connectXTokens, photo, publishSoon, scheduledPost, settled, startWithPlatforms } from '../../support/platforms';
import { PASSWORD, signIn } from '../../support/web-session';

const WEBHOOK_SECRET = 'webhook-secret-that-must-stay-sealed';
const lines: string[] = [];
let p: PlatformWorld;
let receiver: Receiver;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  p = await startWithPlatforms({}, { log: pino({ level: 'trace' }, sink) });
  receiver = await startReceiver(WEBHOOK_SECRET);
});
afterAll(async () => {
  await p.close();
  await receiver.close();
});

test('no token or secret appears in logs, job data, API answers or HTML', async () => {
  const db = p.h.siaran.database.db;
  const xTokens = await connectXTokens(p);
  p.x.consentAs = p.x.addUser({ username: 'satlantastubaba' }).user;
  const xOAuth = await connectXOAuth2(p);
  const tg = await connectTelegram(p);
  const hook = await addWebhook(db, p.world.units.polres, receiver.url, WEBHOOK_SECRET);
  const fb = await connectFacebook(p);
  const ig = await connectInstagram(p);
  const all = [p.world.newsPage.polres, xTokens, xOAuth, tg, hook, fb, ig];

  // A post that goes out everywhere, one refused by X, one whose Telegram connection breaks, one with a revoked bot.
  const ok = await scheduledPost(p, { body: 'Semua kanal terbit.', channelIds: all, photos: [{ data: await photo(), alt: 'Kegiatan' }] });
  await publishSoon(p, ok);
  await settled(p, ok);
  p.x.fault('POST /2/tweets', { answer: { status: 401, body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' } }, times: 2 });
  p.tg.fault('POST /bot*/sendMessage', { drop: true, accept: false });
  const broken = await scheduledPost(p, { body: 'Galat di mana-mana.', channelIds: [xTokens, tg] });
  await publishSoon(p, broken);
  // One more for later: its job waits in Redis with its data.
  await scheduledPost(p, { body: 'Terbit nanti.', channelIds: all, photos: [{ data: await photo(), alt: 'Kegiatan' }] });
  // Every failure recorded and held, nothing left due: the logs and the queue hold all they will.
  await quiescent(p.h.prefix, () => p.h.siaran.workers!.reconcileNow());

  const stored = await db.selectFrom('channels').select(['kind', 'secret_ciphertext']).where('secret_ciphertext', 'is not', null).execute();
  const secrets = new Set<string>([
    WEBHOOK_SECRET,
    p.tg.bot.token,
    p.x.oauth1.accessToken,
    p.x.oauth1.accessSecret,
    p.x.app.consumerSecret,
    p.x.app.clientSecret,
    p.meta.page.token,
    // People's secrets: every API token the world holds, the password they sign in with, the installation's key.
    ...Object.values(p.world.tokens),
    PASSWORD,
    p.h.env.SECRETS_KEY!,
  ]);
  for (const s of stored) {
    const creds = JSON.parse(p.h.siaran.channels.box.open(s.secret_ciphertext!)) as Record<string, unknown>;
    for (const key of ['accessToken', 'accessSecret', 'refreshToken', 'botToken', 'secret', 'token', 'pageToken']) if (typeof creds[key] === 'string') secrets.add(creds[key]);
  }
  // The bot token's secret half alone is as good as the token.
  secrets.add(p.tg.bot.token.split(':')[1]!);

  const places: Record<string, string> = {};
  places.logs = lines.join('');
  expect(places.logs.length).toBeGreaterThan(1000);

  const redis = new Redis(p.h.env.REDIS_URL);
  try {
    let dump = '';
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${p.h.prefix}:*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'hash') dump += JSON.stringify(await redis.hgetall(key));
        else if (type === 'string') dump += (await redis.get(key)) ?? '';
        else if (type === 'list') dump += (await redis.lrange(key, 0, -1)).join();
        else if (type === 'zset') dump += (await redis.zrange(key, 0, -1)).join();
        else if (type === 'stream') dump += JSON.stringify(await redis.xrange(key, '-', '+'));
      }
    } while (cursor !== '0');
    places.redis = dump;
  } finally {
    redis.disconnect();
  }
  expect(places.redis).toContain('targetId');

  const admin = client(p.h.url, p.world.tokens.admin);
  const supervisor = client(p.h.url, p.world.tokens.supervisor);
  places.api = JSON.stringify([
    (await admin('GET', `/api/v1/units/${p.world.units.polres}/channels`)).body,
    (await supervisor('GET', `/api/v1/posts/${ok}`)).body,
    (await supervisor('GET', `/api/v1/posts/${broken}`)).body,
    (await supervisor('GET', `/api/v1/posts/${ok}/history`)).body,
    (await supervisor('GET', '/api/v1/posts')).body,
  ]);
  const adminCookie = await signIn(p, 'admin');
  const supervisorCookie = await signIn(p, 'supervisor');
  // The sessions themselves: whoever reads one can act as its holder.
  for (const cookie of [adminCookie, supervisorCookie]) for (const pair of cookie.split('; ')) secrets.add(pair.slice(pair.indexOf('=') + 1));
  // A mistyped password and a wrong token are logged as refusals, never with what was typed.
  const mistyped = 'kata-sandi-yang-salah-789';
  secrets.add(mistyped);
  const loginPage = await fetch(`${p.h.url}/login`);
  const loginCookie = loginPage.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())![1]!;
  const email = (await db.selectFrom('users').select('email').where('id', '=', p.world.users.operator).executeTakeFirstOrThrow()).email;
  const refused = await fetch(`${p.h.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password: mistyped }).toString(),
  });
  expect(refused.status).toBeGreaterThanOrEqual(400);
  const wrongToken = `${p.world.tokens.operator.slice(0, -4)}zzzz`;
  secrets.add(wrongToken);
  expect((await client(p.h.url, wrongToken)('GET', '/api/v1/me')).status).toBe(401);
  places.html = (
    await Promise.all([
      fetch(`${p.h.url}/admin`, { headers: { cookie: adminCookie } }).then((r) => r.text()),
      fetch(`${p.h.url}/posts/${broken}`, { headers: { cookie: supervisorCookie } }).then((r) => r.text()),
      fetch(`${p.h.url}/inbox`, { headers: { cookie: supervisorCookie } }).then((r) => r.text()),
    ])
  ).join('');
  expect(places.html).toContain('Perlu disambungkan ulang');
  places.webhook = JSON.stringify(receiver.deliveries.map((d) => d.body));

  for (const [where, text] of Object.entries(places)) {
    for (const secret of secrets) {
      if (text.includes(secret)) throw new Error(`a secret (${secret.slice(0, 4)}…) appears in ${where}`);
    }
  }
}, 90_000);
