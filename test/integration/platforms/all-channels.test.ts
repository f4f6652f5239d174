// One post to every kind of channel at once — the news page, a webhook, X, Telegram, a Facebook Page and
// Instagram — with two photos: each goes out exactly once, and the webhook, the API and the post page
// carry every platform's own link (Facebook's and Instagram's permalinks among them).
import { addWebhook, quiescent } from '../../support/harness';
import { type Receiver, startReceiver } from '../../support/webhook-receiver';
import { signIn } from '../../support/web-session';
import { ChannelKind } from '../../../shared/post';
import { type PlatformWorld, connectFacebook, connectInstagram, connectTelegram, connectXTokens, photo, publishSoon, scheduledPost, settled, startWithPlatforms } from '../../support/platforms';

const SECRET = 'all-channels-webhook-secret';
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

test('a post to all six kinds of channel publishes everywhere once, with each platform’s link', async () => {
  const db = p.h.siaran.database.db;
  const channels = {
    news_page: p.world.newsPage.polres,
    webhook: await addWebhook(db, p.world.units.polres, receiver.url, SECRET),
    x: await connectXTokens(p),
    telegram: await connectTelegram(p),
    facebook: await connectFacebook(p),
    instagram: await connectInstagram(p),
  } satisfies Record<ChannelKind, string>;
  expect(Object.keys(channels).sort()).toEqual([...ChannelKind.options].sort());

  const body = 'Polres Tulangbawang Barat mengamankan ibadah Natal di 42 gereja bersama TNI dan relawan.';
  const id = await scheduledPost(p, {
    body,
    channelIds: Object.values(channels),
    photos: [
      { data: await photo(1600, 1000), alt: 'Personel berjaga di depan gereja' },
      { data: await photo(1200, 1500), alt: 'Kapolres menyapa jemaat' },
    ],
  });
  await publishSoon(p, id);
  const done = await settled(p, id, 60_000);
  await quiescent(p.h.prefix, () => p.h.siaran.workers!.reconcileNow());

  expect(done.status).toBe('published');
  const target = (kind: ChannelKind) => done.targets.find((t: { channelId: string }) => t.channelId === channels[kind]);
  for (const kind of ChannelKind.options) expect([kind, target(kind).status, target(kind).attempts]).toEqual([kind, 'published', 1]);

  // Each platform holds the post once.
  expect(await db.selectFrom('news_items').select('post_id').where('post_id', '=', id).execute()).toHaveLength(1);
  expect(receiver.deliveries.filter((d) => d.body.post.id === id)).toHaveLength(1);
  expect(p.x.posts.filter((t) => t.text === body)).toHaveLength(1);
  const albums = new Set(p.tg.messages.filter((m) => m.chatId === p.tg.channel.id && m.mediaGroupId !== undefined).map((m) => m.mediaGroupId));
  expect(albums.size).toBe(1);
  const fbPosts = p.meta.page.posts.filter((post) => post.message === body && !post.deleted);
  expect(fbPosts).toHaveLength(1);
  expect(fbPosts[0]!.photoIds).toHaveLength(2);
  const igMedia = p.meta.ig.media.filter((m) => m.caption === body);
  expect(igMedia).toHaveLength(1);
  expect(igMedia[0]!.children).toHaveLength(2);
  const events = await db.selectFrom('post_events').select('type').where('post_id', '=', id).execute();
  expect(events.filter((e) => e.type === 'target.published')).toHaveLength(6);

  // Meta's own permalinks, on the API, in the webhook (which waited for the platforms) and on the post page.
  const fbLink = `https://www.facebook.com/permalink.php?story_fbid=${fbPosts[0]!.id.split('_')[1]!}&id=${p.meta.page.id}`;
  expect(target('facebook').externalUrl).toBe(fbLink);
  expect(target('instagram').externalUrl).toBe(igMedia[0]!.permalink);
  const links = receiver.deliveries.find((d) => d.body.post.id === id)!.body.post.links as Array<{ kind: string; url: string }>;
  expect(links.map((l) => l.kind).sort()).toEqual(['facebook', 'instagram', 'news_page', 'telegram', 'x']);
  expect(links.find((l) => l.kind === 'facebook')!.url).toBe(fbLink);
  expect(links.find((l) => l.kind === 'instagram')!.url).toBe(igMedia[0]!.permalink);
  const cookie = await signIn(p, 'supervisor');
  const page = await (await fetch(`${p.h.url}/posts/${id}`, { headers: { cookie } })).text();
  expect(page).toContain(`href="${fbLink.replace(/&/g, '&#38;')}"`);
  expect(page).toContain(`href="${igMedia[0]!.permalink}"`);
}, 90_000);
