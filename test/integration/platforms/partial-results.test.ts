// One post on five channels — the news page, a webhook, X and two Telegram channels — where X fails: the
// others go out once, the post says which failed and why, and "retry" sends only that one.
import { client, waitFor, quiescent } from '../../support/harness';
import { addWebhook } from '../../support/harness';
import { type Receiver, startReceiver } from '../../support/webhook-receiver';
import { type PlatformWorld, connectTelegram, connectXTokens, photo, publishSoon, scheduledPost, settled, startWithPlatforms } from '../../support/platforms';

const SECRET = 'partial-results-webhook-secret';
let p: PlatformWorld;
let receiver: Receiver;

beforeAll(async () => {
  p = await startWithPlatforms();
  receiver = await startReceiver(SECRET);
});
afterAll(async () => {
  await p.close();
  await receiver.close();
});

test('X refuses: news page, webhook and both Telegram channels publish once; retry sends X only', async () => {
  const db = p.h.siaran.database.db;
  const x = await connectXTokens(p);
  const tgMain = await connectTelegram(p);
  const second = p.tg.addChannel({ username: 'lalulintastubaba', title: 'Satlantas Polres Tubaba' });
  const tgTraffic = await connectTelegram(p, p.world.units.polres, '@lalulintastubaba');
  const webhook = await addWebhook(db, p.world.units.polres, receiver.url, SECRET);
  const channels = [p.world.newsPage.polres, webhook, x, tgMain, tgTraffic];

  p.x.fault('POST /2/tweets', {
    answer: { status: 400, body: { errors: [{ message: 'Your media IDs are invalid.' }], title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request' } },
  });
  const body = 'Satlantas Polres Tulangbawang Barat menggelar sosialisasi keselamatan berlalu lintas di SMA Negeri 1 Tumijajar.';
  const id = await scheduledPost(p, { body, channelIds: channels, photos: [{ data: await photo(), alt: 'Sosialisasi di sekolah' }] });
  await publishSoon(p, id);
  const first = await settled(p, id, 40_000);

  expect(first.status).toBe('failed');
  const byChannel = (post: any, channelId: string) => post.targets.find((t: { channelId: string }) => t.channelId === channelId);
  expect(byChannel(first, x).status).toBe('failed');
  expect(byChannel(first, x).lastError).toContain('One or more parameters to your request was invalid');
  for (const c of [p.world.newsPage.polres, webhook, tgMain, tgTraffic]) expect(byChannel(first, c).status).toBe('published');
  const news = await db.selectFrom('news_items').select('post_id').where('post_id', '=', id).execute();
  expect(news).toHaveLength(1);
  expect(receiver.deliveries.filter((d) => d.body.post.id === id)).toHaveLength(1);
  expect(p.tg.messages.filter((m) => m.chatId === p.tg.channel.id)).toHaveLength(1);
  expect(p.tg.messages.filter((m) => m.chatId === second.id)).toHaveLength(1);
  // The webhook went last, with the links of what had gone out.
  const links = receiver.deliveries[0]!.body.post.links as Array<{ kind: string; url: string }>;
  expect(links.map((l) => l.kind).sort()).toEqual(['news_page', 'telegram', 'telegram']);
  expect(links.find((l) => l.url.includes('lalulintastubaba'))!.url).toBe(byChannel(first, tgTraffic).externalUrl);

  // The supervisor sees why, and asks for X again once the cause is gone.
  const page = await fetch(`${p.h.url}/api/v1/posts/${id}`, { headers: { authorization: `Bearer ${p.world.tokens.supervisor}` } });
  expect(page.status).toBe(200);
  const retried = await client(p.h.url, p.world.tokens.supervisor)('POST', `/api/v1/posts/${id}/targets/${byChannel(first, x).id}/retry`, {});
  expect(retried.status).toBe(200);
  const done = await waitFor('the retry', async () => {
    const post = (await client(p.h.url, p.world.tokens.supervisor)('GET', `/api/v1/posts/${id}`)).body;
    return post.status === 'published' ? post : undefined;
  }, 30_000);
  expect(byChannel(done, x).externalUrl).toMatch(/^https:\/\/x\.com\/humaspolrestubaba\/status\/\d+$/);
  await quiescent(p.h.prefix, () => p.h.siaran.workers!.reconcileNow());
  // Only X was sent again.
  expect(p.x.posts.filter((post) => post.text === body)).toHaveLength(1);
  expect(news).toHaveLength(1);
  expect(receiver.deliveries.filter((d) => d.body.post.id === id)).toHaveLength(1);
  expect(p.tg.messages.filter((m) => m.chatId === p.tg.channel.id || m.chatId === second.id)).toHaveLength(2);
  const history = (await client(p.h.url, p.world.tokens.supervisor)('GET', `/api/v1/posts/${id}/history`)).body.events.map((e: { type: string }) => e.type);
  expect(history.filter((t: string) => t === 'target.published')).toHaveLength(5);
  expect(history).toEqual(expect.arrayContaining(['target.failed', 'post.failed', 'target.retry', 'post.published']));
}, 90_000);

test('an X text over the limit is refused at submit with the finding that names the channel, its limit and the count', async () => {
  const x = (await client(p.h.url, p.world.tokens.admin)('GET', `/api/v1/units/${p.world.units.polres}/channels`)).body.find((c: { kind: string }) => c.kind === 'x');
  const operator = client(p.h.url, p.world.tokens.operator);
  const body = 'Polres Tulangbawang Barat melaksanakan patroli dialogis bersama warga Kecamatan Tumijajar. '.repeat(5).trim();
  const created = await operator('POST', '/api/v1/posts', { title: 'Terlalu panjang untuk X', body, channelIds: [x.id], scheduledAt: new Date(Date.now() + 3_600_000).toISOString() });
  expect(created.status).toBe(201);
  expect(created.body.findings.map((f: { code: string }) => f.code)).toContain('channel.text_too_long');
  const submit = await operator('POST', `/api/v1/posts/${created.body.id}/submit`, {}, { 'accept-language': 'en' });
  expect(submit.status).toBe(422);
  expect(submit.body.error.code).toBe('post.blocked_by_findings');
  const finding = submit.body.error.details.findings.find((f: { code: string }) => f.code === 'channel.text_too_long');
  expect(finding.message.en).toBe(`The text for ${x.name} is ${body.length} characters; the limit is 280. Shorten it, or choose "send as a thread".`);
  // As a thread, it may go.
  const asThread = await operator('PATCH', `/api/v1/posts/${created.body.id}`, { channelOptions: { [x.id]: { thread: true } } });
  expect(asThread.body.findings.map((f: { code: string }) => f.code)).not.toContain('channel.text_too_long');
  expect((await operator('POST', `/api/v1/posts/${created.body.id}/submit`, {})).status).toBe(200);
});

test('a webhook that kept failing is sent again by "retry" once its receiver is back', async () => {
  const db = p.h.siaran.database.db;
  const webhook = await addWebhook(db, p.world.units.polres, receiver.url, SECRET);
  receiver.behave(503);
  const id = await scheduledPost(p, { body: 'Penerima webhook sedang gangguan.', channelIds: [webhook] });
  await publishSoon(p, id);
  const failed = await settled(p, id);
  expect(failed.status).toBe('failed');
  // Given up after its attempts: the supervisor is told to check the channel and press "Coba lagi".
  expect(failed.targets[0].lastError).toMatch(/^gave up after \d+ attempts: /);
  expect(failed.targets[0].problemMessage.id).toMatch(/^Platform tidak dapat dijangkau atau terus bermasalah.*lalu tekan "Coba lagi"/);
  receiver.behave('ok');
  const before = receiver.deliveries.length;
  const retried = await client(p.h.url, p.world.tokens.supervisor)('POST', `/api/v1/posts/${id}/targets/${failed.targets[0].id}/retry`, {});
  expect(retried.status).toBe(200);
  await waitFor('the webhook delivered', async () => (await client(p.h.url, p.world.tokens.supervisor)('GET', `/api/v1/posts/${id}`)).body.status === 'published');
  // One delivery after the retry, under the same delivery id as the failed ones: a receiver can tell it is the same.
  const after = receiver.deliveries.slice(before).filter((d) => d.body.post?.id === id);
  expect(after).toHaveLength(1);
  expect(after[0]!.deliveryId).toBe(receiver.deliveries[before - 1]!.deliveryId);
}, 60_000);
