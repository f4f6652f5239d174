// Publishing to a Telegram channel through grammY against a local fake of the Bot API: albums with captions,
// long texts after photos, HTML escaping, retry_after holds, server errors, lost answers, revoked tokens.
import { reconnectChannel } from '../../../services/channels/manage-channels';
import { telegramRateLimited } from '../../support/fakes/fake-telegram';
import { client, waitFor, quiescent } from '../../support/harness';
import { signIn } from '../../support/web-session';
import { type PlatformWorld, connectTelegram, photo, postOf, publishSoon, scheduledPost, settled, startWithPlatforms } from '../../support/platforms';

let p: PlatformWorld;
let channel: string;

beforeAll(async () => {
  p = await startWithPlatforms();
  channel = await connectTelegram(p);
});
afterAll(() => p.close());
afterEach(() => p.tg.clearFaults());

const inChannel = () => p.tg.messages.filter((m) => m.chatId === p.tg.channel.id);
const sendRequests = () => p.tg.requests.filter((r) => /\/send(Message|Photo|MediaGroup)$/.test(r.path));

test('connecting checks the bot is an admin of the channel and resolves its id', async () => {
  const r = await client(p.h.url, p.world.tokens.admin)('GET', `/api/v1/units/${p.world.units.polres}/channels`);
  const tg = r.body.find((c: { id: string }) => c.id === channel);
  expect(tg).toMatchObject({ kind: 'telegram', state: 'connected', accountName: 'Humas Polres Tulangbawang Barat', settings: { chatId: String(p.tg.channel.id), chatUsername: 'humaspolrestubaba' } });
  expect(JSON.stringify(r.body)).not.toContain(p.tg.bot.token);

  // A channel where the bot is no admin is refused with words the admin can act on.
  p.tg.addChannel({ username: 'polsektumijajar', title: 'Polsek Tumijajar', botIsAdmin: false });
  await expect(connectTelegram(p, p.world.units.polsek, '@polsektumijajar')).rejects.toMatchObject({ code: 'channel.connect_failed', text: { en: expect.stringContaining('is not an administrator') } });
  await expect(connectTelegram(p, p.world.units.polsek, '@tidakada')).rejects.toMatchObject({ text: { en: expect.stringContaining('chat not found') } });
});

test('a post with two photos goes out as one album with the caption on the first photo; its link is the first message', async () => {
  const text = 'Kapolres Tubaba meninjau <pos> pengamanan & pelayanan mudik di Jalan Lintas Sumatra.';
  const id = await scheduledPost(p, { body: text, channelIds: [channel], photos: [{ data: await photo(), alt: 'Pos pengamanan' }, { data: await photo(900, 1400), alt: 'Petugas melayani pemudik' }] });
  await publishSoon(p, id);
  const done = await settled(p, id);
  expect(done.status).toBe('published');
  const album = inChannel().filter((m) => m.mediaGroupId !== undefined && m.date * 1000 >= Date.now() - 60_000);
  expect(album).toHaveLength(2);
  // HTML-escaped on the way, read back by Telegram as the operator wrote it.
  expect(album[0]!.caption).toBe(text);
  expect(album[1]!.caption).toBeUndefined();
  expect(album[0]!.photo!.width).toBe(1600);
  expect(done.targets[0].externalId).toBe(String(album[0]!.messageId));
  expect(done.targets[0].externalIds).toEqual(album.map((m) => String(m.messageId)));
  expect(done.targets[0].externalUrl).toBe(`https://t.me/humaspolrestubaba/${album[0]!.messageId}`);
});

test('a text longer than a caption goes as the photo, then the text, instead of failing', async () => {
  const long = `${'Polres Tulangbawang Barat mengimbau warga agar waspada terhadap penipuan daring. '.repeat(16)}Hubungi 110.`;
  expect(long.length).toBeGreaterThan(1024);
  const id = await scheduledPost(p, { body: long, channelIds: [channel], photos: [{ data: await photo(), alt: 'Imbauan' }] });
  await publishSoon(p, id);
  const done = await settled(p, id);
  expect(done.status).toBe('published');
  const [ph, txt] = inChannel().slice(-2);
  expect(ph!.photo).toBeDefined();
  expect(ph!.caption).toBeUndefined();
  expect(txt!.text).toBe(long);
  expect(done.targets[0].externalIds).toEqual([String(ph!.messageId), String(txt!.messageId)]);
});

