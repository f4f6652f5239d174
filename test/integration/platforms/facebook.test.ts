// Facebook Pages through the real publishing engine, against the fake Graph API: photos, throttling, a
// revoked token, a lost answer and a duplicate — each post out once, or held, or left to a person.
import { reconnectChannel } from '../../../services/channels/manage-channels';
import { client, quiescent, waitFor } from '../../support/harness';
import { type PlatformWorld, connectFacebook, photo, postOf, publishSoon, scheduledPost, settled, startWithPlatforms } from '../../support/platforms';

let p: PlatformWorld;
let page: string;

beforeAll(async () => {
  p = await startWithPlatforms();
  page = await connectFacebook(p);
});
afterAll(() => p.close());
afterEach(() => {
  p.meta.clearFaults();
  p.meta.setUsage(undefined);
});

const onPage = (text: string) => p.meta.page.posts.filter((post) => post.message === text && !post.deleted);
const channelState = async (id: string) =>
  ((await client(p.h.url, p.world.tokens.admin)('GET', `/api/v1/units/${p.world.units.polres}/channels`)).body as Array<{ id: string; state: string; accountName: string }>).find((c) => c.id === id)!;

test('connecting reads the Page with its token; a token of another Page is refused in words', async () => {
  expect(await channelState(page)).toMatchObject({ state: 'connected', accountName: 'Humas Polres Tulangbawang Barat' });
  const other = p.meta.addPage({ name: 'Halaman lain' });
  const refused = await connectFacebook(p, p.world.units.polsek, { ...other, token: p.meta.page.token }).catch((e: unknown) => e);
  expect((refused as Error).message).toMatch(/Facebook refused or could not be reached: this token is not the Page token of Page \d+: it speaks for Humas Polres Tulangbawang Barat/);
});

test('a post with three photos and their alt texts goes out as one Page post, once, with its link', async () => {
  const text = 'Kegiatan bakti sosial Polres Tulangbawang Barat.';
  const id = await scheduledPost(p, {
    body: text,
    channelIds: [page, p.world.newsPage.polres],
    photos: [
      { data: await photo(), alt: 'Petugas membagikan sembako' },
      { data: await photo(), alt: 'Warga antre dengan tertib' },
      { data: await photo(), alt: 'Kapolres menyapa warga' },
    ],
  });
  await publishSoon(p, id);
  const done = await settled(p, id);
  expect(done.status).toBe('published');
  const [post] = onPage(text);
  expect(onPage(text)).toHaveLength(1);
  expect(post!.photoIds).toHaveLength(3);
  const photos = post!.photoIds.map((pid) => p.meta.page.photos.find((ph) => ph.id === pid)!);
  expect(photos.map((ph) => [ph.altText, ph.via, ph.published])).toEqual([
    ['Petugas membagikan sembako', 'source', true],
    ['Warga antre dengan tertib', 'source', true],
    ['Kapolres menyapa warga', 'source', true],
  ]);
  const target = done.targets.find((t: { channelId: string }) => t.channelId === page);
  // The link Meta gives for the post, on the post's targets (API, post page, webhook).
  expect(target.externalUrl).toBe(`https://www.facebook.com/permalink.php?story_fbid=${post!.id.split('_')[1]!}&id=${p.meta.page.id}`);
});

test('a throttled Page holds its posts until Meta’s estimate, then each goes out once, attempts untouched', async () => {
  // Meta says minutes; the fake says a few seconds so that the test need not wait them.
  p.meta.setUsage({ callCount: 100, regainMinutes: 0.05 });
  const a = await scheduledPost(p, { body: 'Pesan pertama saat Halaman dibatasi.', channelIds: [page] });
  const b = await scheduledPost(p, { body: 'Pesan kedua saat Halaman dibatasi.', channelIds: [page] });
  await publishSoon(p, a);
  await waitFor('the channel to be rate-limited', async () => (await channelState(page)).state === 'rate_limited');
  await publishSoon(p, b);
  await waitFor('the second post held', async () => (await postOf(p, b)).targets[0].status === 'held');
  p.meta.setUsage(undefined);
  const [da, db] = await Promise.all([settled(p, a), settled(p, b)]);
  for (const d of [da, db]) {
    expect(d.status).toBe('published');
    expect(d.targets[0].attempts).toBe(1);
  }
  expect(onPage('Pesan pertama saat Halaman dibatasi.')).toHaveLength(1);
  expect(onPage('Pesan kedua saat Halaman dibatasi.')).toHaveLength(1);
});

