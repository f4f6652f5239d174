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
import { platformAdapters, platformConfig } from '../../services/publishing/platforms/registry';
import { publishTarget } from '../../services/publishing/publish-target';
import { loadEnv } from '../../config/env';
import { type Harness, type World, inSeconds, seedWorld, startHarness, testEnv } from '../support/harness';
import { CountQueries } from '../support/count-queries';

let h: Harness;
let world: World;

beforeAll(async () => {
  // No workers here: the test publishes the target itself, once, and counts.
  h = await startHarness({ RECONCILE_EVERY_SECONDS: '3600' });
  world = await seedWorld(h.siaran.database.db);
});
afterAll(() => h.close());

test('statements to create a post, and to publish one news-page target', async () => {
  const counter = new CountQueries();
  const db = h.siaran.database.db.withPlugin(counter);
  const posts = { db, scheduler: RECONCILER_QUEUES, log: pino({ level: 'silent' }), now: () => new Date(), minLeadSeconds: 0 };
  const operator = { id: world.users.operator, role: 'operator' as const, unitId: world.units.polres };
  const supervisor = { id: world.users.supervisor, role: 'supervisor' as const, unitId: world.units.polres };

  counter.count = 0;
  const post = await createPost(posts, operator, { title: 'Hitung', body: 'Isi', channelIds: [world.newsPage.polres], variants: {}, channelOptions: {}, scheduledAt: inSeconds(3600) });
  const createStatements = counter.count;
  const submitted = await submitPost(posts, operator, post.id);
  await approvePost(posts, supervisor, post.id, { expectedVersion: submitted.version });
  const target = await h.siaran.database.db.selectFrom('post_targets').select(['id', 'generation']).where('post_id', '=', post.id).executeTakeFirstOrThrow();
  // Due now, for this test only: the workers' own job for it waits for the hour it was approved for.
  await h.siaran.database.db.updateTable('posts').set({ scheduled_at: new Date(Date.now() - 1000) }).where('id', '=', post.id).execute();

  const env = loadEnv(testEnv());
  counter.count = 0;
  const outcome = await publishTarget(
    {
      db,
      adapters: platformAdapters(platformConfig(env, db)),
      box: h.siaran.channels.box,
      log: pino({ level: 'silent' }),
      now: () => new Date(),
      maxAttempts: 5,
      publicBaseUrl: () => 'http://localhost',
      jobLockMs: 30_000,
      lateWindowMs: 3_600_000,
      webhookWaitMs: 0,
    },
    { targetId: target.id, generation: target.generation },
  );
  const publishStatements = counter.count;
  expect(outcome.kind).toBe('published');
  console.log(`statements: create-post ${String(createStatements)}, publish one news-page target ${String(publishStatements)}`);
  expect(createStatements).toBeLessThanOrEqual(3);
  expect(publishStatements).toBeLessThanOrEqual(4);
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
