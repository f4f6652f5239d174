// Requests that arrive while the database is busy share create-post's statements: the token lookup, the unit read
// and the insert (services/storage/batched.ts). Each request must get its own answer, from the database as it
// stands after the request arrived (a token revoked a moment before is refused), and one request the database
// refuses must not fail the others.
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { RECONCILER_QUEUES } from '../../services/posts/deps';
import { insertNewPost } from '../../services/posts/post.repository';
import { createPost } from '../../services/posts/write-post';
import { checkToken, createToken, revokeTokens } from '../../services/users/token.repository';
import { addUser } from '../../services/users/user.repository';
import { type Harness, type World, client, inSeconds, seedWorld, startHarness, unitSlug } from '../support/harness';
import { CountQueries } from '../support/count-queries';

let h: Harness;
let world: World;

beforeAll(async () => {
  h = await startHarness({ RECONCILE_EVERY_SECONDS: '3600' });
  world = await seedWorld(h.siaran.database.db);
});
afterAll(() => h.close());

test('forty create-posts at once over the API: each answered with its own post, all written whole', async () => {
  const tokens = [world.tokens.operator, world.tokens.polsekOperator];
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      client(h.url, tokens[i % 2])('POST', '/api/v1/posts', {
        title: `Serentak ${String(i)}`,
        body: `Isi ke-${String(i)}`,
        channelIds: i % 2 === 0 ? [world.newsPage.polres] : [],
        scheduledAt: inSeconds(3600),
      }),
    ),
  );
  expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
  // Each answer is its own request's post, written by its own author in its own unit.
  answers.forEach((a, i) => {
    expect(a.body.title).toBe(`Serentak ${String(i)}`);
    expect(a.body.unit.id).toBe(i % 2 === 0 ? world.units.polres : world.units.polsek);
    expect(a.body.targets).toHaveLength(i % 2 === 0 ? 1 : 0);
  });
  // The insert answers each request with its author's name: the two authors alternate, and neither is shown the other's.
  const names = (odd: number) => new Set(answers.filter((_, i) => i % 2 === odd).map((a) => JSON.stringify(a.body.author)));
  expect(names(0).size).toBe(1);
  expect(names(1).size).toBe(1);
  expect([...names(0)][0]).not.toBe([...names(1)][0]);
  const db = h.siaran.database.db;
  const ids = answers.map((a) => a.body.id as string);
  expect(new Set(ids).size).toBe(40);
  const rows = await db.selectFrom('posts').select(['id', 'title', 'author_id']).where('id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  answers.forEach((a, i) => expect(byId.get(a.body.id)).toMatchObject({ title: `Serentak ${String(i)}` }));
  const authors = (odd: number) => new Set(answers.filter((_, i) => i % 2 === odd).map((a) => byId.get(a.body.id)!.author_id));
  expect([...authors(0)]).toEqual([world.users.operator]);
  expect(authors(1).size).toBe(1);
  expect(authors(1).has(world.users.operator)).toBe(false);
  const created = await db.selectFrom('post_events').select('post_id').where('post_id', 'in', ids).where('type', '=', 'created').execute();
  expect(created).toHaveLength(40);
  const targets = await db.selectFrom('post_targets').select('post_id').where('post_id', 'in', ids).execute();
  expect(targets).toHaveLength(20);
});

test('create-posts at once share statements: fewer than alone, the same posts', async () => {
  const counter = new CountQueries();
  const db = counter.attach(h.siaran.database.db);
  const deps = { db, scheduler: RECONCILER_QUEUES, log: pino({ level: 'silent' }), now: () => new Date(), minLeadSeconds: 0 };
  const operator = { id: world.users.operator, role: 'operator' as const, unitId: world.units.polres };
  const views = await Promise.all(
    Array.from({ length: 30 }, (_, i) => createPost(deps, operator, { title: `Bersama ${String(i)}`, body: 'Isi', channelIds: [world.newsPage.polres], variants: {}, channelOptions: {}, scheduledAt: inSeconds(3600) })),
  );
  expect(views.map((v) => v.title)).toEqual(views.map((_, i) => `Bersama ${String(i)}`));
  console.log(`30 create-posts at once: ${String(counter.count)} statements`);
  // Alone, each takes 2 (query-counts.test.ts); batches that always failed (their requests then alone) would need more.
  expect(counter.count).toBeLessThanOrEqual(30);
  const written = await h.siaran.database.db.selectFrom('posts').select('id').where('id', 'in', views.map((v) => v.id)).execute();
  expect(written).toHaveLength(30);
});

