// The product with every platform pointed at its local fake: X and Telegram on 127.0.0.1, plus the seeded
// unit hierarchy, and helpers to connect channels and write posts with photos as people do.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import sharp from 'sharp';
import { addFacebookChannel, addInstagramChannel, addTelegramChannel, addXChannelWithTokens, finishXConnect, startXConnect } from '../../services/channels/manage-channels';
import { type Harness, type World, client, inSeconds, seedWorld, startHarness, waitFor } from './harness';
import { type FakeGraph, startFakeGraph } from './fakes/fake-graph';
import { type FakeTelegram, startFakeTelegram } from './fakes/fake-telegram';
import { type FakeX, startFakeX } from './fakes/fake-x';

export interface PlatformWorld {
  h: Harness;
  world: World;
  x: FakeX;
  tg: FakeTelegram;
  meta: FakeGraph;
  close(): Promise<void>;
}

export function platformEnv(x: FakeX, tg: FakeTelegram, meta?: FakeGraph): Record<string, string> {
  return {
    ...(meta
      ? {
          META_GRAPH_URL: meta.url,
          INSTAGRAM_GRAPH_URL: meta.url,
          META_DIALOG_URL: meta.url,
          META_GRAPH_VERSION: meta.version,
          META_APP_ID: meta.app.id,
          META_APP_SECRET: meta.app.secret,
          INSTAGRAM_APP_ID: meta.instagramApp.id,
          INSTAGRAM_APP_SECRET: meta.instagramApp.secret,
          INSTAGRAM_LOGIN_URL: meta.url,
          INSTAGRAM_API_URL: meta.url,
          // The fake fetches photos from this machine, as Meta would from a public address.
          META_ALLOW_PRIVATE_PHOTO_URLS: 'true',
        }
      : {}),
    X_API_URL: x.url,
    X_AUTHORIZE_URL: `${x.url}/i/oauth2/authorize`,
    X_CONSUMER_KEY: x.app.consumerKey,
    X_CONSUMER_SECRET: x.app.consumerSecret,
    X_CLIENT_ID: x.app.clientId,
    X_CLIENT_SECRET: x.app.clientSecret,
    TELEGRAM_API_URL: tg.url,
    PLATFORM_TIMEOUT_MS: '2000',
  };
}

export async function startWithPlatforms(overrides: Record<string, string> = {}, opts: { log?: Logger } = {}): Promise<PlatformWorld> {
  const x = await startFakeX();
  const tg = await startFakeTelegram();
  const meta = await startFakeGraph();
  const h = await startHarness({ ...platformEnv(x, tg, meta), ...overrides }, opts);
  const world = await seedWorld(h.siaran.database.db);
  return {
    h,
    world,
    x,
    tg,
    meta,
    async close() {
      await h.close();
      await x.close();
      await tg.close();
      await meta.close();
    },
  };
}

/** An X channel connected with OAuth 1.0a user tokens (as `siaran channel add --kind x` does). */
export async function connectXTokens(p: PlatformWorld, unitId = p.world.units.polres, tokens = p.x.oauth1): Promise<string> {
  const c = await addXChannelWithTokens(p.h.siaran.channels, { unitId, accessToken: tokens.accessToken, accessSecret: tokens.accessSecret });
  return c.id;
}

/** An X channel connected through the OAuth 2.0 consent page, followed as a browser would. */
export async function connectXOAuth2(p: PlatformWorld, unitId = p.world.units.polres, userId = p.world.users.admin): Promise<string> {
  const url = await startXConnect(p.h.siaran.channels, { userId, unitId });
  const page = await fetch(url);
  const approve = /id="authorize" href="([^"]+)"/.exec(await page.text())![1]!.replace(/&amp;/g, '&');
  const back = await fetch(`${p.x.url}${approve}`, { redirect: 'manual' });
  const callback = new URL(back.headers.get('location')!);
  const done = await finishXConnect(
    p.h.siaran.channels,
    { userId, state: callback.searchParams.get('state')!, code: callback.searchParams.get('code')! },
    () => Promise.resolve(true),
  );
  return done.channel.id;
}

export async function connectTelegram(p: PlatformWorld, unitId = p.world.units.polres, chat = '@humaspolrestubaba'): Promise<string> {
  const c = await addTelegramChannel(p.h.siaran.channels, { unitId, botToken: p.tg.bot.token, chat });
  return c.id;
}