test('retry_after holds the channel; then each post goes out once with its attempts untouched', async () => {
  p.tg.fault('POST /bot*/sendMessage', { answer: telegramRateLimited(4) });
  const a = await scheduledPost(p, { body: 'Pesan pertama saat dibatasi Telegram.', channelIds: [channel] });
  const b = await scheduledPost(p, { body: 'Pesan kedua saat dibatasi Telegram.', channelIds: [channel] });
  await publishSoon(p, a);
  await waitFor('the channel to be rate-limited', async () => {
    const r = await client(p.h.url, p.world.tokens.admin)('GET', `/api/v1/units/${p.world.units.polres}/channels`);
    return r.body.some((c: { id: string; state: string }) => c.id === channel && c.state === 'rate_limited');
  });
  await publishSoon(p, b);
  await waitFor('the second post held', async () => (await postOf(p, b)).targets[0].status === 'held');
  const [da, db] = await Promise.all([settled(p, a), settled(p, b)]);
  for (const d of [da, db]) {
    expect(d.status).toBe('published');
    expect(d.targets[0].attempts).toBe(1);
  }
  expect(inChannel().filter((m) => m.text === 'Pesan pertama saat dibatasi Telegram.')).toHaveLength(1);
  expect(inChannel().filter((m) => m.text === 'Pesan kedua saat dibatasi Telegram.')).toHaveLength(1);
}, 60_000);

test('a 500 is retried and the message goes out once', async () => {
  p.tg.fault('POST /bot*/sendMessage', { answer: { status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } } });
  const id = await scheduledPost(p, { body: 'Setelah galat server Telegram.', channelIds: [channel] });
  await publishSoon(p, id);
  const done = await settled(p, id);
  expect(done.status).toBe('published');
  expect(done.targets[0].attempts).toBe(2);
  expect(inChannel().filter((m) => m.text === 'Setelah galat server Telegram.')).toHaveLength(1);
}, 60_000);

test('Telegram takes the message but the answer never comes: unconfirmed for a human, never sent twice', async () => {
  p.tg.fault('POST /bot*/sendMessage', { hang: true, accept: true });
  const id = await scheduledPost(p, { body: 'Jawaban Telegram hilang.', channelIds: [channel] });
  await publishSoon(p, id);
  const done = await settled(p, id);
  expect(done.status).toBe('unconfirmed');
  expect(done.targets[0].lastError).toMatch(/may have gone out/);
  // The supervisor reads what happened and what to do in their language; the recorded words are the detail.
  expect(done.targets[0].problemMessage.id).toMatch(/^Belum pasti apakah kiriman ini sudah terbit.*supervisor menekan "Pastikan: sudah terbit" atau "Pastikan: tidak terbit"/);
  const page = await (await fetch(`${p.h.url}/posts/${id}`, { headers: { cookie: await signIn(p, 'supervisor') } })).text();
  expect(page).toContain('<div class="error" data-problem>Belum pasti apakah kiriman ini sudah terbit');
  expect(page).toMatch(/data-error-detail>Rincian teknis \(kata platform atau Siaran, tidak diterjemahkan\): [^<]*may have gone out/);
  await quiescent(p.h.prefix, () => p.h.siaran.workers!.reconcileNow());
  expect(inChannel().filter((m) => m.text === 'Jawaban Telegram hilang.')).toHaveLength(1);
  expect(sendRequests().filter((r) => r.body.text === 'Jawaban Telegram hilang.')).toHaveLength(1);

  // The supervisor confirms what the channel shows.
  const target = done.targets[0];
  const confirmed = await client(p.h.url, p.world.tokens.supervisor)('POST', `/api/v1/posts/${id}/targets/${target.id}/confirm-published`, { url: `https://t.me/humaspolrestubaba/${inChannel().at(-1)!.messageId}` });
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.status).toBe('published');
}, 60_000);

