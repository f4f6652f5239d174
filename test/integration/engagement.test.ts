// What the platforms report of what went out, collected by the engagement job (a BullMQ job scheduler on its own
// queue) through each platform's documented API on the local fakes: Facebook's summary fields and post insights,
// Instagram's media fields and insights, X's public metrics (only when the app's plan pays for reads), and the
// followers or subscribers of each channel (Telegram's Bot API gives bots no view counts). The monthly report sums
// them. A post deleted on its platform keeps its last figures; a throttled platform is noted on its channel in its
// own words while the others are read.
import { sql } from 'kysely';
import { loadEnv } from '../../config/env';
import { xAdapter } from '../../services/publishing/platforms/x/x.adapter';
import { client } from '../support/harness';
import { signIn } from '../support/web-session';
import { xRateLimited } from '../support/fakes/fake-x';
import { type PlatformWorld, connectFacebook, connectInstagram, connectTelegram, connectXTokens, photo, publishSoon, scheduledPost, settled, startWithPlatforms } from '../support/platforms';

let p: PlatformWorld;
let channels: { x: string; telegram: string; facebook: string; instagram: string };
let postId: string;
let month: string;

beforeAll(async () => {
  p = await startWithPlatforms({ X_READ_METRICS: 'true' });
  channels = { x: await connectXTokens(p), telegram: await connectTelegram(p), facebook: await connectFacebook(p), instagram: await connectInstagram(p) };
  postId = await scheduledPost(p, {
    title: 'Patroli malam tahun baru',
    body: 'Polres Tulangbawang Barat menggelar patroli gabungan menjelang tahun baru di pusat keramaian.',
    channelIds: Object.values(channels),
    photos: [{ data: await photo(1600, 1200), alt: 'Personel berpatroli di pasar malam' }],
  });
  await publishSoon(p, postId);
  const done = await settled(p, postId, 60_000);
  expect(done.status).toBe('published');
  const zone = (await p.h.siaran.database.db.selectFrom('units').select('time_zone').where('id', '=', p.world.units.polres).executeTakeFirstOrThrow()).time_zone;
  month = new Date(done.scheduledAt).toLocaleDateString('sv-SE', { timeZone: zone }).slice(0, 7);
}, 120_000);
afterAll(async () => {
  await p.close();
});

const figuresOf = async (channelId: string) =>
  p.h.siaran.database.db
    .selectFrom('target_engagement as e')
    .innerJoin('post_targets as t', 't.id', 'e.target_id')
    .select(['e.views', 'e.reactions', 'e.comments', 'e.reposts', 'e.gone'])
    .where('t.post_id', '=', postId)
    .where('t.channel_id', '=', channelId)
    .executeTakeFirst();

/** As if the last reading were `minutes` older: the schedule's next runs, without waiting for them. */
const ageReadings = (minutes: number) => sql`update target_engagement set collected_at = collected_at - make_interval(mins => ${minutes})`.execute(p.h.siaran.database.db);

const fbPost = () => p.meta.page.posts.find((x) => x.message.includes('patroli gabungan'))!;
const igMedium = () => p.meta.ig.media.find((m) => m.caption.includes('patroli gabungan'))!;
const xPost = () => p.x.posts.find((x) => x.text.includes('patroli gabungan'))!;

