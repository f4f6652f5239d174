// Instagram through the real publishing engine, against the fake Graph API that downloads each photo from
// Siaran's signed link as Meta does: one photo, a carousel, slow processing, a container that fails, the
// daily quota (held, never failed), a link Meta cannot download, and the tokens either login gives.
import { finishInstagramLogin, startInstagramLogin } from '../../../services/channels/instagram-login';
import { reconnectChannel } from '../../../services/channels/manage-channels';
import { RECONCILER_QUEUES } from '../../../services/posts/deps';
import { approvePost } from '../../../services/posts/review-post';
import { client, waitFor } from '../../support/harness';
import { type PlatformWorld, connectInstagram, photo, postOf, publishSoon, scheduledPost, settled, startWithPlatforms } from '../../support/platforms';

let p: PlatformWorld;
let ig: string;

beforeAll(async () => {
  p = await startWithPlatforms();
  ig = await connectInstagram(p);
});
afterAll(() => p.close());
afterEach(() => {
  p.meta.clearFaults();
  p.meta.processingMs = 0;
});

const media = (caption: string) => p.meta.ig.media.filter((m) => m.caption === caption);
const channelState = async (id: string) =>
  ((await client(p.h.url, p.world.tokens.admin)('GET', `/api/v1/units/${p.world.units.polres}/channels`)).body as Array<{ id: string; state: string; accountName: string; until: string | null }>).find((c) => c.id === id)!;

test('connecting checks the account with its token; another account, or a token that is not its own, is refused in words', async () => {
  expect(await channelState(ig)).toMatchObject({ state: 'connected', accountName: '@humaspolrestubaba' });
  const other = p.meta.addIgUser({ username: 'humaspolreslain' });
  await expect(connectInstagram(p, p.world.units.polsek, other, p.meta.page.token)).rejects.toThrow(/Instagram refused or could not be reached/);
  // The same account twice in one unit would publish every post twice.
  await expect(connectInstagram(p)).rejects.toThrow(/@humaspolrestubaba is already connected/);
});

