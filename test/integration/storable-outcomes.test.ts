// Text from elsewhere than a person's form (a platform's answer, an id a webhook receiver made up) that holds a
// NUL or half of a UTF-16 pair is stored with U+FFFD in its place: the statement recording an outcome never fails
// on it, so a worker does not retry the same failing write for ever.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CompiledQuery, sql } from 'kysely';
import { type Harness, type World, addWebhook, client, inSeconds, seedWorld, startHarness, waitFor } from '../support/harness';

let h: Harness;
let world: World;
let receiver: http.Server;
let receiverUrl: string;
beforeAll(async () => {
  h = await startHarness();
  world = await seedWorld(h.siaran.database.db);
  // A receiver that takes the post and names it with a NUL and a lone surrogate (as JSON escapes, as sent).
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"rcv\\u0000-1","url":"https://humas.example/berita/\\ud800x"}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await h.close();
  await new Promise((r) => receiver.close(r));
});

test('every statement, built or raw, in a transaction or not, stores such text with U+FFFD', async () => {
  const db = h.siaran.database.db;
  const t = await sql<{ t: string; j: unknown; a: string[] }>`select ${'a\u0000b'}::text as t, ${JSON.stringify({ n: 'a\u0000b', s: 'x\ud800', k: { ['\udc00']: 1 } })}::jsonb as j, ${['p\u0000', 'q']}::text[] as a`.execute(db);
  expect(t.rows[0]).toEqual({ t: 'a\ufffdb', j: { n: 'a\ufffdb', s: 'x\ufffd', k: { '\ufffd': 1 } }, a: ['p\ufffd', 'q'] });
  const raw = await db.executeQuery<{ t: string }>(CompiledQuery.raw('select $1::text as t', ['\u0000']));
  expect(raw.rows[0]!.t).toBe('\ufffd');
  const inTrx = await db.transaction().execute((trx) => sql<{ j: unknown }>`select ${JSON.stringify(['\ud800\u0000'])}::jsonb as j`.execute(trx));
  expect(inTrx.rows[0]!.j).toEqual(['\ufffd\ufffd']);
  // Storable text, emoji and a JSON-looking text with an escaped pair among them, is stored as it was.
  const kept = await sql<{ t: string; j: unknown }>`select ${'Polri 👮 \\u0000 ditulis'}::text as t, ${'{"e":"\\ud83d\\udc6e"}'}::jsonb as j`.execute(db);
  expect(kept.rows[0]).toEqual({ t: 'Polri 👮 \\u0000 ditulis', j: { e: '👮' } });
});

test("a receiver's answer with a NUL and a lone surrogate is recorded, and the post is published", async () => {
  const webhookId = await addWebhook(h.siaran.database.db, world.units.polres, receiverUrl, 'rahasia-penerima-uji-0123456789');
  const operator = client(h.url, world.tokens.operator);
  const created = await operator('POST', '/api/v1/posts', { title: 'Patroli', body: 'Patroli malam di Tumijajar.', channelIds: [webhookId], scheduledAt: inSeconds(5) });
  expect(created.status).toBe(201);
  const submitted = await operator('POST', `/api/v1/posts/${created.body.id}/submit`);
  const approved = await client(h.url, world.tokens.poldaSupervisor)('POST', `/api/v1/posts/${created.body.id}/approve`, { expectedVersion: submitted.body.version });
  expect(approved.body.status).toBe('scheduled');
  const published = await waitFor('publication', async () => {
    const r = await operator('GET', `/api/v1/posts/${created.body.id}`);
    return r.body.status === 'published' ? r.body : undefined;
  });
  const row = await h.siaran.database.db.selectFrom('post_targets').select(['external_id', 'external_url', 'status']).where('post_id', '=', created.body.id).executeTakeFirstOrThrow();
  expect(row).toEqual({ external_id: 'rcv\ufffd-1', external_url: 'https://humas.example/berita/\ufffdx', status: 'published' });
  expect(published.targets[0].status).toBe('published');
});
