// Whether a failed call ever reached the platform decides retry or "maybe published": a platform that
// cannot be connected to is retried; a post held past its window waits for a supervisor, not the clock.
import { PlatformError } from '../../../services/publishing/platform';
import { assertEveryKindHasAdapter } from '../../../services/publishing/platforms/registry';
import { freePort } from '../../support/processes';
import { reconnectChannel } from '../../../services/channels/manage-channels';
import { client, waitFor, quiescent } from '../../support/harness';
import { type PlatformWorld, connectTelegram, postOf, publishSoon, scheduledPost, settled, startWithPlatforms } from '../../support/platforms';
import { xAdapter } from '../../../services/publishing/platforms/x/x.adapter';
import { telegramAdapter } from '../../../services/publishing/platforms/telegram/telegram.adapter';
import pino from 'pino';

const input = {
  targetId: 't',
  attempt: 1,
  photos: [],
  links: [],
  post: { id: 'p', title: 'Judul', text: 'Isi pos.', thread: false, scheduledAt: new Date(), unit: { id: 'u', slug: 'u', name: 'U', timeZone: 'Asia/Jakarta' as const }, pageUrl: 'http://localhost/u/u/p/p' },
};
function ctx<K>(settings: K, credentials: unknown) {
  return {
    channel: { id: 'c', name: 'c', settings, credentials: { current: () => credentials, renew: () => Promise.resolve(credentials) } },
    claimedAt: new Date(),
    checkpoint: undefined,
    saveCheckpoint: () => Promise.resolve(),
    timeoutMs: 1000,
    log: pino({ level: 'silent' }),
  };
}

test('a platform nobody answers at (connection refused) is a transient failure, never "maybe published"', async () => {
  const closed = `http://127.0.0.1:${await freePort()}`;
  const x = xAdapter({ apiUrl: closed, authorizeUrl: `${closed}/i/oauth2/authorize`, consumerKey: 'k', consumerSecret: 's', clientId: undefined, clientSecret: undefined, timeoutMs: 1000, readMetrics: false });
  const xCtx = ctx({ userId: '1', username: 'u', auth: 'oauth1' }, { type: 'oauth1', accessToken: '1-a', accessSecret: 'b' });
  await expect(x.publish(input, { ...xCtx, channel: { ...xCtx.channel, kind: 'x' } } as never)).rejects.toMatchObject({ kind: 'transient' });
  const tg = telegramAdapter({ apiUrl: closed, timeoutMs: 1000 });
  const tgCtx = ctx({ chatId: '-1001', chatUsername: null, title: 't', botUsername: 'b' }, { botToken: '1:a' });
  const attempt = tg.publish(input, { ...tgCtx, channel: { ...tgCtx.channel, kind: 'telegram' } } as never);
  await expect(attempt).rejects.toBeInstanceOf(PlatformError);
  await expect(attempt).rejects.toMatchObject({ kind: 'transient' });
});

test('start-up refuses a registry that lacks a channel kind, naming it', () => {
  expect(() => assertEveryKindHasAdapter({})).toThrow(/news_page, webhook, x, telegram/);
});

describe('a post held past its window', () => {
  let p: PlatformWorld;
  beforeAll(async () => {
    p = await startWithPlatforms({ PUBLISH_LATE_WINDOW_SECONDS: '3' });
  });
  afterAll(() => p.close());

  test('is not published late when its channel is reconnected: it waits, saying so, until a supervisor releases it', async () => {
    const channel = await connectTelegram(p);
    const id = await scheduledPost(p, { body: 'Tertahan terlalu lama.', channelIds: [channel] });
    const fresh = p.tg.revokeToken();
    await publishSoon(p, id);
    await waitFor('the hold', async () => (await postOf(p, id)).targets[0].status === 'held');
    await new Promise((r) => setTimeout(r, 4000));
    const row = await p.h.siaran.database.db.selectFrom('channels').selectAll().where('id', '=', channel).executeTakeFirstOrThrow();
    expect((await reconnectChannel(p.h.siaran.channels, row, { botToken: fresh })).released).toBe(1);
    const late = await waitFor('the late hold', async () => {
      const post = await postOf(p, id);
      return post.targets[0].heldReason === 'post.late' ? post : undefined;
    });
    expect(late.targets[0].status).toBe('held');
    expect(late.targets[0].heldMessage.id).toMatch(/Supervisor perlu melepasnya/);
    await quiescent(p.h.prefix, () => p.h.siaran.workers!.reconcileNow());
    expect(p.tg.messages.filter((m) => m.text === 'Tertahan terlalu lama.')).toHaveLength(0);
    // An operator cannot let it go; a supervisor can.
    expect((await client(p.h.url, p.world.tokens.operator)('POST', `/api/v1/posts/${id}/targets/${late.targets[0].id}/release`, {})).status).toBe(403);
    const released = await client(p.h.url, p.world.tokens.supervisor)('POST', `/api/v1/posts/${id}/targets/${late.targets[0].id}/release`, {});
    expect(released.status).toBe(200);
    expect((await settled(p, id)).status).toBe('published');
    expect(p.tg.messages.filter((m) => m.text === 'Tertahan terlalu lama.')).toHaveLength(1);
    const history = (await client(p.h.url, p.world.tokens.supervisor)('GET', `/api/v1/posts/${id}/history`)).body.events;
    expect(history.find((e: { type: string }) => e.type === 'target.release').actor.id).toBe(p.world.users.supervisor);
  }, 60_000);
});
