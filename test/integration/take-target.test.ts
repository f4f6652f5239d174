// A publish's first statement loads the target and, when nothing is left for the worker to look at first, claims
// it in the same call (siaran_take_target). The database's reading of "ready" must be the worker's
// (publishReadiness) for every mix of facts, and a claim the worker cannot use is given back as if never taken.
import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import { type ChannelKind, PostStatus, TargetStatus } from '../../shared/post';
import { publishReadiness, publishTarget, takeOptions } from '../../services/publishing/publish-target';
import { releaseHeld } from '../../services/publishing/publish.repository';
import { addUnit } from '../../services/units/unit.repository';
import { type Harness, type World, publishDepsFor, seedWorld, startHarness, unitSlug } from '../support/harness';
import { CountQueries } from '../support/count-queries';

let h: Harness;
let world: World;

beforeAll(async () => {
  h = await startHarness({ RECONCILE_EVERY_SECONDS: '3600' });
  world = await seedWorld(h.siaran.database.db);
});
afterAll(() => h.close());

/** mulberry32: a small seeded generator, the same mixes on every run, exact in 32-bit integer arithmetic. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOW = new Date('2026-11-24T03:00:00.000Z');
const OPTS = { lateWindowMs: 3_600_000, webhookWaitMs: 10_000 };
const at = (ms: number) => new Date(NOW.getTime() + ms);
// Each boundary the rules draw, on both sides.
const OFFSETS = [2000, 1001, 1000, 999, 0, -1, -9_999, -10_000, -10_001, -3_599_999, -3_600_000, -3_600_001, -7_200_000];

function mixes(count: number, seed: number) {
  const rand = seeded(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  return Array.from({ length: count }, () => ({
    // Weighted towards the statuses that can go, so that both answers are common.
    status: rand() < 0.7 ? pick(['scheduled', 'held'] as const) : pick(TargetStatus.options),
    post_status: rand() < 0.7 ? pick(['scheduled', 'publishing'] as const) : pick(PostStatus.options),
    scheduled_at: at(pick(OFFSETS)),
    paused: rand() < 0.1,
    late_released: rand() < 0.3,
    enabled: rand() < 0.9,
    health: pick(['connected', 'connected', 'needs_reconnect'] as const),
    limited_until: pick([null, null, at(-1), at(0), at(1), at(60_000)]),
    limit_reason: null,
    kind: pick(['webhook', 'webhook', 'x'] as const satisfies readonly ChannelKind[]),
    siblings: pick([
      [],
      [{ status: 'published' as const, external_url: 'https://x.com/p/1', kind: 'x' as const }],
      [{ status: pick(TargetStatus.options), external_url: null, kind: 'telegram' as const }],
    ]),
    has_photos: rand() < 0.1,
    // The job's generation against the target's: a rescheduled target's old job finds it stale.
    stale: rand() < 0.1,
  }));
}

test('the pure readings agree: siaran_ready_to_claim and publishReadiness, for 4,000 mixes of facts', async () => {
  const cases = mixes(4000, 20261124);
  const expected = cases.map((c) => publishReadiness(c, NOW, OPTS).kind === 'ready' && !c.has_photos);
  const got = await sql<{ ready: boolean }>`
    select siaran_ready_to_claim(status, post_status, scheduled_at, ${NOW}, paused, late_released, ${OPTS.lateWindowMs}, enabled, health,
                                 limited_until, has_photos, kind = 'webhook', siblings_waiting, ${OPTS.webhookWaitMs}) as ready
      from unnest(${cases.map((c) => c.status)}::text[], ${cases.map((c) => c.post_status)}::text[], ${cases.map((c) => c.scheduled_at.toISOString())}::timestamptz[],
                  ${cases.map((c) => c.paused)}::boolean[], ${cases.map((c) => c.late_released)}::boolean[], ${cases.map((c) => c.enabled)}::boolean[],
                  ${cases.map((c) => c.health)}::text[], ${cases.map((c) => c.limited_until?.toISOString() ?? null)}::timestamptz[],
                  ${cases.map((c) => c.has_photos)}::boolean[], ${cases.map((c) => c.kind)}::text[],
                  ${cases.map((c) => c.siblings.some((s) => s.status === 'scheduled' || s.status === 'publishing'))}::boolean[])
        with ordinality as f(status, post_status, scheduled_at, paused, late_released, enabled, health, limited_until, has_photos, kind, siblings_waiting, n)
     order by n`.execute(h.siaran.database.db);
  const disagreements = cases.flatMap((c, i) => (got.rows[i]!.ready === expected[i] ? [] : [{ ...c, worker: expected[i], database: got.rows[i]!.ready }]));
  expect(disagreements.slice(0, 3)).toEqual([]);
  // Both answers occur, so the comparison means something.
  expect(expected.filter(Boolean).length).toBeGreaterThan(400);
  expect(expected.filter((x) => !x).length).toBeGreaterThan(400);
});

test('siaran_take_target claims stored targets exactly when the worker would, for 600 mixes written as rows', async () => {
  const db = h.siaran.database.db;
  const cases = mixes(600, 20261204);
  // A paused Polres with a Polsek below it: the Polsek's posts wait for the pause of the unit above.
  const tag = randomUUID().slice(0, 6);
  const pausedParent = await addUnit(db, { slug: `polres-paused-${tag}`, name: 'Polres Jeda', parentSlug: await unitSlug(h.siaran.database.db, world.units.polda), timeZone: 'Asia/Jakarta' });
  const pausedChild = await addUnit(db, { slug: `polsek-paused-${tag}`, name: 'Polsek Jeda', parentSlug: pausedParent.slug, timeZone: 'Asia/Jakarta' });
  await db.updateTable('units').set({ publishing_paused: true }).where('id', '=', pausedParent.id).execute();
  const siblingChannel = { [world.units.polres]: randomUUID(), [pausedChild.id]: randomUUID() };
  await db
    .insertInto('channels')
    .values(Object.entries(siblingChannel).map(([unit, id]) => ({ id, unit_id: unit, kind: 'telegram' as const, name: 'Saudara', settings: JSON.stringify({}), secret_ciphertext: null })))
    .execute();

  const rows = cases.map((c) => ({ ...c, unit: c.paused ? pausedChild.id : world.units.polres, channel: randomUUID(), post: randomUUID(), target: randomUUID() }));
  await db
    .insertInto('channels')
    .values(
      rows.map((r) => ({
        id: r.channel, unit_id: r.unit, kind: r.kind, name: `Kanal ${r.kind}`, settings: JSON.stringify({}), secret_ciphertext: null,
        enabled: r.enabled, health: r.health, limited_until: r.limited_until, limit_reason: r.limited_until ? 'channel.rate_limited' : null,
      })),
    )
    .execute();
  await db
    .insertInto('posts')
    .values(
      rows.map((r) => ({
        id: r.post, unit_id: r.unit, author_id: world.users.operator, title: 'Campuran', body: 'Isi', variants: JSON.stringify({}),
        status: r.post_status, scheduled_at: r.scheduled_at, version: 1, updated_at: NOW,
      })),
    )
    .execute();
  await db
    .insertInto('post_targets')
    .values([
      ...rows.map((r) => ({ id: r.target, post_id: r.post, channel_id: r.channel, status: r.status, generation: 1, late_released: r.late_released, updated_at: NOW })),
      ...rows.flatMap((r) =>
        r.siblings.map((s) => ({ id: randomUUID(), post_id: r.post, channel_id: siblingChannel[r.unit]!, status: s.status, external_url: s.external_url, updated_at: NOW })),
      ),
    ])
    .execute();
  const withPhotos = rows.filter((r) => r.has_photos);
  if (withPhotos.length > 0) {
    await db
      .insertInto('photos')
      .values(
        withPhotos.map((r) => ({
          id: randomUUID(), unit_id: r.unit, post_id: r.post, uploaded_by: world.users.operator, original_key: `o/${r.post}`, mime: 'image/jpeg',
          width: 10, height: 10, bytes: 100, sha256: '0'.repeat(64), status: 'ready' as const, updated_at: NOW,
        })),
      )
      .execute();
  }

  // As the real registry says: webhooks may be claimed with the load; X is paced, so never claimed here.
  const kinds = ['webhook'];
  expect(takeOptionsOf().kinds).toEqual(expect.arrayContaining(kinds));
  expect(takeOptionsOf().kinds).not.toContain('x');
  const checkpoints = { webhook: { sending: true } };
  const disagreements: unknown[] = [];
  let claimed = 0;
  for (const r of rows) {
    const generation = r.stale ? 2 : 1;
    const got = await sql<{ id: string; claimed_attempt: number | null; status: string }>`
      select * from siaran_take_target(${r.target}, ${generation}, ${'token-' + r.target}, ${NOW}, ${kinds}::text[], ${JSON.stringify(checkpoints)}::jsonb,
                                       ${OPTS.lateWindowMs}, ${OPTS.webhookWaitMs})`.execute(db);
    const row = got.rows[0]!;
    expect(row.id).toBe(r.target);
    const expected = !r.stale && kinds.includes(r.kind) && !r.has_photos && publishReadiness(r, NOW, OPTS).kind === 'ready';
    if ((row.claimed_attempt !== null) !== expected) disagreements.push({ ...r, worker: expected, database: row.claimed_attempt });
    if (row.claimed_attempt !== null) claimed++;
    // The load answers as it found the target, before the claim.
    expect(row.status).toBe(r.status);
  }
  expect(disagreements.slice(0, 3)).toEqual([]);
  expect(claimed).toBeGreaterThan(40);
  expect(rows.length - claimed).toBeGreaterThan(40);

  // What a claim wrote: the target taken with its kind's first checkpoint, an attempt opened, the post publishing.
  const after = await db
    .selectFrom('post_targets')
    .innerJoin('posts', 'posts.id', 'post_targets.post_id')
    .innerJoin('channels', 'channels.id', 'post_targets.channel_id')
    .select(['post_targets.id', 'post_targets.status', 'post_targets.attempts', 'post_targets.claim_token', 'post_targets.checkpoint', 'posts.status as post_status', 'channels.kind'])
    .where('post_targets.id', 'in', rows.map((r) => r.target))
    .execute();
  const attempts = await db.selectFrom('publish_attempts').select(['target_id', 'attempt']).where('target_id', 'in', rows.map((r) => r.target)).execute();
  expect(attempts).toHaveLength(claimed);
  for (const t of after) {
    const r = rows.find((x) => x.target === t.id)!;
    if (t.claim_token === null) {
      expect([t.id, t.status, t.attempts]).toEqual([t.id, r.status, 0]);
      continue;
    }
    expect([t.id, t.status, t.attempts, t.claim_token]).toEqual([t.id, 'publishing', 1, `token-${t.id}`]);
    expect(t.checkpoint).toEqual(t.kind === 'webhook' ? { sending: true } : null);
    expect(t.post_status).toBe(r.post_status === 'scheduled' ? 'publishing' : r.post_status);
  }
}, 120_000);

function takeOptionsOf() {
  return takeOptions(publishDepsFor(h, h.siaran.database.db, OPTS));
}

describe('a claim the load took and the worker cannot use', () => {
  async function dueWebhookPost(sealed: string) {
    const db = h.siaran.database.db;
    const ids = { channel: randomUUID(), post: randomUUID(), target: randomUUID() };
    await db
      .insertInto('channels')
      .values({ id: ids.channel, unit_id: world.units.polres, kind: 'webhook', name: 'Penerima', settings: JSON.stringify({ url: 'http://127.0.0.1:9/hook' }), secret_ciphertext: sealed })
      .execute();
    await db
      .insertInto('posts')
      .values({ id: ids.post, unit_id: world.units.polres, author_id: world.users.operator, title: 'Kirim', body: 'Isi', variants: JSON.stringify({}), status: 'scheduled', scheduled_at: new Date(Date.now() - 1000), version: 1, updated_at: new Date() })
      .execute();
    await db.insertInto('post_targets').values({ id: ids.target, post_id: ids.post, channel_id: ids.channel, status: 'scheduled', updated_at: new Date() }).execute();
    return ids;
  }

  const deps = (counter: CountQueries) => publishDepsFor(h, counter.attach(h.siaran.database.db), OPTS);

  async function stateOf(ids: { channel: string; post: string; target: string }) {
    const db = h.siaran.database.db;
    const target = await db.selectFrom('post_targets').select(['status', 'held_reason', 'attempts', 'claim_token']).where('id', '=', ids.target).executeTakeFirstOrThrow();
    const post = await db.selectFrom('posts').select('status').where('id', '=', ids.post).executeTakeFirstOrThrow();
    const channel = await db.selectFrom('channels').select('health').where('id', '=', ids.channel).executeTakeFirstOrThrow();
    const attempts = await db.selectFrom('publish_attempts').select(['outcome', 'finished_at']).where('target_id', '=', ids.target).execute();
    return { target, post: post.status, channel: channel.health, attempts };
  }

  test('credentials that cannot be read: the target is held for a reconnection, its attempt given back, the post scheduled again', async () => {
    const ids = await dueWebhookPost('not-a-sealed-secret');
    const outcome = await publishTarget(deps(new CountQueries()), { targetId: ids.target, generation: 1 });
    expect(outcome).toMatchObject({ kind: 'held', until: undefined });
    const s = await stateOf(ids);
    expect(s.target).toEqual({ status: 'held', held_reason: 'channel.needs_reconnect', attempts: 0, claim_token: null });
    expect(s.post).toBe('scheduled');
    expect(s.channel).toBe('needs_reconnect');
    expect(s.attempts.map((a) => [a.outcome, a.finished_at !== null])).toEqual([['held', true]]);
  });

  test('a post taken back meanwhile: the claim given back cancels the target instead of holding it', async () => {
    const ids = await dueWebhookPost('not-a-sealed-secret');
    const counter = new CountQueries();
    counter.before = async (text, connection) => {
      if (/update "channels" set "health"/.test(text)) {
        counter.before = undefined;
        await connection.executeQuery(CompiledQuery.raw("update posts set status = 'retracted' where id = $1", [ids.post]));
      }
    };
    await publishTarget(deps(counter), { targetId: ids.target, generation: 1 });
    const s = await stateOf(ids);
    expect(s.target).toEqual({ status: 'cancelled', held_reason: null, attempts: 0, claim_token: null });
    expect(s.post).toBe('retracted');
  });

  test('credentials replaced while it was loaded: nobody is asked to reconnect, the job looks again at once', async () => {
    const ids = await dueWebhookPost('not-a-sealed-secret');
    const counter = new CountQueries();
    // An admin saves new credentials between the load and the flag.
    counter.before = async (text, connection) => {
      if (/update "channels" set "health"/.test(text)) {
        counter.before = undefined;
        await connection.executeQuery(CompiledQuery.raw('update channels set credentials_version = 2 where id = $1', [ids.channel]));
      }
    };
    const outcome = await publishTarget(deps(counter), { targetId: ids.target, generation: 1 });
    expect(outcome).toMatchObject({ kind: 'retry', delayMs: 0 });
    const s = await stateOf(ids);
    expect(s.target).toEqual({ status: 'scheduled', held_reason: null, attempts: 0, claim_token: null });
    expect(s.post).toBe('scheduled');
    expect(s.channel).toBe('connected');
  });
});

test("a channel's release counts the holds the reconciler lifted a moment before it", async () => {
  const db = h.siaran.database.db;
  const ids = { channel: randomUUID(), post: randomUUID(), target: randomUUID() };
  await db.insertInto('channels').values({ id: ids.channel, unit_id: world.units.polres, kind: 'x', name: 'X', settings: JSON.stringify({}), secret_ciphertext: null }).execute();
  await db
    .insertInto('posts')
    .values({ id: ids.post, unit_id: world.units.polres, author_id: world.users.operator, title: 'Tahan', body: 'Isi', variants: JSON.stringify({}), status: 'scheduled', scheduled_at: NOW, version: 1, updated_at: NOW })
    .execute();
  await db.insertInto('post_targets').values({ id: ids.target, post_id: ids.post, channel_id: ids.channel, status: 'held', held_reason: 'channel.needs_reconnect', updated_at: NOW }).execute();
  // The admin's new credentials are saved (the channel is connected) and the reconciler runs before the release.
  await db.updateTable('post_targets').set({ held_reason: null, generation: sql`generation + 1` }).where('id', '=', ids.target).execute();
  const released = await releaseHeld(db, ids.channel, ['channel.needs_reconnect'], NOW);
  expect(released).toEqual([{ targetId: ids.target, generation: 3, at: NOW }]);
  // Its new generation fences the job the reconciler queued for generation 2: one of the two goes out.
});
