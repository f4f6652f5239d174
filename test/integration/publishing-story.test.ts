// The whole story through HTTP: an operator writes, a supervisor approves, a worker publishes at the minute.
import Parser from 'rss-parser';
import { type Harness, type WebhookWorld, type World, client, inSeconds, startWithWebhook, unitSlug, waitFor } from '../support/harness';
import type { Receiver } from '../support/webhook-receiver';

const SECRET = 'a-webhook-secret-of-some-length';

describe('publishing backbone', () => {
  let h: Harness;
  let world: World;
  let receiver: Receiver;
  let webhookId: string;
  let env: WebhookWorld;

  beforeAll(async () => {
    env = await startWithWebhook(SECRET);
    ({ h, world, receiver, webhookId } = env);
  });
  afterAll(() => env.close());

  test('a post scheduled a few seconds ahead is approved, then published once to the news page, the feed and the signed webhook', async () => {
    const operator = client(h.url, world.tokens.operator);
    const supervisor = client(h.url, world.tokens.poldaSupervisor);
    const scheduledAt = inSeconds(4);

    const created = await operator('POST', '/api/v1/posts', {
      title: 'Patroli Dialogis di Tulang Bawang Barat',
      body: 'Personel Polres Tulangbawang Barat melaksanakan patroli dialogis bersama warga.',
      channelIds: [world.newsPage.polres, webhookId],
      variants: { [webhookId]: 'Versi untuk webhook.' },
      scheduledAt,
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('draft');
    expect(created.body.scheduledLocal).toMatch(/WIB$/);
    expect(created.body.targets).toHaveLength(2);
    const id: string = created.body.id;

    const submitted = await operator('POST', `/api/v1/posts/${id}/submit`);
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('pending_approval');

    const approved = await supervisor('POST', `/api/v1/posts/${id}/approve`, { note: 'Lanjutkan.', expectedVersion: submitted.body.version });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('scheduled');
    expect(approved.body.targets.every((t: { status: string }) => t.status === 'scheduled')).toBe(true);

    const published = await waitFor('publication', async () => {
      const r = await operator('GET', `/api/v1/posts/${id}`);
      return r.body.status === 'published' ? r.body : undefined;
    });
    expect(published.targets.map((t: { status: string }) => t.status)).toEqual(['published', 'published']);

    // Not before its time.
    const firstPublish = Math.min(...published.targets.map((t: { publishedAt: string }) => Date.parse(t.publishedAt)));
    expect(firstPublish).toBeGreaterThanOrEqual(Date.parse(scheduledAt));

    // The webhook got exactly one delivery, correctly signed, with the channel's own variant.
    expect(receiver.deliveries).toHaveLength(1);
    const delivery = receiver.deliveries[0]!;
    expect(delivery.validSignature).toBe(true);
    expect(delivery.body.post.id).toBe(id);
    expect(delivery.body.post.text).toBe('Versi untuk webhook.');
    const webhookTarget = published.targets.find((t: { channelKind: string }) => t.channelKind === 'webhook');
    expect(delivery.deliveryId).toBe(webhookTarget.id);
    expect(webhookTarget.externalId).toBe('rcv-1');

    // The news page and a standard feed parser see it.
    const slug = await unitSlug(h.siaran.database.db, world.units.polres);
    const page = await fetch(`${h.url}/u/${slug}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Patroli Dialogis di Tulang Bawang Barat');
    const xml = await (await fetch(`${h.url}/u/${slug}/feed.xml`)).text();
    const feed = await new Parser().parseString(xml);
    expect(feed.title).toBe('Polres Tulangbawang Barat');
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]!.title).toBe('Patroli Dialogis di Tulang Bawang Barat');
    expect(feed.items[0]!.link).toContain(`/u/${slug}/p/${id}`);
    const permalink = await fetch(feed.items[0]!.link!);
    expect(permalink.status).toBe(200);

    // Every step is on the record, in order, with who did it.
    const history = await operator('GET', `/api/v1/posts/${id}/history`);
    const types: string[] = history.body.events.map((e: { type: string }) => e.type);
    expect(types.slice(0, 3)).toEqual(['created', 'submitted', 'approved']);
    expect(types.filter((t) => t === 'target.published')).toHaveLength(2);
    expect(types).toContain('post.published');
    expect(history.body.events[2].actor.id).toBe(world.users.poldaSupervisor);
    expect(history.body.events[2].data.note).toBe('Lanjutkan.');
  });

  test('an edit to an approved post sends it back for approval and nothing goes out at the old time', async () => {
    const operator = client(h.url, world.tokens.operator);
    const supervisor = client(h.url, world.tokens.supervisor);
    const created = await operator('POST', '/api/v1/posts', {
      title: 'Bakti sosial',
      body: 'Polres membagikan sembako.',
      channelIds: [world.newsPage.polres],
      scheduledAt: inSeconds(5),
    });
    const id: string = created.body.id;
    const submitted = await operator('POST', `/api/v1/posts/${id}/submit`);
    expect((await supervisor('POST', `/api/v1/posts/${id}/approve`, { expectedVersion: submitted.body.version })).body.status).toBe('scheduled');

    const edited = await operator('PATCH', `/api/v1/posts/${id}`, { body: 'Polres membagikan sembako kepada warga.' });
    expect(edited.status).toBe(200);
    expect(edited.body.status).toBe('pending_approval');
    expect(edited.body.approvedBy).toBeNull();

    // Past the old time: still not published; the reconciler expires it instead.
    const expired = await waitFor('expiry', async () => {
      const r = await operator('GET', `/api/v1/posts/${id}`);
      return r.body.status === 'expired' ? r.body : undefined;
    });
    expect(expired.targets[0].status).toBe('pending');
    const history = await operator('GET', `/api/v1/posts/${id}/history`);
    const edit = history.body.events.find((e: { type: string }) => e.type === 'edited');
    expect(edit.data.changes.body).toEqual({ before: 'Polres membagikan sembako.', after: 'Polres membagikan sembako kepada warga.' });
    expect(history.body.events.at(-1).type).toBe('expired');

    // Approving it late is refused.
    const late = await supervisor('POST', `/api/v1/posts/${id}/approve`, { expectedVersion: expired.version });
    expect(late.status).toBe(409);
  });

  test('cancel and reschedule move the jobs with the post', async () => {
    const operator = client(h.url, world.tokens.operator);
    const supervisor = client(h.url, world.tokens.supervisor);
    const make = async () => {
      const c = await operator('POST', '/api/v1/posts', { title: 'Jadwal', body: 'Isi.', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(5) });
      const s = await operator('POST', `/api/v1/posts/${c.body.id}/submit`);
      await supervisor('POST', `/api/v1/posts/${c.body.id}/approve`, { expectedVersion: s.body.version });
      return c.body.id as string;
    };
    const cancelled = await make();
    const moved = await make();
    expect((await operator('POST', `/api/v1/posts/${cancelled}/cancel`, { note: 'Batal' })).body.status).toBe('cancelled');
    // The approving supervisor moves it later: it keeps its approval.
    const later = inSeconds(6);
    const r = await supervisor('POST', `/api/v1/posts/${moved}/reschedule`, { scheduledAt: later });
    expect(r.body.status).toBe('scheduled');
    expect(r.body.scheduledAt).toBe(later);

    await new Promise((res) => setTimeout(res, 4000));
    expect((await operator('GET', `/api/v1/posts/${cancelled}`)).body.targets[0].status).toBe('cancelled');
    expect((await operator('GET', `/api/v1/posts/${moved}`)).body.status).toBe('scheduled');
    const done = await waitFor('rescheduled publication', async () => {
      const p = await operator('GET', `/api/v1/posts/${moved}`);
      return p.body.status === 'published' ? p.body : undefined;
    });
    expect(Date.parse(done.targets[0].publishedAt)).toBeGreaterThanOrEqual(Date.parse(later));
    const items = await h.siaran.database.db.selectFrom('news_items').select('post_id').where('post_id', 'in', [cancelled, moved]).execute();
    expect(items.map((i) => i.post_id)).toEqual([moved]);
  });

  test('an operator rescheduling an approved post sends it back for approval', async () => {
    const operator = client(h.url, world.tokens.operator);
    const supervisor = client(h.url, world.tokens.supervisor);
    const c = await operator('POST', '/api/v1/posts', { title: 'Jadwal', body: 'Isi.', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(60) });
    const s = await operator('POST', `/api/v1/posts/${c.body.id}/submit`);
    await supervisor('POST', `/api/v1/posts/${c.body.id}/approve`, { expectedVersion: s.body.version });
    const r = await operator('POST', `/api/v1/posts/${c.body.id}/reschedule`, { scheduledAt: inSeconds(120) });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('pending_approval');
    expect(r.body.targets[0].status).toBe('pending');
  });

  test('the event log refuses to be rewritten', async () => {
    const db = h.siaran.database.db;
    const any = await db.selectFrom('post_events').select('id').limit(1).executeTakeFirstOrThrow();
    await expect(db.updateTable('post_events').set({ type: 'forged' }).where('id', '=', any.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('post_events').where('id', '=', any.id).execute()).rejects.toThrow(/append-only/);
  });

  test('the OpenAPI document describes the routes with the schemas that validate them', async () => {
    const doc = (await client(h.url)('GET', '/api/v1/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const create = doc.paths['/api/v1/posts'].post;
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['title', 'body', 'channelIds', 'scheduledAt']));
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.title.maxLength).toBe(200);
    expect(doc.paths['/api/v1/posts/{id}/reject'].post.requestBody.content['application/json'].schema.required).toEqual(['note']);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/posts/{id}/approve', '/api/v1/posts/{id}/history', '/api/v1/me']));
  });

  test('readiness reports the database, Redis and live workers', async () => {
    const r = await client(h.url)('GET', '/readyz');
    expect(r.status).toBe(200);
    expect(r.body.checks).toEqual({ database: 'ok', redis: 'ok', workers: 'ok' });
    expect((await client(h.url)('GET', '/healthz')).body).toEqual({ status: 'ok' });
  });
});
