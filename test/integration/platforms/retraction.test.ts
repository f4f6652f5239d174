// A published post taken back: its page answers 410 Gone, it leaves the feed, each webhook receives one
// signed post.retracted, X and Telegram delete it, and the history says who and why.
import Parser from 'rss-parser';
import { addWebhook, client, unitSlug, waitFor, quiescent } from '../../support/harness';
import { type Receiver, startReceiver } from '../../support/webhook-receiver';
import { type PlatformWorld, connectTelegram, connectXTokens, photo, publishSoon, scheduledPost, settled, startWithPlatforms } from '../../support/platforms';

const SECRET = 'retraction-webhook-secret-long';
let p: PlatformWorld;
let receiver: Receiver;
let x: string;
let tg: string;
beforeAll(async () => {
  p = await startWithPlatforms();
  receiver = await startReceiver(SECRET);
  x = await connectXTokens(p);
  tg = await connectTelegram(p);
});
afterAll(async () => {
  await p.close();
  await receiver.close();
});

test('a retracted post is gone from the news page (410), the feed, X and Telegram, and webhooks are told once', async () => {
  const db = p.h.siaran.database.db;
  const hook = await addWebhook(db, p.world.units.polres, receiver.url, SECRET);
  const text = 'Kapolres meninjau pos pengamanan Natal di Panaragan.';
  const id = await scheduledPost(p, { body: text, channelIds: [p.world.newsPage.polres, x, tg, hook], photos: [{ data: await photo(), alt: 'Pos pengamanan' }, { data: await photo(), alt: 'Petugas berjaga' }] });
  await publishSoon(p, id);
  expect((await settled(p, id)).status).toBe('published');
  const slug = await unitSlug(db, p.world.units.polres);
  const permalink = `${p.h.url}/u/${slug}/p/${id}`;
  expect((await fetch(permalink)).status).toBe(200);

  // Only a supervisor of the unit or above may take it back, and only with a reason.
  expect((await client(p.h.url, p.world.tokens.operator)('POST', `/api/v1/posts/${id}/retract`, { reason: 'Salah foto.' })).status).toBe(403);
  expect((await client(p.h.url, p.world.tokens.supervisor)('POST', `/api/v1/posts/${id}/retract`, {})).status).toBe(422);
  const retracted = await client(p.h.url, p.world.tokens.supervisor)('POST', `/api/v1/posts/${id}/retract`, { reason: 'Foto memuat wajah warga tanpa izin.' });
  expect(retracted.status).toBe(200);
  expect(retracted.body.status).toBe('retracted');

  const done = await waitFor('every channel taken back', async () => {
    const post = (await client(p.h.url, p.world.tokens.supervisor)('GET', `/api/v1/posts/${id}`)).body;
    return post.targets.every((t: { retraction: string }) => t.retraction === 'done') ? post : undefined;
  });
  const gone = await fetch(permalink);
  expect(gone.status).toBe(410);
  expect(await gone.text()).toContain('telah ditarik');
  const feed = await new Parser().parseString(await (await fetch(`${p.h.url}/u/${slug}/feed.xml`)).text());
  expect(feed.items.map((i) => i.link)).not.toContain(permalink);
  expect(await (await fetch(`${p.h.url}/u/${slug}`)).text()).not.toContain('Kapolres meninjau pos pengamanan Natal');

  expect(p.x.posts.filter((post) => post.text === text)).toHaveLength(0);
  expect(p.x.deleted.filter((post) => post.text === text)).toHaveLength(1);
  const album = p.tg.deleted.filter((m) => m.chatId === p.tg.channel.id);
  expect(album).toHaveLength(2);
  expect(p.tg.messages.filter((m) => m.chatId === p.tg.channel.id && m.caption === text)).toHaveLength(0);

  await quiescent(p.h.prefix, () => p.h.siaran.workers!.reconcileNow());
  const notices = receiver.deliveries.filter((d) => d.body.event === 'post.retracted');
  expect(notices).toHaveLength(1);
  expect(notices[0]!.validSignature).toBe(true);
  expect(notices[0]!.deliveryId).toBe(`${done.targets.find((t: { channelId: string }) => t.channelId === hook).id}:retracted`);
  expect(notices[0]!.body).toMatchObject({ post: { id, url: permalink.replace('127.0.0.1', 'localhost') }, reason: 'Foto memuat wajah warga tanpa izin.' });

  const history = (await client(p.h.url, p.world.tokens.supervisor)('GET', `/api/v1/posts/${id}/history`)).body.events;
  const event = history.find((e: { type: string }) => e.type === 'retracted');
  expect(event.actor.id).toBe(p.world.users.supervisor);
  expect(event.data.reason).toBe('Foto memuat wajah warga tanpa izin.');
  expect(history.filter((e: { type: string }) => e.type === 'target.retracted')).toHaveLength(4);
}, 60_000);

