// The calendar shows every post of its range (it used to stop at 200 without a word), filters by channel
// in the database, and asks the database a fixed number of times however many posts there are.
import { DateTime } from 'luxon';
import pino from 'pino';
import { RECONCILER_QUEUES } from '../../services/posts/deps';
import { calendarPosts } from '../../services/posts/read-post';
import { createPost } from '../../services/posts/write-post';
import { type Harness, type World, addWebhook, seedWorld, startHarness } from '../support/harness';
import { signIn } from '../support/web-session';
import { unitPath } from '../../services/units/unit.repository';
import { CountQueries } from '../support/count-queries';

let h: Harness;
let world: World;
let webhook: string;
const month = DateTime.now().setZone('Asia/Jakarta').plus({ months: 1 }).startOf('month');

/** `n` scheduled posts of the Polres spread over next month, the first `onWebhook` of them also to a webhook. */
async function postsNextMonth(n: number, onWebhook: number, unitId = world.units.polres): Promise<void> {
  const deps = { db: h.siaran.database.db, scheduler: RECONCILER_QUEUES, log: pino({ level: 'silent' }), now: () => new Date(), minLeadSeconds: 0 };
  const author = unitId === world.units.polres ? world.users.operator : (await h.siaran.database.db.selectFrom('users').select('id').where('unit_id', '=', unitId).where('role', '=', 'operator').executeTakeFirstOrThrow()).id;
  const operator = { id: author, role: 'operator' as const, unitId };
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const at = month.plus({ days: i % 28, hours: 8, minutes: i % 60 }).toUTC().toISO()!;
    const channels = unitId === world.units.polres ? [world.newsPage.polres, ...(i < onWebhook ? [webhook] : [])] : [world.newsPage.polsek];
    ids.push((await createPost(deps, operator, { unitId, title: `Kegiatan ${String(i + 1)}`, body: 'Isi', channelIds: channels, variants: {}, channelOptions: {}, scheduledAt: at })).id);
  }
  // Only what is approved sits on the calendar; approving 230 posts one by one would test approval, not the calendar.
  await h.siaran.database.db.updateTable('posts').set({ status: 'scheduled' }).where('id', 'in', ids).execute();
  await h.siaran.database.db.updateTable('post_targets').set({ status: 'scheduled' }).where('post_id', 'in', ids).execute();
}

beforeAll(async () => {
  h = await startHarness();
  world = await seedWorld(h.siaran.database.db);
  webhook = await addWebhook(h.siaran.database.db, world.units.polres, 'https://example.org/hook', 'calendar-webhook-secret');
  await postsNextMonth(230, 12);
}, 120_000);
afterAll(() => h.close());

test('a month of 230 posts shows all 230, and the channel filter the 12 that go to the webhook', async () => {
  const cookie = await signIn({ h, world }, 'supervisor');
  const calendar = async (extra = '') => (await fetch(`${h.url}/calendar?view=month&date=${month.toISODate()!}${extra}`, { headers: { cookie } })).text();
  const all = await calendar();
  expect(all.match(/class="item /g)).toHaveLength(230);
  expect(all).not.toContain('data-more');
  const onWebhook = await calendar('&channel=webhook');
  expect(onWebhook.match(/class="item /g)).toHaveLength(12);
});

test('the calendar asks the database the same number of times for 230 posts as for 3', async () => {
  await postsNextMonth(3, 0, world.units.polsek);
  // Each unit's path is read once per process, whichever request asked first: both are known before counting.
  for (const unit of [world.units.polres, world.units.polsek]) await unitPath(h.siaran.database.db, unit);
  const counter = new CountQueries();
  const deps = { db: counter.attach(h.siaran.database.db), scheduler: RECONCILER_QUEUES, log: pino({ level: 'silent' }), now: () => new Date(), minLeadSeconds: 0 };
  const supervisor = { id: world.users.supervisor, role: 'supervisor' as const, unitId: world.units.polres };
  const range = { statuses: ['scheduled' as const], from: month.toJSDate(), to: month.plus({ months: 1 }).toJSDate() };
  const many = await calendarPosts(deps, supervisor, { unitId: world.units.polres, includeDescendants: false, ...range });
  const manyQueries = counter.count;
  counter.count = 0;
  const few = await calendarPosts(deps, supervisor, { unitId: world.units.polsek, includeDescendants: false, ...range });
  expect([many.posts.length, few.posts.length]).toEqual([230, 3]);
  expect(many.posts.every((p) => p.targets.length >= 1)).toBe(true);
  expect(counter.count).toBe(manyQueries);
  // The posts, then units, authors and targets once each.
  expect(manyQueries).toBeLessThanOrEqual(5);
});
