// Publishing to X through twitter-api-v2 against a local fake of X's API: photos with alt text, rate
// limits that hold the channel, server errors, lost answers, revoked tokens, rejections, OAuth 2 renewal.
import { reconnectChannel } from '../../../services/channels/manage-channels';
import { client, waitFor, quiescent } from '../../support/harness';
import { signIn } from '../../support/web-session';
import { xRateLimited } from '../../support/fakes/fake-x';
import { type PlatformWorld, connectXOAuth2, connectXTokens, photo, postOf, publishSoon, scheduledPost, settled, startWithPlatforms } from '../../support/platforms';

let p: PlatformWorld;
let tokensChannel: string;
let oauth2Channel: string;

beforeAll(async () => {
  p = await startWithPlatforms();
  tokensChannel = await connectXTokens(p);
  // The unit's second account (its traffic unit's), connected through X's consent page.
  p.x.consentAs = p.x.addUser({ username: 'satlantastubaba' }).user;
  oauth2Channel = await connectXOAuth2(p);
  p.x.consentAs = p.x.user;
});
afterAll(() => p.close());
afterEach(() => p.x.clearFaults());

const postsWith = (text: string) => p.x.posts.filter((x) => x.text.startsWith(text));

test('the channels show as connected with the account name', async () => {
  const r = await client(p.h.url, p.world.tokens.admin)('GET', `/api/v1/units/${p.world.units.polres}/channels`);
  const x = r.body.filter((c: { kind: string }) => c.kind === 'x');
  expect(x).toHaveLength(2);
  expect(x.map((c: { state: string }) => c.state)).toEqual(['connected', 'connected']);
  expect(x.map((c: { accountName: string }) => c.accountName).sort()).toEqual(['@humaspolrestubaba', '@satlantastubaba']);
  expect(JSON.stringify(r.body)).not.toContain(p.x.oauth1.accessSecret);
});

test('a post with two photos and alt text goes out once, photos first, with the link on the post', async () => {
  const text = 'Kapolres Tubaba menyerahkan bantuan sosial kepada warga terdampak banjir.';
  const id = await scheduledPost(p, {
    body: text,
    channelIds: [tokensChannel],
    photos: [
      { data: await photo(), alt: 'Kapolres menyerahkan paket sembako' },
      { data: await photo(1200, 1600), alt: 'Warga menerima bantuan di balai desa' },
    ],
  });
  await publishSoon(p, id);
  const done = await settled(p, id);
  expect(done.status).toBe('published');
  const sent = postsWith(text);
  expect(sent).toHaveLength(1);
  expect(sent[0]!.mediaIds).toHaveLength(2);
  const alts = sent[0]!.mediaIds.map((m) => p.x.media.get(m)!.altText);
  expect(alts).toEqual(['Kapolres menyerahkan paket sembako', 'Warga menerima bantuan di balai desa']);
  // Photos were uploaded as JPEG renditions, in chunks, before the post.
  expect(sent[0]!.mediaIds.every((m) => p.x.media.get(m)!.type === 'image/jpeg')).toBe(true);
  const target = done.targets[0];
  expect(target.externalId).toBe(sent[0]!.id);
  expect(target.externalUrl).toBe(`https://x.com/humaspolrestubaba/status/${sent[0]!.id}`);
  expect(target.attempts).toBe(1);
});

