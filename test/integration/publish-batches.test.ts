// Jobs that claim or record while the database is busy with the same kind of statement go together in one
// (siaran_take_targets, siaran_record_published_many). A batch must decide what its jobs alone would have
// decided: every target published once and recorded once, posts with two targets in one batch settled. It must
// also use fewer statements than the jobs alone. One job the database refuses must not fail the others.
import pino from 'pino';
import { RECONCILER_QUEUES } from '../../services/posts/deps';
import { approvePost, submitPost } from '../../services/posts/review-post';
import { createPost } from '../../services/posts/write-post';
import { publishTarget } from '../../services/publishing/publish-target';
import { type Harness, type World, addWebhook, inSeconds, publishDepsFor, seedWorld, startHarness, waitFor } from '../support/harness';
import { type Receiver, startReceiver } from '../support/webhook-receiver';
import { CountQueries } from '../support/count-queries';

const SECRET = 'batch-secret-0123456789';
let h: Harness;
let world: World;
let receiver: Receiver;
let hookA: string;
let hookB: string;

beforeAll(async () => {
  // No workers: the test runs the jobs itself, all at once.
  h = await startHarness({ RECONCILE_EVERY_SECONDS: '3600' });
  world = await seedWorld(h.siaran.database.db);
  receiver = await startReceiver(SECRET);
  hookA = await addWebhook(h.siaran.database.db, world.units.polres, receiver.url, SECRET);
  hookB = await addWebhook(h.siaran.database.db, world.units.polres, receiver.url, SECRET);
});
afterAll(async () => {
  await receiver.close();
  await h.close();
});

/** Approved posts on the given channels, due now; their targets, post by post. */
async function duePosts(channelsPerPost: string[][]): Promise<Array<{ postId: string; targets: Array<{ id: string; generation: number }> }>> {
  const db = h.siaran.database.db;
  const deps = { db, scheduler: RECONCILER_QUEUES, log: pino({ level: 'silent' }), now: () => new Date(), minLeadSeconds: 0 };
  const operator = { id: world.users.operator, role: 'operator' as const, unitId: world.units.polres };
  const supervisor = { id: world.users.supervisor, role: 'supervisor' as const, unitId: world.units.polres };
  const posts = [];
  for (const [i, channelIds] of channelsPerPost.entries()) {
    const post = await createPost(deps, operator, { title: `Batch ${String(i)}`, body: 'Isi', channelIds, variants: {}, channelOptions: {}, scheduledAt: inSeconds(3600) });
    const submitted = await submitPost(deps, operator, post.id);
    await approvePost(deps, supervisor, post.id, { expectedVersion: submitted.version });
    // Due now, for this test only: the post's own jobs wait for the hour it was approved for.
    await db.updateTable('posts').set({ scheduled_at: new Date(Date.now() - 1000) }).where('id', '=', post.id).execute();
    const targets = await db.selectFrom('post_targets').select(['id', 'generation']).where('post_id', '=', post.id).orderBy('id').execute();
    posts.push({ postId: post.id, targets });
  }
  return posts;
}