test('one photo goes out with its caption and alt text, once, with the permalink Meta gives', async () => {
  const text = 'Polres Tulangbawang Barat membagikan bantuan sosial kepada warga terdampak banjir.';
  const id = await scheduledPost(p, { body: text, channelIds: [ig], photos: [{ data: await photo(1600, 1000), alt: 'Petugas mengangkat karung beras' }] });
  await publishSoon(p, id);
  const done = await settled(p, id);
  expect(done.status).toBe('published');
  const [m] = media(text);
  expect(media(text)).toHaveLength(1);
  const container = p.meta.containers.get(m!.containerId)!;
  expect(container).toMatchObject({ kind: 'IMAGE', altText: 'Petugas mengangkat karung beras', forced: 'PUBLISHED' });
  // Meta downloaded the Instagram rendition: 1080 wide, inside 4:5 to 1.91:1.
  expect(container.image!.width).toBe(1080);
  expect(done.targets[0].externalUrl).toBe(m!.permalink);
  expect(done.targets[0].externalUrl).toMatch(/^https:\/\/www\.instagram\.com\/p\//);
});

test('a carousel of three photos, slowly processed by Meta, goes out once as one post, its photos in order with their alt texts', async () => {
  p.meta.processingMs = 1500;
  const text = 'Kapolres meninjau pos pengamanan Natal di tiga lokasi.';
  const alts = ['Pos pengamanan di terminal', 'Pos pengamanan di gereja', 'Pos pengamanan di pusat belanja'];
  const id = await scheduledPost(p, { body: text, channelIds: [ig], photos: await Promise.all(alts.map(async (alt) => ({ data: await photo(1200, 1500), alt }))) });
  await publishSoon(p, id);
  const done = await settled(p, id, 60_000);
  expect(done.status).toBe('published');
  expect(media(text)).toHaveLength(1);
  const carousel = p.meta.containers.get(media(text)[0]!.containerId)!;
  expect(carousel.kind).toBe('CAROUSEL');
  expect(carousel.children.map((c) => p.meta.containers.get(c)!.altText)).toEqual(alts);
  expect(new Set(carousel.children).size).toBe(3);
  expect(p.meta.requests.some((r) => r.method === 'GET' && r.path.endsWith(`/${carousel.id}`))).toBe(true);
});

test('a container Meta fails to process fails the post with Meta’s words, nothing published', async () => {
  p.meta.failNextContainer(2207001);
  const text = 'Foto yang gagal diproses Instagram.';
  const id = await scheduledPost(p, { body: text, channelIds: [ig], photos: [{ data: await photo(), alt: 'Foto' }] });
  await publishSoon(p, id);
  const done = await settled(p, id);
  expect(done.status).toBe('failed');
  expect(done.targets[0].lastError).toMatch(/Instagram could not process the photo: Error: Media upload has failed with error code 2207001/);
  expect(media(text)).toHaveLength(0);
});

test('at the daily quota read from content_publishing_limit, the post is held (not failed) until the window frees, then goes out once', async () => {
  const user = p.meta.ig;
  const before = user.quotaTotal;
  // The account has used its quota; the oldest post leaves the 24-hour window in a few seconds (enough of them that
  // a loaded machine still reaches the quota check before it has left).
  user.quotaTotal = user.media.length + 1;
  user.media.unshift({ id: '990000001', containerId: 'x', caption: 'kiriman lama', children: [], publishedAt: Date.now() - 86_400_000 + 12_000, permalink: 'https://www.instagram.com/p/lama/', figures: { views: 0, reactions: 0, comments: 0, shares: 0 }, tooFewViewers: false });
  try {
    const text = 'Pos yang menunggu kuota Instagram.';
    const id = await scheduledPost(p, { body: text, channelIds: [ig], photos: [{ data: await photo(), alt: 'Foto' }] });
    await publishSoon(p, id);
    await waitFor('the post held', async () => (await postOf(p, id)).targets[0].status === 'held');
    const state = await channelState(ig);
    expect(state.state).toBe('rate_limited');
    // Held until the oldest post of the window leaves it, as read from the account's own media.
    expect(Date.parse(state.until!)).toBeLessThan(Date.now() + 15_000);
    const done = await settled(p, id, 45_000);
    expect(done.status).toBe('published');
    expect(done.targets[0].attempts).toBe(1);
    expect(media(text)).toHaveLength(1);
    expect(p.meta.requests.some((r) => r.path.endsWith(`/${user.id}/content_publishing_limit`))).toBe(true);
  } finally {
    user.quotaTotal = before;
  }
}, 120_000);

test('a post without a photo cannot pick Instagram: a blocking finding in the author’s words', async () => {
  const operator = client(p.h.url, p.world.tokens.operator);
  const created = await operator('POST', '/api/v1/posts', { title: 'Tanpa foto', body: 'Teks saja.', channelIds: [ig], variants: {}, channelOptions: {}, scheduledAt: new Date(Date.now() + 3600_000).toISOString() });
  expect(created.status).toBe(201);
  expect(created.body.findings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'channel.photo_required', severity: 'block' })]));
  const submitted = await operator('POST', `/api/v1/posts/${created.body.id}/submit`);
  expect(submitted.status).toBe(422);
  expect(JSON.stringify(submitted.body)).toMatch(/hanya menerbitkan pos berfoto/);
});