test('a post taken back while it was going out to X is deleted from X as soon as X answers', async () => {
  const text = 'Ditarik saat sedang dikirim ke X.';
  p.x.fault('POST /2/tweets', { delayMs: 2500, times: 1 });
  const id = await scheduledPost(p, { body: text, channelIds: [x] });
  const arrived = p.x.nextRequest('POST /2/tweets');
  await publishSoon(p, id);
  await arrived;
  const supervisor = client(p.h.url, p.world.tokens.supervisor);
  const retracted = await supervisor('POST', `/api/v1/posts/${id}/retract`, { reason: 'Salah satuan.' });
  expect(retracted.status).toBe(200);
  expect(retracted.body.status).toBe('retracted');
  const done = await waitFor('the late tweet taken back', async () => {
    const post = (await supervisor('GET', `/api/v1/posts/${id}`)).body;
    return post.targets[0].retraction === 'done' ? post : undefined;
  });
  expect(done.status).toBe('retracted');
  expect(p.x.posts.filter((t) => t.text === text)).toHaveLength(0);
  expect(p.x.deleted.filter((t) => t.text === text)).toHaveLength(1);
}, 60_000);

test('a Telegram post confirmed by hand has no ids to delete by: the supervisor is told to remove it, and nothing of the post moves again', async () => {
  p.tg.fault('POST /bot*/sendMessage', { hang: true, accept: true, times: 1 });
  const id = await scheduledPost(p, { body: 'Dikonfirmasi manual lalu ditarik.', channelIds: [tg] });
  await publishSoon(p, id);
  const unsure = await settled(p, id);
  expect(unsure.status).toBe('unconfirmed');
  const supervisor = client(p.h.url, p.world.tokens.supervisor);
  const target = unsure.targets[0];
  expect((await supervisor('POST', `/api/v1/posts/${id}/targets/${target.id}/confirm-published`, { url: 'https://t.me/humaspolrestubaba/1' })).status).toBe(200);
  expect((await supervisor('POST', `/api/v1/posts/${id}/retract`, { reason: 'Informasi belum final.' })).status).toBe(200);
  const after = await waitFor('the retraction outcome', async () => {
    const post = (await supervisor('GET', `/api/v1/posts/${id}`)).body;
    return post.targets[0].retraction === 'failed' ? post : undefined;
  });
  expect(after.targets[0].retractionError).toMatch(/remove it by hand/);
  // A second retraction, a retry or a confirmation cannot bring any of it back.
  expect((await supervisor('POST', `/api/v1/posts/${id}/retract`, { reason: 'Sekali lagi.' })).status).toBe(409);
  const again = await supervisor('POST', `/api/v1/posts/${id}/targets/${target.id}/confirm-not-published`, {});
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('target.post_retracted');
}, 60_000);

test('a retraction whose worker died mid-way is not left "retracting" for ever: the reconciler asks a person to check', async () => {
  const text = 'Pekerja berhenti saat menarik pos.';
  const id = await scheduledPost(p, { body: text, channelIds: [x] });
  await publishSoon(p, id);
  const published = await settled(p, id);
  expect(published.status).toBe('published');
  // The state a worker leaves when it dies after claiming the deletion and before recording it.
  const db = p.h.siaran.database.db;
  await db.updateTable('posts').set({ status: 'retracted' }).where('id', '=', id).execute();
  await db.updateTable('post_targets').set({ retraction: 'retracting', claim_token: 'dead-worker', updated_at: new Date(Date.now() - 3_600_000) }).where('post_id', '=', id).execute();
  const after = await waitFor('the reconciler to give the retraction to a person', async () => {
    const post = (await client(p.h.url, p.world.tokens.supervisor)('GET', `/api/v1/posts/${id}`)).body;
    return post.targets[0].retraction === 'unconfirmed' ? post : undefined;
  });
  expect(after.targets[0].retractionError).toMatch(/check the platform/);
  const history = (await client(p.h.url, p.world.tokens.supervisor)('GET', `/api/v1/posts/${id}/history`)).body.events;
  expect(history.some((e: { type: string }) => e.type === 'target.retraction_failed')).toBe(true);
}, 60_000);