test("a rejected photo shows Telegram's reason", async () => {
  p.tg.fault('POST /bot*/sendPhoto', { answer: { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: PHOTO_INVALID_DIMENSIONS' } } });
  const id = await scheduledPost(p, { body: 'Foto ditolak.', channelIds: [channel], photos: [{ data: await photo(), alt: 'x' }] });
  await publishSoon(p, id);
  const done = await settled(p, id);
  expect(done.status).toBe('failed');
  expect(done.targets[0].lastError).toBe('Telegram: Bad Request: PHOTO_INVALID_DIMENSIONS');
  expect(done.targets[0].problemMessage).toEqual({
    id: expect.stringMatching(/^Platform atau penerima menolak kiriman ini; mengirim ulang tanpa perbaikan akan ditolak lagi/),
    en: expect.stringMatching(/^The platform or the receiver refused this post; sending it again unchanged will be refused again/),
  });
});

test('a revoked bot token flags the channel, holds its posts, and a new token releases them, each once', async () => {
  const a = await scheduledPost(p, { body: 'Token bot dicabut.', channelIds: [channel] });
  const b = await scheduledPost(p, { body: 'Menunggu token baru.', channelIds: [channel] });
  const fresh = p.tg.revokeToken();
  await publishSoon(p, a);
  await waitFor('the channel flagged', async () => {
    const r = await client(p.h.url, p.world.tokens.admin)('GET', `/api/v1/units/${p.world.units.polres}/channels`);
    return r.body.some((c: { id: string; state: string; lastError: string }) => c.id === channel && c.state === 'needs_reconnect' && c.lastError === 'Telegram: Unauthorized');
  });
  await publishSoon(p, b);
  await waitFor('both held', async () => (await postOf(p, a)).targets[0].status === 'held' && (await postOf(p, b)).targets[0].status === 'held');
  const row = await p.h.siaran.database.db.selectFrom('channels').selectAll().where('id', '=', channel).executeTakeFirstOrThrow();
  const done = await reconnectChannel(p.h.siaran.channels, row, { botToken: fresh });
  expect(done.released).toBe(2);
  const [da, db] = await Promise.all([settled(p, a), settled(p, b)]);
  expect([da.status, db.status]).toEqual(['published', 'published']);
  expect(inChannel().filter((m) => m.text === 'Token bot dicabut.')).toHaveLength(1);
  expect(inChannel().filter((m) => m.text === 'Menunggu token baru.')).toHaveLength(1);
  expect(inChannel().at(-1)!.botToken).toBe(fresh);
}, 60_000);

test('a message a supervisor confirms was not sent goes out on retry, once', async () => {
  p.tg.fault('POST /bot*/sendMessage', { hang: true, accept: false });
  const id = await scheduledPost(p, { body: 'Dikonfirmasi tidak terkirim.', channelIds: [channel] });
  await publishSoon(p, id);
  const unsure = await settled(p, id);
  expect(unsure.status).toBe('unconfirmed');
  const supervisor = client(p.h.url, p.world.tokens.supervisor);
  const target = unsure.targets[0];
  expect((await supervisor('POST', `/api/v1/posts/${id}/targets/${target.id}/confirm-not-published`, {})).body.status).toBe('failed');
  expect((await postOf(p, id)).targets[0].problemMessage.id).toMatch(/^Supervisor memastikan kiriman ini tidak terbit/);
  expect((await supervisor('POST', `/api/v1/posts/${id}/targets/${target.id}/retry`, {})).status).toBe(200);
  const done = await settled(p, id);
  expect(done.status).toBe('published');
  expect(inChannel().filter((m) => m.text === 'Dikonfirmasi tidak terkirim.')).toHaveLength(1);
}, 60_000);

test('reconnecting cannot switch the channel to another Telegram channel', async () => {
  p.tg.addChannel({ username: 'satlantastubaba', title: 'Satlantas Tubaba' });
  const row = await p.h.siaran.database.db.selectFrom('channels').selectAll().where('id', '=', channel).executeTakeFirstOrThrow();
  await expect(reconnectChannel(p.h.siaran.channels, row, { botToken: p.tg.bot.token, chat: '@satlantastubaba' })).rejects.toMatchObject({ code: 'channel.other_account' });
});
