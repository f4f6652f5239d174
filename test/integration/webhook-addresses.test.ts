// A webhook's address may carry the receiver's token: only those who manage channels see it whole. An address
// with a user name and password is refused when typed, and one stored before fails its delivery with the reason.
import { type WebhookWorld, addWebhook, client, inSeconds, startWithWebhook, waitFor } from '../support/harness';
import { signIn } from '../support/web-session';
import { testDbKind } from '../support/test-db';

const SECRET = 'a-webhook-secret-of-some-length';
const TOKEN = 'token-penerima-rahasia-123';

let env: WebhookWorld;
let tokenHook: string;
let host: string;

// What a webhook address may be, and who sees it, is decided before and apart from the database's own work: on PostgreSQL only, which keeps the whole run within its time.
(testDbKind() === 'postgres' ? describe : describe.skip)('webhook-addresses', () => {
beforeAll(async () => {
  env = await startWithWebhook(SECRET);
  host = new URL(env.receiver.url).host;
  tokenHook = await addWebhook(env.h.siaran.database.db, env.world.units.polres, `${env.receiver.url}/${TOKEN}?key=${TOKEN}`, SECRET);
});
afterAll(() => env.close());

describe("a webhook's whole address", () => {
  test('when an operator or a supervisor lists the unit\'s channels, a webhook shows its host only; an admin sees the whole address', async () => {
    const { world } = env;
    for (const who of ['operator', 'supervisor', 'poldaSupervisor'] as const) {
      const listed = await client(env.h.url, world.tokens[who])('GET', `/api/v1/units/${world.units.polres}/channels`);
      expect(listed.status).toBe(200);
      const hook = listed.body.find((c: { id: string }) => c.id === tokenHook);
      expect(hook.settings).toEqual({ address: `${host}/…` });
      expect(JSON.stringify(listed.body)).not.toContain(TOKEN);
    }
    const asAdmin = await client(env.h.url, world.tokens.admin)('GET', `/api/v1/units/${world.units.polres}/channels`);
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.find((c: { id: string }) => c.id === tokenHook).settings).toEqual({ url: `${env.receiver.url}/${TOKEN}?key=${TOKEN}`, address: `${host}/…` });
  });
});

describe('a webhook address with a user name and password', () => {
  test('when an admin types one, then it is refused with words that point to the webhook secret, and no channel is added', async () => {
    const { h, world } = env;
    const cookie = await signIn({ h, world }, 'admin');
    const adminPage = await fetch(`${h.url}/admin`, { headers: { cookie } });
    expect(adminPage.status).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await adminPage.text())![1]!;
    const before = await h.siaran.database.db.selectFrom('channels').select('id').where('kind', '=', 'webhook').execute();
    const res = await fetch(`${h.url}/admin/units/${world.units.polres}/webhook`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'id' },
      body: new URLSearchParams({ _csrf: csrf, url: 'https://humas:sandi@hooks.example.org/siaran', secret: SECRET, name: 'Dengan sandi' }).toString(),
    });
    expect(res.status).toBe(422);
    const text = await res.text();
    expect(text).toContain('tidak boleh memuat nama pengguna dan kata sandi');
    expect(text).toContain('rahasia webhook');
    const after = await h.siaran.database.db.selectFrom('channels').select('id').where('kind', '=', 'webhook').execute();
    expect(after).toHaveLength(before.length);
  });

  test('when one was stored before, the delivery fails saying so (not "unconfirmed"), and the reason names no address', async () => {
    const { h, world, receiver } = env;
    const db = h.siaran.database.db;
    const stored = await addWebhook(db, world.units.polres, receiver.url, SECRET);
    // As a channel added before addresses with a user name and password were refused.
    const withPassword = receiver.url.replace('http://', 'http://humas:sandi@');
    await db.updateTable('channels').set({ settings: JSON.stringify({ url: withPassword }) }).where('id', '=', stored).execute();
    const operator = client(h.url, world.tokens.operator);
    const created = await operator('POST', '/api/v1/posts', { title: 'Bakti sosial', body: 'Polres Tulangbawang Barat membagikan sembako.', channelIds: [stored], scheduledAt: inSeconds(5) });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const submitted = await operator('POST', `/api/v1/posts/${id}/submit`);
    const approved = await client(h.url, world.tokens.poldaSupervisor)('POST', `/api/v1/posts/${id}/approve`, { note: 'Lanjut.', expectedVersion: submitted.body.version });
    expect(approved.status).toBe(200);
    const target = await waitFor('the delivery to settle', async () => {
      const t = (await operator('GET', `/api/v1/posts/${id}`)).body.targets[0];
      return t.status === 'scheduled' || t.status === 'publishing' ? undefined : t;
    });
    expect(target.status).toBe('failed');
    expect(target.lastError).toMatch(/user name and password/);
    expect(target.lastError).not.toContain('sandi');
    expect(target.lastError).not.toContain(host);
    expect(receiver.deliveries.filter((d) => d.body.post?.id === id)).toEqual([]);
  });
});
});