test('twenty-four jobs at once: every target published and recorded once, in fewer statements than alone', async () => {
  // Twenty posts on one webhook, two on both: their two targets meet in the same batches.
  const posts = await duePosts([...Array.from({ length: 20 }, () => [hookA]), [hookA, hookB], [hookA, hookB]]);
  const slots = posts.flatMap((p) => p.targets.map((t) => ({ targetId: t.id, generation: t.generation })));
  expect(slots).toHaveLength(24);
  const counter = new CountQueries();
  const deps = publishDepsFor(h, counter.attach(h.siaran.database.db));
  const before = receiver.deliveries.length;
  // The jobs' claims are asked for together, so they meet in a batch. Their outcomes come as each delivery returns;
  // on a busy machine those can be far enough apart that each goes alone. The first outcome is held until every
  // delivery has arrived, so the others meet behind it, as they do when a worker is busy.
  let held = false;
  counter.before = async (statement) => {
    if (held || !statement.includes('siaran_record_published(')) return;
    held = true;
    await waitFor('every delivery', () => Promise.resolve(receiver.deliveries.length - before >= 24), 30_000);
    await new Promise((r) => setTimeout(r, 200));
  };

  const outcomes = await Promise.all(slots.map((slot) => publishTarget(deps, slot)));

  expect(outcomes.map((o) => o.kind)).toEqual(slots.map(() => 'published'));
  const delivered = receiver.deliveries.slice(before);
  expect(delivered).toHaveLength(24);
  expect(new Set(delivered.map((d) => d.deliveryId)).size).toBe(24);
  // Alone, each job takes two statements (query-counts.test.ts); together they shared some.
  const batches = counter.statements.filter((s) => /siaran_take_targets|siaran_record_published_many/.test(s)).length;
  console.log(`24 jobs at once: ${String(counter.count)} statements, ${String(batches)} of them batches`);
  expect(batches).toBeGreaterThan(0);
  // At most half: batches that always failed (their jobs then run alone) would need 48 and more.
  expect(counter.count).toBeLessThanOrEqual(24);

  const db = h.siaran.database.db;
  const postIds = posts.map((p) => p.postId);
  const targets = await db.selectFrom('post_targets').select(['status', 'attempts', 'claim_token']).where('post_id', 'in', postIds).execute();
  expect(targets.map((t) => [t.status, t.attempts, t.claim_token])).toEqual(targets.map(() => ['published', 1, null]));
  const statuses = await db.selectFrom('posts').select('status').where('id', 'in', postIds).execute();
  expect(statuses.map((p) => p.status)).toEqual(postIds.map(() => 'published'));
  const events = await db.selectFrom('post_events').select(['type']).where('post_id', 'in', postIds).where('type', 'in', ['target.published', 'post.published']).execute();
  expect(events.filter((e) => e.type === 'target.published')).toHaveLength(24);
  expect(events.filter((e) => e.type === 'post.published')).toHaveLength(22);
  const attempts = await db.selectFrom('publish_attempts').innerJoin('post_targets', 'post_targets.id', 'publish_attempts.target_id').select(['publish_attempts.outcome']).where('post_targets.post_id', 'in', postIds).execute();
  expect(attempts.map((a) => a.outcome)).toEqual(attempts.map(() => 'published'));
  expect(attempts).toHaveLength(24);
});

test('a job the database refuses fails alone: the others in its batch are published', async () => {
  const posts = await duePosts(Array.from({ length: 9 }, () => [hookA]));
  const slots = posts.map((p) => ({ targetId: p.targets[0]!.id, generation: p.targets[0]!.generation }));
  // Not a uuid: the statement carrying it fails as a whole.
  slots.splice(4, 0, { targetId: 'not-a-target', generation: 1 });
  const counter = new CountQueries();
  const deps = publishDepsFor(h, counter.attach(h.siaran.database.db));
  const before = receiver.deliveries.length;

  const settled = await Promise.allSettled(slots.map((slot) => publishTarget(deps, slot)));

  expect(settled.map((s) => s.status)).toEqual(slots.map((s) => (s.targetId === 'not-a-target' ? 'rejected' : 'fulfilled')));
  expect(settled.flatMap((s) => (s.status === 'fulfilled' ? [(s.value).kind] : []))).toEqual(posts.map(() => 'published'));
  // The bad job was in a batch (which failed), then alone.
  expect(counter.statements.filter((s) => s.includes('siaran_take_targets')).length).toBeGreaterThan(0);
  expect(receiver.deliveries.length - before).toBe(9);
  const targets = await h.siaran.database.db.selectFrom('post_targets').select(['status', 'attempts']).where('post_id', 'in', posts.map((p) => p.postId)).execute();
  expect(targets.map((t) => [t.status, t.attempts])).toEqual(targets.map(() => ['published', 1]));
});