test('the job scheduler reads each platform’s figures and each channel’s followers, and the monthly report sums them', async () => {
  p.meta.page.followers = 1520;
  p.meta.ig.followers = 880;
  p.tg.channel.subscribers = 4300;
  p.x.user.followers = 2100;
  Object.assign(fbPost().figures, { views: 950, reactions: 41, comments: 7, shares: 5 });
  Object.assign(igMedium().figures, { views: 610, reactions: 73, comments: 4, shares: 9 });
  Object.assign(xPost().metrics, { impressions: 1200, likes: 30, replies: 2, retweets: 6, quotes: 1 });

  // The schedule lives in Redis, every hour by default.
  const engagement = p.h.siaran.engagement!;
  expect(await engagement.queue.getJobScheduler('collect-engagement')).toMatchObject({ every: 3_600_000 });

  const run = await engagement.runNow();
  expect(run).toEqual({ posts: 3, audiences: 4, failedChannels: 0 });
  expect(await figuresOf(channels.facebook)).toEqual({ views: 950, reactions: 41, comments: 7, reposts: 5, gone: false });
  expect(await figuresOf(channels.instagram)).toEqual({ views: 610, reactions: 73, comments: 4, reposts: 9, gone: false });
  // X: likes, replies, and reposts with quotes.
  expect(await figuresOf(channels.x)).toEqual({ views: 1200, reactions: 30, comments: 2, reposts: 7, gone: false });
  expect(await figuresOf(channels.telegram)).toBeUndefined();

  // Each platform was asked on its documented path, with its own authorisation.
  const xRead = p.x.requests.find((r) => r.method === 'GET' && r.path === '/2/tweets')!;
  expect(xRead.query.get('ids')).toBe(xPost().id);
  expect(xRead.query.get('tweet.fields')).toBe('public_metrics');
  expect(xRead.headers.authorization).toMatch(/^OAuth /);
  const insights = p.meta.requests.filter((r) => r.path.endsWith('/insights')).map((r) => [r.path.split('/')[2], r.query.get('metric'), r.headers.authorization?.slice(0, 7)]);
  expect(insights).toEqual(expect.arrayContaining([[fbPost().id, 'post_total_media_view_unique', 'Bearer '], [igMedium().id, 'views,shares', 'Bearer ']]));
  expect(p.tg.requests.some((r) => r.path.endsWith('/getChatMemberCount'))).toBe(true);

  const report = await client(p.h.url, p.world.tokens.supervisor)('GET', `/api/v1/reports/units?month=${month}`);
  expect(report.status).toBe(200);
  const polres = report.body.units.find((u: { unitId: string }) => u.unitId === p.world.units.polres);
  expect(polres.platform).toEqual({ views: 950 + 610 + 1200, reactions: 41 + 73 + 30, comments: 7 + 4 + 2, reposts: 5 + 9 + 7, read: 3, of: 3 });
  expect(polres.followers).toBe(1520 + 880 + 4300 + 2100);
  // The score is the documented one: platform figures are shown, not scored.
  expect(polres.score).toBe(10);

  // The post's page shows each platform's figures beside its link.
  const postPage = await (await fetch(`${p.h.url}/posts/${postId}`, { headers: { cookie: await signIn(p, 'supervisor') } })).text();
  const fbRow = postPage.slice(postPage.indexOf('data-target="facebook"'));
  expect(fbRow).toMatch(/data-figures>Tayangan di platform 950 · Reaksi 41 · Komentar 7 · Dibagikan ulang di platform 5 \(dibaca /);

  const csv = await fetch(`${p.h.url}/api/v1/reports/units.csv?month=${month}&lang=id`, { headers: { authorization: `Bearer ${p.world.tokens.supervisor}` } });
  const [head, first] = (await csv.text()).replace(/^\uFEFF/, '').split(/\r?\n/);
  const cells = (line: string) => line.split(';').map((c) => c.replace(/^"|"$/g, ''));
  const row = Object.fromEntries(cells(head!).map((h, i) => [h, cells(first!)[i]]));
  // Three posts out on platforms that report figures, all three read.
  expect(row).toMatchObject({ 'Kiriman platform terbaca': '3/3', 'Tayangan di platform': '2760', Reaksi: '144', Komentar: '13', 'Dibagikan ulang di platform': '21', 'Pengikut kanal (kini)': '8800' });
});

test('a young post is read once a run; a later reading replaces the earlier one', async () => {
  const engagement = p.h.siaran.engagement!;
  // Asked again at once: nothing is due (the followers are read once a day).
  expect(await engagement.runNow()).toEqual({ posts: 0, audiences: 0, failedChannels: 0 });

  Object.assign(fbPost().figures, { views: 1400, reactions: 60, comments: 9, shares: 8 });
  await ageReadings(45);
  expect(await engagement.runNow()).toMatchObject({ posts: 3, failedChannels: 0 });
  expect(await figuresOf(channels.facebook)).toEqual({ views: 1400, reactions: 60, comments: 9, reposts: 8, gone: false });
});

test('a post deleted on its platform keeps its last figures; insights Meta withholds leave views unknown; a throttled X is noted on its channel while the others are read', async () => {
  const db = p.h.siaran.database.db;
  fbPost().deleted = true;
  igMedium().tooFewViewers = true;
  Object.assign(igMedium().figures, { reactions: 80 });
  p.x.fault('GET /2/tweets', { answer: xRateLimited(600) });
  await ageReadings(45);

  const run = await p.h.siaran.engagement!.runNow();
  expect(run).toEqual({ posts: 2, audiences: 0, failedChannels: 1 });
  expect(await figuresOf(channels.facebook)).toEqual({ views: 1400, reactions: 60, comments: 9, reposts: 8, gone: true });
  expect(await figuresOf(channels.instagram)).toEqual({ views: null, reactions: 80, comments: 4, reposts: null, gone: false });
  // X's figures stay as last read; its channel says why this run read nothing.
  expect(await figuresOf(channels.x)).toEqual({ views: 1200, reactions: 30, comments: 2, reposts: 7, gone: false });
  const noted = await db.selectFrom('channel_audience').select(['last_error', 'followers']).where('channel_id', '=', channels.x).executeTakeFirstOrThrow();
  expect(noted.last_error).toMatch(/^X: Too Many Requests/);
  expect(noted.followers).toBe(2100);
  // Its admin reads it on the channel's row, beside the followers.
  const admin = await (await fetch(`${p.h.url}/admin`, { headers: { cookie: await signIn(p, 'admin') } })).text();
  const xRow = admin.slice(admin.indexOf(`data-channel="${channels.x}"`));
  expect(xRow.slice(0, xRow.indexOf('</tr>'))).toMatch(/data-followers>Pengikut: 2\.100 \(dibaca [^)]+\)<\/div><div class="muted" data-engagement-error>Angka platform tidak terbaca untuk laporan bulanan \([^)]+\): X: Too Many Requests/);

  // A post gone from its platform is not asked for again.
  await ageReadings(45);
  const before = p.meta.requests.length;
  await p.h.siaran.engagement!.runNow();
  expect(p.meta.requests.slice(before).some((r) => r.path.includes(fbPost().id))).toBe(false);
  expect((await db.selectFrom('channel_audience').select('last_error').where('channel_id', '=', channels.x).executeTakeFirstOrThrow()).last_error).toBeNull();

  // Deleted on X: X answers the lookup with a "resource-not-found" error and no data.
  p.x.posts.splice(p.x.posts.indexOf(xPost()), 1);
  await ageReadings(45);
  expect(await p.h.siaran.engagement!.runNow()).toMatchObject({ failedChannels: 0 });
  expect(await figuresOf(channels.x)).toMatchObject({ views: 1200, gone: true });
});

test('X is read only when the app’s plan pays for reads (X_READ_METRICS, off by default)', () => {
  expect(loadEnv({}).X_READ_METRICS).toBe(false);
  const app = { apiUrl: p.x.url, authorizeUrl: `${p.x.url}/i/oauth2/authorize`, consumerKey: 'k', consumerSecret: 's', clientId: undefined, clientSecret: undefined, timeoutMs: 1000 };
  expect(xAdapter({ ...app, readMetrics: false }).engagement).toBeUndefined();
  expect(xAdapter({ ...app, readMetrics: true }).engagement).toMatchObject({ perCall: 100 });
});