test('tokens looked up together: each request its own answer, a token revoked a moment before refused', async () => {
  const db = h.siaran.database.db;
  const slug = await unitSlug(db, world.units.polres);
  const user = await addUser(db, { email: `batch-${randomUUID().slice(0, 8)}@polri.go.id`, name: 'Penguji', unitSlug: slug, role: 'operator' });
  const kept = await createToken(db, user.id, { label: 'kept', days: 30 });
  const counter = new CountQueries();
  const counted = counter.attach(db);
  const other = await addUser(db, { email: `batch-${randomUUID().slice(0, 8)}@polri.go.id`, name: 'Dicabut', unitSlug: slug, role: 'operator' });
  const revoked = await createToken(db, other.id, { label: 'revoked', days: 30 });
  // Looked up once, working; then revoked: every lookup after, batched or not, must see the revocation.
  expect(await checkToken(counted, revoked.token)).toMatchObject({ ok: true });
  await revokeTokens(db, other.id);
  counter.count = 0;
  const asked = Array.from({ length: 30 }, (_, i) => [world.tokens.operator, kept.token, revoked.token, `siaran_${randomUUID()}`][i % 4]!);
  const results = await Promise.all(asked.map((t) => checkToken(counted, t)));
  results.forEach((r, i) => {
    switch (i % 4) {
      case 0:
        expect(r).toMatchObject({ ok: true, actor: { id: world.users.operator } });
        break;
      case 1:
        expect(r).toMatchObject({ ok: true, actor: { id: user.id } });
        break;
      case 2:
        expect(r).toEqual({ ok: false, reason: 'revoked' });
        break;
      default:
        expect(r).toEqual({ ok: false, reason: 'unknown' });
    }
  });
  console.log(`30 token lookups at once: ${String(counter.count)} statements`);
  expect(counter.count).toBeLessThan(30);
});

test('a new post the database refuses fails alone: the others of its batch are written', async () => {
  const db = h.siaran.database.db;
  const now = new Date();
  const post = (authorId: string, title: string) => ({
    id: randomUUID(), unitId: world.units.polres, authorId, title, body: 'Isi', variants: {}, channelOptions: {}, status: 'draft' as const,
    scheduledAt: new Date(now.getTime() + 3_600_000), version: 1, approvedBy: null, approvedAt: null, reviewNote: null, sensitive: false, firstApproval: null, createdAt: now, updatedAt: now,
  });
  // The fifth names an author who does not exist: its insert breaks a foreign key.
  const posts = Array.from({ length: 9 }, (_, i) => post(i === 4 ? randomUUID() : world.users.operator, `Tolak ${String(i)}`));
  const settled = await Promise.allSettled(posts.map((p) => insertNewPost(db, p, [], { type: 'created', data: {} })));
  expect(settled.map((s) => s.status)).toEqual(posts.map((_, i) => (i === 4 ? 'rejected' : 'fulfilled')));
  const written = await db.selectFrom('posts').select('title').where('id', 'in', posts.map((p) => p.id)).execute();
  expect(written.map((w) => w.title).sort()).toEqual(posts.filter((_, i) => i !== 4).map((p) => p.title).sort());
});

test('a unit id in upper case names the same unit', async () => {
  const r = await client(h.url, world.tokens.operator)('POST', '/api/v1/posts', { unitId: world.units.polres.toUpperCase(), title: 'Huruf besar', body: 'Isi', channelIds: [], scheduledAt: inSeconds(3600) });
  expect(r.status).toBe(201);
  expect(r.body.unit.id).toBe(world.units.polres);
});