test('a 429 with a reset a few seconds ahead holds the channel; then each post goes out once, attempts untouched', async () => {
  p.x.fault('POST /2/tweets', { answer: xRateLimited(7) });
  const a = await scheduledPost(p, { body: 'Pos pertama saat dibatasi.', channelIds: [tokensChannel] });
  const b = await scheduledPost(p, { body: 'Pos kedua saat dibatasi.', channelIds: [tokensChannel] });
  await publishSoon(p, a);
  const held = await waitFor('the channel to be held', async () => {
    const r = await client(p.h.url, p.world.tokens.admin)('GET', `/api/v1/units/${p.world.units.polres}/channels`);
    return r.body.find((c: { id: string; state: string }) => c.id === tokensChannel && c.state === 'rate_limited');
  });
  expect(Date.parse(held.until)).toBeGreaterThan(Date.now());
  // The second post comes due while the channel waits: it is held too, without trying.
  await publishSoon(p, b);
  const heldB = await waitFor('the second post to be held', async () => {
    const post = await postOf(p, b);
    return post.targets[0].status === 'held' ? post : undefined;
  });
  expect(heldB.targets[0].heldReason).toBe('channel.rate_limited');
  expect(heldB.targets[0].heldMessage.id).toMatch(/batas/);
  const triedBefore = p.x.requests.filter((r) => r.method === 'POST' && r.path === '/2/tweets').length;

  const [doneA, doneB] = await Promise.all([settled(p, a), settled(p, b)]);
  for (const d of [doneA, doneB]) {
    expect(d.status).toBe('published');
    expect(d.targets[0].attempts).toBe(1);
  }
  expect(postsWith('Pos pertama saat dibatasi.')).toHaveLength(1);
  expect(postsWith('Pos kedua saat dibatasi.')).toHaveLength(1);
  // After the hold, exactly one request per post.
  expect(p.x.requests.filter((r) => r.method === 'POST' && r.path === '/2/tweets').length - triedBefore).toBe(2);
  // Nothing went out before the reset.
  const reset = Date.parse(held.until);
  for (const text of ['Pos pertama saat dibatasi.', 'Pos kedua saat dibatasi.']) expect(postsWith(text)[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(reset - 1000);
}, 60_000);

test('a 500 is retried and the post goes out once', async () => {
  p.x.fault('POST /2/tweets', { answer: { status: 503, body: { title: 'Service Unavailable', detail: 'Service Unavailable', type: 'about:blank', status: 503 } } });
  const id = await scheduledPost(p, { body: 'Setelah gangguan sesaat.', channelIds: [tokensChannel] });
  await publishSoon(p, id);
  const done = await settled(p, id);
  expect(done.status).toBe('published');
  expect(done.targets[0].attempts).toBe(2);
  expect(postsWith('Setelah gangguan sesaat.')).toHaveLength(1);
}, 60_000);

test('X takes the post but the answer never comes: asked again, X shows it, so it is published, never twice', async () => {
  p.x.fault('POST /2/tweets', { hang: true, accept: true });
  const id = await scheduledPost(p, { body: 'Jawaban X hilang di jalan.', channelIds: [tokensChannel] });
  await publishSoon(p, id);
  const done = await settled(p, id);
  expect(done.status).toBe('published');
  const sent = postsWith('Jawaban X hilang di jalan.');
  expect(sent).toHaveLength(1);
  expect(done.targets[0].externalId).toBe(sent[0]!.id);
  // The timeline was read to find it.
  expect(p.x.requests.some((r) => r.method === 'GET' && /\/2\/users\/\d+\/tweets/.test(r.path))).toBe(true);
}, 60_000);

test('a post lost on the way that X does not show ends unconfirmed for a human, and is not sent again', async () => {
  p.x.fault('POST /2/tweets', { hang: true, accept: false });
  const id = await scheduledPost(p, { body: 'Tidak sampai ke X.', channelIds: [tokensChannel] });
  await publishSoon(p, id);
  const done = await settled(p, id);
  expect(done.status).toBe('unconfirmed');
  expect(done.targets[0].lastError).toMatch(/may have gone out/);
  await quiescent(p.h.prefix, () => p.h.siaran.workers!.reconcileNow());
  expect(p.x.requests.filter((r) => r.method === 'POST' && r.path === '/2/tweets' && (r.body as { text?: string }).text === 'Tidak sampai ke X.')).toHaveLength(1);
}, 60_000);

test("a rejected post shows X's reason; duplicate content is unconfirmed with X's words, never a success", async () => {
  p.x.fault('POST /2/tweets', {
    answer: { status: 400, body: { errors: [{ message: 'Your Tweet text is too long.' }], title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request' } },
  });
  const rejected = await scheduledPost(p, { body: 'Ditolak oleh X.', channelIds: [tokensChannel] });
  await publishSoon(p, rejected);
  const r = await settled(p, rejected);
  expect(r.status).toBe('failed');
  expect(r.targets[0].lastError).toContain('One or more parameters to your request was invalid');

  // The same text again: X refuses it as a duplicate of the earlier post.
  const first = await scheduledPost(p, { body: 'Teks yang sama persis.', channelIds: [tokensChannel] });
  await publishSoon(p, first);
  expect((await settled(p, first)).status).toBe('published');
  await p.h.siaran.database.db.updateTable('post_targets').set({ published_at: new Date(0) }).execute();
  const dup = await scheduledPost(p, { title: 'Lain', body: 'Teks yang sama persis.', channelIds: [tokensChannel] });
  // Make X's copy look old, so that it is not this attempt's own.
  p.x.posts.filter((x) => x.text === 'Teks yang sama persis.').forEach((x) => (x.createdAt = new Date(Date.now() - 3_600_000)));
  await publishSoon(p, dup);
  const d = await settled(p, dup);
  expect(d.status).toBe('unconfirmed');
  expect(d.targets[0].lastError).toContain('You are not allowed to create a Tweet with duplicate content.');
  expect(postsWith('Teks yang sama persis.')).toHaveLength(1);
}, 60_000);

test('402 (credits used up) holds the channel with a clear reason', async () => {
  p.x.fault('POST /2/tweets', { answer: { status: 402, headers: { 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 8) }, body: { title: 'CreditsDepleted', detail: 'Your enrolled account does not have any credits to fulfill this request.', type: 'https://api.twitter.com/2/problems/credits', status: 402 } } });
  const id = await scheduledPost(p, { body: 'Kredit API habis.', channelIds: [oauth2Channel] });
  await publishSoon(p, id);
  const held = await waitFor('the hold', async () => {
    const post = await postOf(p, id);
    return post.targets[0].status === 'held' ? post : undefined;
  });
  expect(held.targets[0].heldReason).toBe('channel.usage_cap');
  expect(held.targets[0].lastError).toContain('credits');
  const done = await settled(p, id);
  expect(done.status).toBe('published');
  expect(done.targets[0].attempts).toBe(1);
}, 60_000);

test('a revoked token flags the channel, holds its other posts, and reconnecting releases them, each once', async () => {
  const admin = client(p.h.url, p.world.tokens.admin);
  const account = p.x.addUser({ username: 'polsektumijajar' });
  const channel = await connectXTokens(p, p.world.units.polres, account.oauth1);
  const a = await scheduledPost(p, { body: 'Sebelum token dicabut.', channelIds: [channel] });
  const b = await scheduledPost(p, { body: 'Menunggu sambungan ulang.', channelIds: [channel] });
  p.x.revokeAll();
  await publishSoon(p, a);
  const flagged = await waitFor('the channel to need re-connection', async () => {
    const r = await admin('GET', `/api/v1/units/${p.world.units.polres}/channels`);
    return r.body.find((c: { id: string; state: string }) => c.id === channel && c.state === 'needs_reconnect');
  });
  expect(flagged.lastError).toMatch(/X refused the account's token/);
  await publishSoon(p, b);
  await waitFor('both posts held', async () => {
    const [pa, pb] = [await postOf(p, a), await postOf(p, b)];
    return pa.targets[0].status === 'held' && pb.targets[0].status === 'held';
  });
  const pa = await postOf(p, a);
  expect(pa.targets[0].heldReason).toBe('channel.needs_reconnect');
  expect(pa.targets[0].attempts).toBe(0);
  // The supervisors' inbox and the post page say so.
  const cookie = await signIn(p, 'supervisor');
  const inbox = await (await fetch(`${p.h.url}/inbox`, { headers: { cookie } })).text();
  expect(inbox).toContain('data-channel-trouble');
  expect(inbox).toContain('Perlu disambungkan ulang');
  const page = await (await fetch(`${p.h.url}/posts/${a}`, { headers: { cookie } })).text();
  expect(page).toContain('data-held-reason="channel.needs_reconnect"');
  const adminPage = await (await fetch(`${p.h.url}/admin`, { headers: { cookie: await signIn(p, 'admin') } })).text();
  expect(adminPage).toMatch(new RegExp(`data-channel="${channel}"[^]*?data-channel-state="needs_reconnect"[^]*?data-held="2"`));

  // The admin enters new tokens: the channel is connected again and the held posts go out, once each.
  const fresh = p.x.newOAuth1(account.user);
  const row = (await p.h.siaran.database.db.selectFrom('channels').selectAll().where('id', '=', channel).executeTakeFirstOrThrow());
  const done = await reconnectChannel(p.h.siaran.channels, row, { accessToken: fresh.accessToken, accessSecret: fresh.accessSecret });
  expect(done.released).toBe(2);
  const [da, db] = await Promise.all([settled(p, a), settled(p, b)]);
  expect(da.status).toBe('published');
  expect(db.status).toBe('published');
  expect(da.targets[0].attempts).toBe(1);
  expect(db.targets[0].attempts).toBe(1);
  expect(postsWith('Sebelum token dicabut.')).toHaveLength(1);
  expect(postsWith('Menunggu sambungan ulang.')).toHaveLength(1);
  expect(postsWith('Sebelum token dicabut.')[0]!.authToken).toBe(fresh.accessToken);
}, 90_000);

test('an OAuth 2 token near its end is renewed before use, and the rotated pair is stored sealed', async () => {
  p.x.consentAs = p.x.addUser({ username: 'polsekbaru' }).user;
  const channel = await connectXOAuth2(p);
  p.x.consentAs = p.x.user;
  const db = p.h.siaran.database.db;
  // The stored access token runs out in a minute: it is renewed first.
  const before = await db.selectFrom('channels').select(['secret_ciphertext', 'credentials_version']).where('id', '=', channel).executeTakeFirstOrThrow();
  const creds = JSON.parse(p.h.siaran.channels.box.open(before.secret_ciphertext!));
  creds.expiresAt = new Date(Date.now() + 60_000).toISOString();
  await db.updateTable('channels').set({ secret_ciphertext: p.h.siaran.channels.box.seal(JSON.stringify(creds)) }).where('id', '=', channel).execute();
  const calls = p.x.refreshCalls;
  const id = await scheduledPost(p, { body: 'Token diperbarui lebih dulu.', channelIds: [channel] });
  await publishSoon(p, id);
  expect((await settled(p, id)).status).toBe('published');
  expect(p.x.refreshCalls - calls).toBe(1);
  const after = await db.selectFrom('channels').select(['secret_ciphertext', 'credentials_version', 'token_expires_at']).where('id', '=', channel).executeTakeFirstOrThrow();
  expect(after.credentials_version).toBe(before.credentials_version + 1);
  expect(after.secret_ciphertext).not.toContain(creds.refreshToken);
  const renewed = JSON.parse(p.h.siaran.channels.box.open(after.secret_ciphertext!));
  expect(renewed.refreshToken).not.toBe(creds.refreshToken);
  expect(postsWith('Token diperbarui lebih dulu.')[0]!.authToken).toBe(renewed.accessToken);
  expect(after.token_expires_at!.getTime()).toBeGreaterThan(Date.now() + 3_600_000);
}, 60_000);

test('an account connected twice to one unit is refused: every post would go out twice', async () => {
  await expect(connectXTokens(p, p.world.units.polres, p.x.newOAuth1())).rejects.toMatchObject({ code: 'channel.exists', text: { en: expect.stringContaining('@humaspolrestubaba is already connected to this unit') } });
  // Through the consent page, the same account renews its channel instead.
  p.x.consentAs = p.x.user;
  const channels = async () => (await p.h.siaran.database.db.selectFrom('channels').select('id').where('kind', '=', 'x').execute()).length;
  const before = await channels();
  await connectXOAuth2(p);
  expect(await channels()).toBe(before);
});