test('a revoked Page token flags the channel and holds its posts; a new token releases them, each once', async () => {
  const fresh = p.meta.revokePageToken(p.meta.page.id, 460);
  const id = await scheduledPost(p, { body: 'Terbit setelah token baru.', channelIds: [page] });
  await publishSoon(p, id);
  await waitFor('the hold', async () => (await postOf(p, id)).targets[0].status === 'held');
  const state = await channelState(page);
  expect(state.state).toBe('needs_reconnect');
  const held = (await postOf(p, id)).targets[0];
  expect(held.lastError ?? held.heldMessage?.en ?? '').toMatch(/password was changed|reconnect/i);
  const row = await p.h.siaran.database.db.selectFrom('channels').selectAll().where('id', '=', page).executeTakeFirstOrThrow();
  // A token that is not the Page's own is refused; the Page's new one is taken and releases the post.
  await expect(reconnectChannel(p.h.siaran.channels, row, { pageToken: 'EAAGbukan-token-halaman-ini-sama-sekali' })).rejects.toThrow(/Facebook/);
  expect((await reconnectChannel(p.h.siaran.channels, row, { pageToken: fresh })).released).toBe(1);
  const done = await settled(p, id);
  expect(done.status).toBe('published');
  expect(onPage('Terbit setelah token baru.')).toHaveLength(1);
});

test('Meta takes the post but the answer is lost: the Page’s feed shows it, so it is published, never twice', async () => {
  p.meta.fault(`POST /${p.meta.version}/${p.meta.page.id}/feed`, { hang: true, accept: true });
  const id = await scheduledPost(p, { body: 'Jawaban Meta hilang di jalan.', channelIds: [page] });
  await publishSoon(p, id);
  const done = await settled(p, id, 60_000);
  expect(done.status).toBe('published');
  await quiescent(p.h.prefix, () => p.h.siaran.workers!.reconcileNow());
  expect(onPage('Jawaban Meta hilang di jalan.')).toHaveLength(1);
  expect(p.meta.requests.some((r) => r.method === 'GET' && r.path.endsWith(`/${p.meta.page.id}/published_posts`))).toBe(true);
});

test('a duplicate (506) is unconfirmed with Meta’s words for a person, never shown as published', async () => {
  const text = 'Pesan yang sama dua kali.';
  // The same text already on the Page (posted by hand a moment ago).
  await fetch(`${p.meta.url}/${p.meta.version}/${p.meta.page.id}/feed`, { method: 'POST', headers: { authorization: `Bearer ${p.meta.page.token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ message: text }).toString() });
  const id = await scheduledPost(p, { body: text, channelIds: [page] });
  await publishSoon(p, id);
  const done = await settled(p, id);
  expect(done.status).toBe('unconfirmed');
  expect(done.targets[0].lastError).toMatch(/already there.*identical/);
  expect(onPage(text)).toHaveLength(1);
});

test('a post Meta never made (the answer lost, nothing on the Page) is left to a person; confirmed not sent, a retry publishes it once', async () => {
  p.meta.fault(`POST /${p.meta.version}/${p.meta.page.id}/feed`, { hang: true, accept: false });
  const text = 'Tidak sampai ke Facebook.';
  const id = await scheduledPost(p, { body: text, channelIds: [page] });
  await publishSoon(p, id);
  const unsure = await settled(p, id, 60_000);
  expect(unsure.status).toBe('unconfirmed');
  expect(onPage(text)).toHaveLength(0);
  const supervisor = client(p.h.url, p.world.tokens.supervisor);
  const target = unsure.targets[0];
  expect((await supervisor('POST', `/api/v1/posts/${id}/targets/${target.id}/confirm-not-published`, {})).body.status).toBe('failed');
  expect((await supervisor('POST', `/api/v1/posts/${id}/targets/${target.id}/retry`, {})).status).toBe(200);
  expect((await settled(p, id)).status).toBe('published');
  expect(onPage(text)).toHaveLength(1);
}, 90_000);

test('an unpublished photo upload whose answer is lost is simply uploaded again: the post goes out once', async () => {
  p.meta.fault(`POST /${p.meta.version}/${p.meta.page.id}/photos`, { hang: true, accept: true });
  const text = 'Unggahan foto pertama tanpa jawaban.';
  const id = await scheduledPost(p, { body: text, channelIds: [page], photos: [{ data: await photo(), alt: 'Satu' }, { data: await photo(), alt: 'Dua' }] });
  await publishSoon(p, id);
  const done = await settled(p, id, 60_000);
  expect(done.status).toBe('published');
  expect(onPage(text)).toHaveLength(1);
  expect(onPage(text)[0]!.photoIds).toHaveLength(2);
}, 90_000);

test('taking a post back deletes it and its photos from the Page', async () => {
  const text = 'Ditarik kembali dari Halaman.';
  const id = await scheduledPost(p, { body: text, channelIds: [page], photos: [{ data: await photo(), alt: 'Satu' }, { data: await photo(), alt: 'Dua' }] });
  await publishSoon(p, id);
  expect((await settled(p, id)).status).toBe('published');
  const [post] = onPage(text);
  const retracted = await client(p.h.url, p.world.tokens.supervisor)('POST', `/api/v1/posts/${id}/retract`, { reason: 'Informasi belum final.' });
  expect(retracted.status).toBe(200);
  await waitFor('taken back', async () => (await postOf(p, id)).targets.every((t: { retraction: string }) => t.retraction === 'done'));
  expect(onPage(text)).toHaveLength(0);
  expect(p.meta.page.photos.filter((ph) => post!.photoIds.includes(ph.id))).toHaveLength(0);
}, 60_000);