/** A Facebook Page connected with its Page token (as `siaran channel add --kind facebook` does). */
export async function connectFacebook(p: PlatformWorld, unitId = p.world.units.polres, page = p.meta.page): Promise<string> {
  const c = await addFacebookChannel(p.h.siaran.channels, { unitId, pageId: page.id, pageToken: page.token });
  return c.id;
}

/** An Instagram account connected with a token (as `siaran channel add --kind instagram` does): by default its Page's token. */
export async function connectInstagram(p: PlatformWorld, unitId = p.world.units.polres, ig = p.meta.ig, token = p.meta.page.token): Promise<string> {
  const c = await addInstagramChannel(p.h.siaran.channels, { unitId, igUserId: ig.id, token });
  return c.id;
}

export async function photo(width = 1600, height = 1000, seed = randomUUID()): Promise<Buffer> {
  // Each photo differs, so that none is mistaken for another.
  const shade = parseInt(seed.slice(0, 6), 16);
  return sharp({ create: { width, height, channels: 3, background: { r: shade & 255, g: (shade >> 8) & 255, b: (shade >> 16) & 255 } } }).jpeg().toBuffer();
}

export interface PostSpec {
  title?: string;
  body: string;
  channelIds: string[];
  variants?: Record<string, string>;
  channelOptions?: Record<string, { thread?: boolean }>;
  photos?: Array<{ data: Buffer; alt: string }>;
  inSeconds?: number;
  /** A unit below the operator's own; the operator's unit by default. */
  unitId?: string;
}

/** A running Siaran (in this process or spawned) and the people seeded in its database. */
export interface Site {
  h: { url: string };
  world: World;
}

/** An operator writes (with photos), a supervisor approves; returns the post id once it is scheduled. */
export async function scheduledPost(p: Site, spec: PostSpec): Promise<string> {
  const operator = client(p.h.url, p.world.tokens.operator);
  const created = await operator('POST', '/api/v1/posts', {
    ...(spec.unitId ? { unitId: spec.unitId } : {}),
    title: spec.title ?? 'Patroli dialogis',
    body: spec.body,
    channelIds: spec.channelIds,
    variants: spec.variants ?? {},
    channelOptions: spec.channelOptions ?? {},
    scheduledAt: inSeconds(spec.inSeconds ?? 3600),
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const id: string = created.body.id;
  for (const ph of spec.photos ?? []) {
    const up = await fetch(`${p.h.url}/api/v1/photos?postId=${id}&alt=${encodeURIComponent(ph.alt)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.world.tokens.operator}`, 'content-type': 'image/jpeg' },
      body: ph.data,
    });
    if (up.status !== 201) throw new Error(`photo: ${up.status} ${await up.text()}`);
  }
  if ((spec.photos ?? []).length > 0) {
    await waitFor('renditions', async () => {
      const r = await operator('GET', `/api/v1/photos?postId=${id}`);
      return r.body.photos.every((x: { status: string }) => x.status === 'ready');
    }, 30_000);
  }
  const submitted = await operator('POST', `/api/v1/posts/${id}/submit`);
  if (submitted.status !== 200) throw new Error(`submit: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  const approved = await client(p.h.url, p.world.tokens.supervisor)('POST', `/api/v1/posts/${id}/approve`, { expectedVersion: submitted.body.version });
  if (approved.status !== 200) throw new Error(`approve: ${approved.status} ${JSON.stringify(approved.body)}`);
  return id;
}

/** The approving supervisor brings the post forward to go out in a moment; a supervisor's move keeps the approval. */
export async function publishSoon(p: Site, postId: string, seconds = 2): Promise<void> {
  const r = await client(p.h.url, p.world.tokens.supervisor)('POST', `/api/v1/posts/${postId}/reschedule`, { scheduledAt: inSeconds(seconds) });
  if (r.status !== 200 || r.body.status !== 'scheduled') throw new Error(`reschedule: ${r.status} ${JSON.stringify(r.body)}`);
}

export async function postOf(p: Site, id: string) {
  return (await client(p.h.url, p.world.tokens.supervisor)('GET', `/api/v1/posts/${id}`)).body;
}

export async function settled(p: Site, id: string, timeoutMs = 30_000) {
  return waitFor(`post ${id} to settle`, async () => {
    const post = await postOf(p, id);
    return ['published', 'failed', 'unconfirmed'].includes(post.status) ? post : undefined;
  }, timeoutMs);
}
