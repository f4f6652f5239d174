// Bad input gets a clear 4xx with a machine code and changes nothing; never a 5xx.
import { randomUUID } from 'node:crypto';
import { createToken } from '../../services/users/token.repository';
import { type Harness, type World, client, inSeconds, seedWorld, startHarness } from '../support/harness';

describe('bad input', () => {
  let h: Harness;
  let world: World;
  let postId: string;
  let version: number;
  const statuses: number[] = [];

  const call = (token?: string) => {
    const c = client(h.url, token);
    return async (...args: Parameters<typeof c>) => {
      const r = await c(...args);
      statuses.push(r.status);
      return r;
    };
  };

  beforeAll(async () => {
    h = await startHarness();
    world = await seedWorld(h.siaran.database.db);
    const created = await client(h.url, world.tokens.operator)('POST', '/api/v1/posts', {
      title: 'Judul',
      body: 'Isi',
      channelIds: [world.newsPage.polres],
      scheduledAt: inSeconds(3600),
    });
    postId = created.body.id;
    version = created.body.version;
  });
  let ownPostId: string | undefined;
  afterAll(async () => {
    try {
      // Whatever was thrown at it, the post is as it was and nothing else appeared.
      const posts = await h.siaran.database.db.selectFrom('posts').select(['id', 'version', 'status']).orderBy('created_at').execute();
      expect(posts).toEqual([{ id: postId, version, status: 'draft' }, ...(ownPostId ? [{ id: ownPostId, version: 1, status: 'draft' }] : [])]);
      expect(statuses.length).toBeGreaterThan(20);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  const expectError = (r: { status: number; body: any }, status: number, code: string) => {
    expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status, code });
    expect(typeof r.body.error.message).toBe('string');
    expect(r.body.error.message.length).toBeGreaterThan(5);
  };

  test('malformed JSON is a 400', async () => {
    expectError(await call(world.tokens.operator)('POST', '/api/v1/posts', '{"title": "x",'), 400, 'request.malformed_json');
  });

  test('wrong types are a 422 naming the field', async () => {
    const r = await call(world.tokens.operator)('POST', '/api/v1/posts', { title: 123, body: 'x', channelIds: 'no', scheduledAt: inSeconds(3600) });
    expectError(r, 422, 'request.invalid');
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['title', 'channelIds']));
  });

  test('unknown fields are refused, not ignored', async () => {
    const r = await call(world.tokens.operator)('POST', '/api/v1/posts', {
      title: 'x',
      body: 'x',
      channelIds: [world.newsPage.polres],
      scheduledAt: inSeconds(3600),
      status: 'published',
    });
    expectError(r, 422, 'request.invalid');
    expectError(await call(world.tokens.operator)('PATCH', `/api/v1/posts/${postId}`, { authorId: world.users.supervisor }), 422, 'request.invalid');
  });

  test('a huge body is a 413', async () => {
    const r = await call(world.tokens.operator)('POST', '/api/v1/posts', { title: 'x', body: 'x'.repeat(2_000_000), channelIds: [], scheduledAt: inSeconds(3600) });
    expectError(r, 413, 'request.too_large');
  });

  test('a body that is not JSON is a 415', async () => {
    expectError(await call(world.tokens.operator)('POST', '/api/v1/posts', 'title=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'request.unsupported_media_type');
  });

  test('a body within the limit but too long for a field is a 422', async () => {
    expectError(await call(world.tokens.operator)('PATCH', `/api/v1/posts/${postId}`, { title: 'x'.repeat(201) }), 422, 'request.invalid');
  });

  test('more channel texts than a post can have channels is a 422', async () => {
    const variants = Object.fromEntries(Array.from({ length: 21 }, () => [randomUUID(), 'x'.repeat(100)]));
    const r = await call(world.tokens.operator)('PATCH', `/api/v1/posts/${postId}`, { variants });
    expectError(r, 422, 'request.invalid');
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual(['variants']);
  });

  test('a time in the past, or unreadable, is a 422', async () => {
    const op = call(world.tokens.operator);
    expectError(await op('POST', '/api/v1/posts', { title: 'x', body: 'x', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(-60) }), 422, 'schedule.in_past');
    expectError(await op('POST', '/api/v1/posts', { title: 'x', body: 'x', channelIds: [world.newsPage.polres], scheduledAt: 'besok pagi' }), 422, 'schedule.invalid');
    expectError(await op('POST', `/api/v1/posts/${postId}/reschedule`, { scheduledAt: inSeconds(-5) }), 422, 'schedule.in_past');
    expectError(await op('PATCH', `/api/v1/posts/${postId}`, { scheduledAt: '2026-02-30T10:00' }), 422, 'schedule.invalid');
  });

  test("another unit's channel is refused", async () => {
    expectError(
      await call(world.tokens.operator)('POST', '/api/v1/posts', { title: 'x', body: 'x', channelIds: [world.newsPage.other], scheduledAt: inSeconds(3600) }),
      422,
      'channels.foreign',
    );
  });

  test("another unit's post does not exist for them", async () => {
    const other = call(world.tokens.otherOperator);
    expectError(await other('GET', `/api/v1/posts/${postId}`), 404, 'post.not_found');
    expectError(await other('PATCH', `/api/v1/posts/${postId}`, { title: 'Diretas' }), 404, 'post.not_found');
    expectError(await other('POST', `/api/v1/posts/${postId}/submit`), 404, 'post.not_found');
    expectError(await other('GET', `/api/v1/posts/${postId}/history`), 404, 'post.not_found');
    expectError(await call(world.tokens.otherSupervisor)('POST', `/api/v1/posts/${postId}/approve`, { expectedVersion: 1 }), 404, 'post.not_found');
    // A unit below cannot see the post of the unit above either.
    expectError(await call(world.tokens.polsekOperator)('GET', `/api/v1/posts/${postId}`), 404, 'post.not_found');
    const list = await other('GET', `/api/v1/posts?unitId=${world.units.polres}`);
    expectError(list, 404, 'unit.not_found');
  });

  test('roles: an operator cannot approve, nobody approves their own post, an admin cannot write', async () => {
    expectError(await call(world.tokens.operator)('POST', `/api/v1/posts/${postId}/approve`, { expectedVersion: 1 }), 403, 'approval.forbidden');
    const sup = call(world.tokens.supervisor);
    const own = await sup('POST', '/api/v1/posts', { title: 'x', body: 'x', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(3600) });
    expect(own.status).toBe(201);
    const r = await sup('POST', `/api/v1/posts/${own.body.id}/approve`, { expectedVersion: own.body.version });
    expectError(r, 403, 'approval.forbidden');
    expect(r.body.error.details.findings.map((f: { code: string }) => f.code)).toEqual(['approval.own_post']);
    ownPostId = own.body.id;
    expectError(await call(world.tokens.admin)('PATCH', `/api/v1/posts/${postId}`, { title: 'x' }), 403, 'post.not_author');
  });

  test('a rejection needs a note; a draft cannot be approved', async () => {
    expectError(await call(world.tokens.supervisor)('POST', `/api/v1/posts/${postId}/reject`, { note: '  ' }), 422, 'request.invalid');
    expectError(await call(world.tokens.supervisor)('POST', `/api/v1/posts/${postId}/approve`, { expectedVersion: 1 }), 409, 'post.invalid_transition');
  });

  test('a stale version is a 409', async () => {
    expectError(await call(world.tokens.operator)('PATCH', `/api/v1/posts/${postId}`, { title: 'Baru', expectedVersion: version + 5 }), 409, 'post.version_conflict');
  });

  test('tokens: missing, wrong, expired', async () => {
    const missing = await call()('GET', '/api/v1/posts');
    expectError(missing, 401, 'auth.missing');
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expectError(await call('siaran_not-a-real-token')('GET', '/api/v1/posts'), 401, 'auth.invalid');
    expectError(await call('garbage')('GET', '/api/v1/posts'), 401, 'auth.invalid');
    const { token } = await createToken(h.siaran.database.db, world.users.operator, { label: 'old', days: 1, now: new Date(Date.now() - 2 * 86_400_000) });
    expectError(await call(token)('GET', '/api/v1/posts'), 401, 'auth.expired');
  });

  test('malformed ids and unknown routes are 404s', async () => {
    expectError(await call(world.tokens.operator)('GET', '/api/v1/posts/not-a-uuid'), 404, 'not_found');
    expectError(await call(world.tokens.operator)('GET', "/api/v1/posts/1' or '1'='1"), 404, 'not_found');
    expectError(await call(world.tokens.operator)('GET', '/api/v1/nothing-here'), 404, 'route.not_found');
    expectError(await call(world.tokens.operator)('GET', '/api/v1/posts?limit=100000'), 422, 'request.invalid');
    expectError(await call(world.tokens.operator)('GET', '/api/v1/posts?status=terbang'), 422, 'request.invalid');
  });

  test('messages follow the language asked for', async () => {
    const id = await call()('GET', '/api/v1/posts');
    const en = await call()('GET', '/api/v1/posts', undefined, { 'accept-language': 'en-US,en;q=0.9' });
    expect(id.body.error.message).toMatch(/Sertakan token/);
    expect(en.body.error.message).toMatch(/Send a token/);
  });
});
