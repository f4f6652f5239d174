// How many statements Siaran sends to the database to write a post and to publish one target, counted through
// the real use cases. The bounds are today's counts: a change that adds statements fails here, not in a
// benchmark; one that removes some lowers the bound. (BEGIN and COMMIT of a transaction are not counted.)
import { sql } from 'kysely';
import pino from 'pino';
import { TargetStatus } from '../../shared/post';
import { settledPostStatus } from '../../shared/status-machine';
import { RECONCILER_QUEUES } from '../../services/posts/deps';
import { approvePost, submitPost } from '../../services/posts/review-post';
import { createPost } from '../../services/posts/write-post';
import { unitPath } from '../../services/units/unit.repository';
import { publishTarget } from '../../services/publishing/publish-target';
import { type Harness, type World, addWebhook, inSeconds, publishDepsFor, seedWorld, startHarness } from '../support/harness';
import { startReceiver } from '../support/webhook-receiver';
import { CountQueries } from '../support/count-queries';

const SECRET = 'count-secret-0123456789';
let h: Harness;
let world: World;

beforeAll(async () => {
  // No workers here: the test publishes the target itself, once, and counts.
  h = await startHarness({ RECONCILE_EVERY_SECONDS: '3600' });
  world = await seedWorld(h.siaran.database.db);
});
afterAll(() => h.close());

test('statements to create a post, and to publish one news-page target and one webhook target', async () => {
  const counter = new CountQueries();
  const db = counter.attach(h.siaran.database.db);
  const posts = { db, scheduler: RECONCILER_QUEUES, log: pino({ level: 'silent' }), now: () => new Date(), minLeadSeconds: 0 };
  const operator = { id: world.users.operator, role: 'operator' as const, unitId: world.units.polres };
  const supervisor = { id: world.users.supervisor, role: 'supervisor' as const, unitId: world.units.polres };
  const receiver = await startReceiver(SECRET);
  const webhookId = await addWebhook(h.siaran.database.db, world.units.polres, receiver.url, SECRET);
  const publishDeps = publishDepsFor(h, db);


  const publishOne = async (channelId: string) => {
    counter.count = 0;
    const post = await createPost(posts, operator, { title: 'Hitung', body: 'Isi', channelIds: [channelId], variants: {}, channelOptions: {}, scheduledAt: inSeconds(3600) });
    const created = counter.count;
    const submitted = await submitPost(posts, operator, post.id);
    await approvePost(posts, supervisor, post.id, { expectedVersion: submitted.version });
    const target = await h.siaran.database.db.selectFrom('post_targets').select(['id', 'generation']).where('post_id', '=', post.id).executeTakeFirstOrThrow();
    // Due now, for this test only: the workers' own job for it waits for the hour it was approved for.
    await h.siaran.database.db.updateTable('posts').set({ scheduled_at: new Date(Date.now() - 1000) }).where('id', '=', post.id).execute();
    counter.count = 0;
    const outcome = await publishTarget(publishDeps, { targetId: target.id, generation: target.generation });
    expect(outcome.kind).toBe('published');
    return { created, published: counter.count };
  };

  try {
    const news = await publishOne(world.newsPage.polres);
    const webhook = await publishOne(webhookId);
    expect(receiver.deliveries).toHaveLength(1);
    console.log(`statements: create-post ${String(news.created)}, publish one news-page target ${String(news.published)}, one webhook target ${String(webhook.published)}`);
    // The unit with its path and channels, then the insert.
    expect(news.created).toBeLessThanOrEqual(2);
    // Load-and-claim, record; the news page's publication is itself one more write (its item).
    expect(webhook.published).toBeLessThanOrEqual(2);
    expect(news.published).toBeLessThanOrEqual(3);
  } finally {
    await receiver.close();
  }
});

test("the database settles a post's status exactly as settledPostStatus does, for every mix of up to three targets", async () => {
  const all = TargetStatus.options;
  const mixes: TargetStatus[][] = [[]];
  for (const a of all) {
    mixes.push([a]);
    for (const b of all) {
      if (b < a) continue;
      mixes.push([a, b]);
      for (const c of all) if (c >= b) mixes.push([a, b, c]);
    }
  }
  const db = h.siaran.database.db;
  for (const mix of mixes) {
    const got = await sql<{ next: string }>`select siaran_settled_status(${mix}::text[]) as next`.execute(db);
    expect([mix, got.rows[0]!.next]).toEqual([mix, settledPostStatus(mix)]);
  }
});

test("a unit's path is read once per process, and the database refuses to move a unit it relies on", async () => {
  const counter = new CountQueries();
  const db = counter.attach(h.siaran.database.db);
  const first = await unitPath(db, world.units.polsek);
  expect(first).toEqual([world.units.polda, world.units.polres, world.units.polsek]);
  const read = counter.count;
  expect(await unitPath(db, world.units.polsek)).toEqual(first);
  expect(counter.count - read).toBe(0);
  // An unknown unit is not remembered: it may be created later.
  expect(await unitPath(db, '00000000-0000-4000-8000-000000000000')).toEqual([]);
  await expect(h.siaran.database.db.updateTable('units').set({ parent_id: world.units.other }).where('id', '=', world.units.polsek).execute()).rejects.toMatchObject({ code: '23514' });
  // Changing anything else about a unit is allowed.
  await h.siaran.database.db.updateTable('units').set({ name: 'Polsek Tumijajar Baru' }).where('id', '=', world.units.polsek).execute();
});