test('when Meta cannot reach Siaran’s address: connecting says how to fix it, and approval is blocked with that finding', async () => {
  const why = { id: 'PUBLIC_BASE_URL (http://localhost) adalah alamat jaringan lokal yang tidak dapat dijangkau Meta.', en: 'PUBLIC_BASE_URL (http://localhost) is a local-network address Meta cannot reach.' };
  await expect(connectInstagram({ ...p, h: { ...p.h, siaran: { ...p.h.siaran, channels: { ...p.h.siaran.channels, photosUnreachable: why } } } }, p.world.units.polsek)).rejects.toThrow(
    /Instagram downloads the photos itself from Siaran's server, but PUBLIC_BASE_URL \(http:\/\/localhost\) is a local-network address/,
  );
  const operator = client(p.h.url, p.world.tokens.operator);
  const created = await operator('POST', '/api/v1/posts', { title: 'Foto', body: 'Dengan foto.', channelIds: [ig], variants: {}, channelOptions: {}, scheduledAt: new Date(Date.now() + 3600_000).toISOString() });
  const up = await fetch(`${p.h.url}/api/v1/photos?postId=${created.body.id as string}&alt=Foto`, { method: 'POST', headers: { authorization: `Bearer ${p.world.tokens.operator}`, 'content-type': 'image/jpeg' }, body: await photo() });
  expect(up.status).toBe(201);
  const submitted = await operator('POST', `/api/v1/posts/${created.body.id as string}/submit`);
  expect(submitted.status).toBe(200);
  const supervisor = { id: p.world.users.supervisor, role: 'supervisor' as const, unitId: p.world.units.polres };
  const refused = await approvePost({ db: p.h.siaran.database.db, scheduler: RECONCILER_QUEUES, log: p.h.siaran.channels.log, now: () => new Date(), minLeadSeconds: 0, photosUnreachable: why }, supervisor, created.body.id, { expectedVersion: submitted.body.version }).catch((e: unknown) => e);
  expect(JSON.stringify(refused)).toMatch(/channel\.photos_not_public/);
  expect((refused as Error).message + JSON.stringify(refused)).toMatch(/Hapus centang kanal ini dan beri tahu admin. \(Untuk pengelola server: PUBLIC_BASE_URL \(http:\/\/localhost\)/);
});

test('an Instagram Login token: connected on graph.instagram.com, refreshed once when a day old, and a dead one flags the channel until a new token releases its posts', async () => {
  const solo = p.meta.addIgUser({ username: 'humaspolseksolo' });
  const channel = await connectInstagram(p, p.world.units.polres, solo, solo.token);
  const row = await p.h.siaran.database.db.selectFrom('channels').selectAll().where('id', '=', channel).executeTakeFirstOrThrow();
  expect(row.settings).toMatchObject({ login: 'instagram', username: 'humaspolseksolo', pageId: null });
  expect(row.token_expires_at!.getTime()).toBeGreaterThan(Date.now() + 59 * 86_400_000);

  // A day later (both the token Siaran keeps and Meta's record of it), the next post refreshes it first, once.
  solo.tokenIssuedAt -= 86_400_000 + 1000;
  const sealed = JSON.parse(p.h.siaran.channels.box.open(row.secret_ciphertext!)) as { refreshedAt: string };
  await p.h.siaran.database.db
    .updateTable('channels')
    .set({ secret_ciphertext: p.h.siaran.channels.box.seal(JSON.stringify({ ...sealed, refreshedAt: new Date(Date.now() - 86_400_000 - 1000).toISOString() })) })
    .where('id', '=', channel)
    .execute();
  const refreshesBefore = p.meta.igRefreshes;
  const text = 'Polsek menggelar sambang warga.';
  const id = await scheduledPost(p, { body: text, channelIds: [channel], photos: [{ data: await photo(), alt: 'Sambang' }] });
  await publishSoon(p, id);
  expect((await settled(p, id)).status).toBe('published');
  expect(p.meta.igRefreshes).toBe(refreshesBefore + 1);
  const after = JSON.parse(p.h.siaran.channels.box.open((await p.h.siaran.database.db.selectFrom('channels').select('secret_ciphertext').where('id', '=', channel).executeTakeFirstOrThrow()).secret_ciphertext!)) as { token: string };
  expect(after.token).toBe(solo.token);
  expect(solo.media.filter((m) => m.caption === text)).toHaveLength(1);

  // The token dies (a changed password): the channel is flagged, its post held; a new token releases it.
  p.meta.revokeToken(solo.token);
  const held = await scheduledPost(p, { body: 'Menunggu token baru.', channelIds: [channel], photos: [{ data: await photo(), alt: 'Foto' }] });
  await publishSoon(p, held);
  await waitFor('the hold', async () => (await postOf(p, held)).targets[0].status === 'held');
  const fresh = p.meta.newIgToken(solo.id);
  const current = await p.h.siaran.database.db.selectFrom('channels').selectAll().where('id', '=', channel).executeTakeFirstOrThrow();
  expect(current.health).toBe('needs_reconnect');
  expect((await reconnectChannel(p.h.siaran.channels, current, { token: fresh })).released).toBe(1);
  expect((await settled(p, held)).status).toBe('published');
  expect(solo.media.filter((m) => m.caption === 'Menunggu token baru.')).toHaveLength(1);
});

test('an Instagram Login token is kept alive without posts: the reconciler refreshes it once it is a day old, and flags one Meta refuses', async () => {
  const quiet = p.meta.addIgUser({ username: 'humaspolsekjarang' });
  const channel = await connectInstagram(p, p.world.units.polres, quiet, quiet.token);
  const db = p.h.siaran.database.db;
  const ageBy = async (ms: number) => {
    const row = await db.selectFrom('channels').select(['secret_ciphertext', 'token_expires_at']).where('id', '=', channel).executeTakeFirstOrThrow();
    const sealed = JSON.parse(p.h.siaran.channels.box.open(row.secret_ciphertext!)) as { refreshedAt: string; expiresAt: string };
    const refreshedAt = new Date(Date.parse(sealed.refreshedAt) - ms);
    const expiresAt = new Date(Date.parse(sealed.expiresAt) - ms);
    await db
      .updateTable('channels')
      .set({ secret_ciphertext: p.h.siaran.channels.box.seal(JSON.stringify({ ...sealed, refreshedAt: refreshedAt.toISOString(), expiresAt: expiresAt.toISOString() })), token_expires_at: expiresAt })
      .where('id', '=', channel)
      .execute();
  };
  // Younger than a day: left alone.
  const before = p.meta.igRefreshes;
  await p.h.siaran.workers!.reconcileNow();
  expect(p.meta.igRefreshes).toBe(before);
  // A day and a bit later, with no post in between: refreshed once, good for 60 days again.
  await ageBy(86_400_000 + 60_000);
  quiet.tokenIssuedAt -= 86_400_000 + 60_000;
  await p.h.siaran.workers!.reconcileNow();
  await p.h.siaran.workers!.reconcileNow();
  expect(p.meta.igRefreshes).toBe(before + 1);
  const row = await db.selectFrom('channels').select(['token_expires_at', 'health']).where('id', '=', channel).executeTakeFirstOrThrow();
  expect(row.token_expires_at!.getTime()).toBeGreaterThan(Date.now() + 59 * 86_400_000);
  // A token Meta no longer accepts is flagged for the admin before any post needs it.
  await ageBy(86_400_000 + 60_000);
  p.meta.revokeToken(quiet.token);
  await p.h.siaran.workers!.reconcileNow();
  expect((await channelState(channel)).state).toBe('needs_reconnect');
});

test('Meta cannot download the photo from the link Siaran gives: the post fails with a reason that names the fix', async () => {
  // Nothing listens at this address, as when PUBLIC_BASE_URL names a host the internet cannot reach.
  const lost = await startWithPlatforms({ PUBLIC_BASE_URL: 'http://127.0.0.1:9' });
  try {
    const channel = await connectInstagram(lost);
    const text = 'Foto yang tidak dapat diunduh Meta.';
    const id = await scheduledPost(lost, { body: text, channelIds: [channel], photos: [{ data: await photo(), alt: 'Foto' }] });
    await publishSoon(lost, id);
    const done = await settled(lost, id);
    expect(done.status).toBe('failed');
    expect(done.targets[0].lastError).toMatch(/Instagram could not download the photo from Siaran's link \(The media could not be fetched from this URI: http:\/\/127\.0\.0\.1:9\/media\/.*\); PUBLIC_BASE_URL must be an HTTPS address reachable from the internet/);
    expect(lost.meta.ig.media).toHaveLength(0);
  } finally {
    await lost.close();
  }
});

test('Meta publishes but answers "server error" (-1): never retried blindly; the container reads PUBLISHED, so it is published once', async () => {
  p.meta.serverErrorsAfterPublish = 1;
  const text = 'Meta menjawab galat setelah menerbitkan.';
  const id = await scheduledPost(p, { body: text, channelIds: [ig], photos: [{ data: await photo(), alt: 'Foto' }] });
  await publishSoon(p, id);
  const done = await settled(p, id);
  expect(done.status).toBe('published');
  expect(media(text)).toHaveLength(1);
  expect(done.targets[0].externalUrl).toBe(media(text)[0]!.permalink);
  expect(p.meta.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/media_publish') && r.body.creation_id === media(text)[0]!.containerId)).toHaveLength(1);
});

test('a container that expires before it is published is made again from fresh photo links, and the post goes out once', async () => {
  p.meta.processingMs = 1500;
  const text = 'Wadah Instagram kedaluwarsa sebelum terbit.';
  const id = await scheduledPost(p, { body: text, channelIds: [ig], photos: [{ data: await photo(), alt: 'Foto' }] });
  await publishSoon(p, id);
  const containers = () => [...p.meta.containers.values()].filter((c) => c.caption === text);
  await waitFor('the first container', () => Promise.resolve(containers().length === 1), 15_000, 50);
  p.meta.expire(containers()[0]!.id);
  const done = await settled(p, id, 30_000);
  expect(done.status).toBe('published');
  expect(containers()).toHaveLength(2);
  expect(media(text)).toHaveLength(1);
  expect(media(text)[0]!.containerId).toBe(containers()[1]!.id);
});

test('Connect with Instagram (Instagram Login): the dialog, the code for a 60-day token, the account connected, and its posts go out', async () => {
  const deps = p.h.siaran.channels;
  const url = await startInstagramLogin(deps, { userId: p.world.users.admin, unitId: p.world.units.polres });
  expect(url).toContain('scope=instagram_business_basic%2Cinstagram_business_content_publish');
  const dialog = await (await fetch(url)).text();
  const allow = new URL(/id="allow" href="([^"]+)"/.exec(dialog)![1]!.replace(/&amp;/g, '&'));
  const mayUse = () => Promise.resolve(true);
  const done = await finishInstagramLogin(deps, { userId: p.world.users.admin, state: allow.searchParams.get('state')!, code: allow.searchParams.get('code')! }, mayUse);
  expect(done.channel).toMatchObject({ kind: 'instagram', account_name: '@humaspolsekmandiri' });
  expect(done.channel.settings).toMatchObject({ login: 'instagram', igUserId: p.meta.igLoginAs.id, pageId: null });
  expect(done.channel.token_expires_at!.getTime()).toBeGreaterThan(Date.now() + 59 * 86_400_000);
  // The state works once.
  await expect(finishInstagramLogin(deps, { userId: p.world.users.admin, state: allow.searchParams.get('state')!, code: allow.searchParams.get('code')! }, mayUse)).rejects.toThrow(/unknown, already used, or expired/);

  const text = 'Polsek Mandiri menggelar sambang desa.';
  const id = await scheduledPost(p, { body: text, channelIds: [done.channel.id], photos: [{ data: await photo(), alt: 'Sambang desa' }] });
  await publishSoon(p, id);
  expect((await settled(p, id)).status).toBe('published');
  expect(p.meta.igLoginAs.media.filter((m) => m.caption === text)).toHaveLength(1);
});
