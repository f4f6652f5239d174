// Connecting and looking after a unit's channels: add, reconnect, test, enable and disable. Whatever
// the platform says of the account is checked when the channel is added, not at a post's minute.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { type ChannelCredentials, type ChannelSettings, type ChannelState, FacebookInput, InstagramInput, TelegramInput, XOAuth1Input } from '../../shared/channels/channel-schemas';
import { AppError } from '../../shared/errors';
import type { Actor, ChannelKind } from '../../shared/post';
import { maySeeChannelAddress } from '../../shared/rules/permissions';
import type { PublishScheduler } from '../posts/deps';
import { credentialsHandle } from '../publishing/credentials';
import { hostOnly } from '../publishing/guarded-request';
import { type ChannelHandle, type ConnectionReport, PlatformError } from '../publishing/platform';
import { releaseHeld } from '../publishing/publish.repository';
import { type FacebookConfig, inspectPage } from '../publishing/platforms/facebook/facebook.adapter';
import { type InstagramConfig, inspectInstagram } from '../publishing/platforms/instagram/instagram.adapter';
import type { AdapterRegistry } from '../publishing/platforms/registry';
import { classify as classifyTelegram, inspectChannel } from '../publishing/platforms/telegram/telegram.adapter';
import type { TelegramConfig } from '../publishing/platforms/telegram/telegram.client';
import { type XAppConfig, XCallError, xClient, xOAuth2 } from '../publishing/platforms/x/x.client';
import { classify as classifyX } from '../publishing/platforms/x/x.adapter';
import type { DB } from '../storage/schema';
import { type Channel, badChannel, channelState, getChannel, insertChannel, parseCredentials, parseSettings, replaceCredentials } from './channel.repository';
import { putState, takeState } from './oauth-states';
import type { SecretBox } from './secret-box';

export interface ChannelDeps {
  db: Kysely<DB>;
  box: SecretBox;
  adapters: AdapterRegistry;
  x: XAppConfig;
  telegram: TelegramConfig;
  facebook: FacebookConfig;
  instagram: InstagramConfig;
  /** Why Meta cannot download our photo links (so Instagram cannot be connected); undefined when it can. */
  photosUnreachable: { id: string; en: string } | undefined;
  /** Re-queues held posts when their channel recovers. */
  scheduler: PublishScheduler;
  baseUrl: () => string;
  now: () => Date;
  log: Logger;
}

/** What the API, the admin page and the CLI show of a channel; never a secret. */
export interface ChannelView {
  id: string;
  unitId: string;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  state: ChannelState;
  /** The end of a rate limit, when `state` is `rate_limited`. */
  until: string | null;
  accountName: string | null;
  tokenExpiresAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  /** Posts of this channel waiting on it. */
  heldPosts: number;
  settings: Record<string, unknown>;
  /**
   * What the engagement job last read of the channel: its followers, and why its last reading failed (the
   * platform's words); null until it has run for this channel.
   */
  audience: { followers: number | null; readAt: string | null; lastError: string | null; lastErrorAt: string | null } | null;
}

/**
 * `reader`: who will see the views; a webhook's whole address is shown only to those who manage channels (the
 * caller has checked the units are in the reader's reach).
 */
export async function channelViews(db: Kysely<DB>, unitIds: readonly string[], now: Date, reader: Pick<Actor, 'role'>): Promise<ChannelView[]> {
  if (unitIds.length === 0) return [];
  const rows = await db.selectFrom('channels').selectAll().where('unit_id', 'in', [...unitIds]).orderBy('created_at').execute();
  const held = rows.length
    ? await db
        .selectFrom('post_targets')
        .select(['channel_id', (eb) => eb.fn.countAll<string>().as('n')])
        .where('channel_id', 'in', rows.map((r) => r.id))
        .where('status', '=', 'held')
        .groupBy('channel_id')
        .execute()
    : [];
  const heldBy = new Map(held.map((h) => [h.channel_id, Number(h.n)]));
  const audiences = rows.length ? await db.selectFrom('channel_audience').selectAll().where('channel_id', 'in', rows.map((r) => r.id)).execute() : [];
  const audienceOf = new Map(
    audiences.map((a) => [a.channel_id, { followers: a.followers, readAt: a.collected_at?.toISOString() ?? null, lastError: a.last_error, lastErrorAt: a.last_error_at?.toISOString() ?? null }]),
  );
  const whole = maySeeChannelAddress(reader);
  return rows.map((c) => ({ ...viewChannel(c, now, heldBy.get(c.id) ?? 0, whole), audience: audienceOf.get(c.id) ?? null }));
}

/** `wholeAddress`: whether the reader may see a webhook's whole URL, or only its host. */
export function viewChannel(c: Channel, now: Date, heldPosts: number, wholeAddress: boolean): ChannelView {
  const { state, until } = channelState(c, now);
  return {
    id: c.id,
    unitId: c.unit_id,
    kind: c.kind,
    name: c.name,
    enabled: c.enabled,
    state,
    until: until?.toISOString() ?? null,
    accountName: c.account_name,
    tokenExpiresAt: c.token_expires_at?.toISOString() ?? null,
    lastError: c.last_error,
    lastErrorAt: c.last_error_at?.toISOString() ?? null,
    heldPosts,
    settings: publicSettings(c, wholeAddress),
    audience: null,
  };
}

/**
 * Settings that are safe to show: no secret lives in settings, but only what helps a person is shown. A webhook
 * URL may carry a token of the receiver in its path or query, so the readers who do not manage channels see
 * where it goes ("hooks.example.org/…") and no more.
 */
function publicSettings(c: Channel, wholeAddress: boolean): Record<string, unknown> {
  const s = c.settings;
  switch (c.kind) {
    case 'webhook':
      if (typeof s.url !== 'string') return {};
      return wholeAddress ? { url: s.url, address: hostOnly(s.url) } : { address: hostOnly(s.url) };
    case 'x':
      return { username: s.username, auth: s.auth };
    case 'telegram':
      return { chatId: s.chatId, chatUsername: s.chatUsername, title: s.title };
    case 'facebook':
      return { pageId: s.pageId, pageName: s.pageName };
    case 'instagram':
      return { igUserId: s.igUserId, username: s.username, login: s.login };
    case 'news_page':
      return {};
  }
}

function invalid(err: { issues: Array<{ path: PropertyKey[]; message: string }> }): AppError {
  const text = err.issues.map((i) => `${i.path.map(String).join('.') || 'input'}: ${i.message}`).join('; ');
  return new AppError('validation', 'channel.invalid', { id: `Data kanal tidak valid — ${text}.`, en: `Invalid channel data — ${text}.` });
}

/** A platform's refusal while connecting, in words the admin can act on. */
export function connectFailed(err: unknown, platform: string): AppError {
  const reason = err instanceof PlatformError ? err.message : err instanceof Error ? err.message : String(err);
  const kind = err instanceof PlatformError && err.kind === 'transient' ? 'unavailable' : 'validation';
  return new AppError(kind, 'channel.connect_failed', {
    id: `${platform} menolak atau tidak dapat dihubungi: ${reason}`,
    en: `${platform} refused or could not be reached: ${reason}`,
  });
}

// —— Telegram

export async function addTelegramChannel(deps: ChannelDeps, input: { unitId: string; botToken: string; chat: string; name?: string | undefined }): Promise<Channel> {
  const parsed = TelegramInput.safeParse({ botToken: input.botToken, chat: input.chat });
  if (!parsed.success) throw invalid(parsed.error);
  const settings = await inspectTelegram(deps, parsed.data.botToken, parsed.data.chat);
  await assertNotConnected(deps, input.unitId, 'telegram', (s) => s.chatId === settings.chatId, settings.title);
  return insertChannel(deps.db, deps.box, {
    unitId: input.unitId,
    kind: 'telegram',
    name: input.name?.trim() || `Telegram ${settings.chatUsername ? `@${settings.chatUsername}` : settings.title}`,
    settings,
    credentials: { botToken: parsed.data.botToken },
    accountName: settings.title,
  });
}

async function inspectTelegram(deps: ChannelDeps, botToken: string, chat: string) {
  try {
    return await inspectChannel(deps.telegram, botToken, chat);
  } catch (err) {
    throw connectFailed(classifyTelegram(err, 'read'), 'Telegram');
  }
}

// —— Facebook Page

export async function addFacebookChannel(deps: ChannelDeps, input: { unitId: string; pageId: string; pageToken: string; name?: string | undefined }): Promise<Channel> {
  const parsed = FacebookInput.safeParse({ pageId: input.pageId, pageToken: input.pageToken });
  if (!parsed.success) throw invalid(parsed.error);
  const settings = await inspectFacebook(deps, parsed.data.pageId, parsed.data.pageToken);
  await assertNotConnected(deps, input.unitId, 'facebook', (s) => s.pageId === settings.pageId, settings.pageName);
  return insertChannel(deps.db, deps.box, {
    unitId: input.unitId,
    kind: 'facebook',
    name: input.name?.trim() || `Facebook ${settings.pageName}`,
    settings,
    credentials: { pageToken: parsed.data.pageToken },
    accountName: settings.pageName,
  });
}

async function inspectFacebook(deps: ChannelDeps, pageId: string, pageToken: string) {
  try {
    return await inspectPage(deps.facebook, pageId, pageToken);
  } catch (err) {
    throw connectFailed(err, 'Facebook');
  }
}

// —— Instagram

/** Adds an Instagram account from a token: its linked Page's token (EAA…) or an Instagram Login token (IG…). */
export async function addInstagramChannel(deps: ChannelDeps, input: { unitId: string; igUserId: string; token: string; pageId?: string | undefined; name?: string | undefined }): Promise<Channel> {
  const parsed = InstagramInput.safeParse({ igUserId: input.igUserId, token: input.token });
  if (!parsed.success) throw invalid(parsed.error);
  assertPhotosReachable(deps);
  const { settings, credentials } = await instagramAccess(deps, parsed.data.igUserId, parsed.data.token, input.pageId ?? null);
  await assertNotConnected(deps, input.unitId, 'instagram', (s) => s.igUserId === settings.igUserId, `@${settings.username}`);
  return insertChannel(deps.db, deps.box, {
    unitId: input.unitId,
    kind: 'instagram',
    name: input.name?.trim() || `Instagram @${settings.username}`,
    settings,
    credentials,
    accountName: `@${settings.username}`,
    tokenExpiresAt: credentials.login === 'instagram' ? new Date(credentials.expiresAt) : null,
  });
}

/** Instagram downloads each photo from our link: an address it cannot reach would fail every post. */
export function assertPhotosReachable(deps: Pick<ChannelDeps, 'photosUnreachable'>): void {
  const why = deps.photosUnreachable;
  if (why) {
    throw new AppError('validation', 'channel.photos_not_public', {
      id: `Instagram mengambil foto sendiri dari server Siaran, tetapi ${why.id}`,
      en: `Instagram downloads the photos itself from Siaran's server, but ${why.en}`,
    });
  }
}

/** The account a token publishes to, checked with Meta, and the credentials to keep. */
async function instagramAccess(deps: ChannelDeps, igUserId: string, token: string, pageId: string | null): Promise<{ settings: ChannelSettings<'instagram'>; credentials: ChannelCredentials<'instagram'> }> {
  let account;
  try {
    account = await inspectInstagram(deps.instagram, igUserId, token);
  } catch (err) {
    throw connectFailed(err, 'Instagram');
  }
  const now = deps.now();
  const settings = { igUserId: account.igUserId, username: account.username, login: account.login, pageId: account.login === 'facebook' ? pageId : null };
  // A pasted Instagram Login token's age is unknown: it counts as fresh (60 days), and is refreshed after a day.
  const credentials: ChannelCredentials<'instagram'> =
    account.login === 'instagram'
      ? { login: 'instagram', token, expiresAt: new Date(now.getTime() + 60 * 86_400_000).toISOString(), refreshedAt: now.toISOString() }
      : { login: 'facebook', token };
  return { settings, credentials };
}

// —— X

export async function addXChannelWithTokens(deps: ChannelDeps, input: { unitId: string; accessToken: string; accessSecret: string; name?: string | undefined }): Promise<Channel> {
  const parsed = XOAuth1Input.safeParse({ accessToken: input.accessToken, accessSecret: input.accessSecret });
  if (!parsed.success) throw invalid(parsed.error);
  requireXApp(deps.x, 'oauth1');
  const credentials = { type: 'oauth1' as const, ...parsed.data };
  const me = await xMe(deps, credentials);
  await assertNotConnected(deps, input.unitId, 'x', (s) => s.userId === me.id, `@${me.username}`);
  return insertChannel(deps.db, deps.box, {
    unitId: input.unitId,
    kind: 'x',
    name: input.name?.trim() || `X @${me.username}`,
    settings: { userId: me.id, username: me.username, auth: 'oauth1' },
    credentials,
    accountName: `@${me.username}`,
  });
}

function requireXApp(x: XAppConfig, auth: 'oauth1' | 'oauth2'): void {
  const ok = auth === 'oauth1' ? x.consumerKey && x.consumerSecret : x.clientId;
  if (!ok) {
    const keys = auth === 'oauth1' ? 'X_CONSUMER_KEY and X_CONSUMER_SECRET' : 'X_CLIENT_ID (and X_CLIENT_SECRET)';
    throw new AppError('conflict', 'channel.x_app_missing', {
      id: `Aplikasi X belum dikonfigurasi: setel ${keys} di server.`,
      en: `The X app is not configured: set ${keys} on the server.`,
    });
  }
}

async function xMe(deps: ChannelDeps, credentials: ChannelCredentials<'x'>) {
  try {
    return await xClient(deps.x, credentials.type === 'oauth1' ? credentials : { type: 'oauth2', accessToken: credentials.accessToken }).me();
  } catch (err) {
    throw connectFailed(err instanceof XCallError ? classifyX(err, 'read') : err, 'X');
  }
}

export const X_SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'media.write', 'offline.access'];

export function xCallbackUrl(deps: Pick<ChannelDeps, 'baseUrl'>): string {
  return `${deps.baseUrl()}/admin/oauth/x/callback`;
}

/** Starts "connect X": the address to send the admin to. The state works once, for this admin, for 15 minutes. */
export async function startXConnect(deps: ChannelDeps, input: { userId: string; unitId: string; channelId?: string | undefined }): Promise<string> {
  requireXApp(deps.x, 'oauth2');
  const redirectUri = xCallbackUrl(deps);
  const link = xOAuth2(deps.x).authLink(redirectUri, X_SCOPES);
  await putState(deps, 'x', { state: link.state, unitId: input.unitId, channelId: input.channelId ?? null, userId: input.userId, secret: link.codeVerifier, redirectUri });
  return link.url;
}

const badState = () =>
  new AppError('validation', 'channel.oauth_state', {
    id: 'Tautan persetujuan X tidak dikenal, sudah dipakai, atau kedaluwarsa. Mulai lagi dari halaman admin.',
    en: 'The X approval link is unknown, already used, or expired. Start again from the admin page.',
  });

/** Finishes "connect X" when X sends the admin back: checks the state, trades the code for tokens, stores them. */
export async function finishXConnect(
  deps: ChannelDeps,
  input: { userId: string; state: string; code?: string | undefined; error?: string | undefined },
  mayUseUnit: (unitId: string) => Promise<boolean>,
): Promise<{ channel: Channel; released: number }> {
  // The state works once: it is taken out before anything else happens.
  const row = await takeState(deps, 'x', input.state, input.userId);
  if (!row || !(await mayUseUnit(row.unitId))) throw badState();
  if (input.error || !input.code) {
    throw new AppError('validation', 'channel.oauth_denied', { id: 'Akses ke akun X tidak diberikan.', en: 'Access to the X account was not granted.' });
  }
  let tokens;
  try {
    tokens = await xOAuth2(deps.x).exchange(input.code, row.secret, row.redirectUri);
  } catch (err) {
    throw connectFailed(classifyX(err, 'renew'), 'X');
  }
  const missing = X_SCOPES.filter((scope) => !tokens.scope.includes(scope));
  if (!tokens.refreshToken || missing.length > 0) {
    throw new AppError('validation', 'channel.oauth_scope', {
      id: `X tidak memberi semua izin yang diperlukan (${missing.join(', ') || 'offline.access'}). Hubungkan lagi dan setujui semua izin.`,
      en: `X did not grant every permission needed (${missing.join(', ') || 'offline.access'}). Connect again and grant them all.`,
    });
  }
  const credentials: ChannelCredentials<'x'> = {
    type: 'oauth2',
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: tokens.expiresAt.toISOString(),
    scope: tokens.scope,
  };
  const me = await xMe(deps, credentials);
  const settings = { userId: me.id, username: me.username, auth: 'oauth2' as const };
  const common = { kind: 'x' as const, settings, credentials, accountName: `@${me.username}`, tokenExpiresAt: tokens.expiresAt };
  if (row.channelId) {
    const existing = await getChannel(deps.db, row.channelId);
    if (!existing || existing.kind !== 'x' || existing.unit_id !== row.unitId) throw badState();
    assertSameXAccount(existing, me);
    const channel = await replaceCredentials(deps.db, deps.box, existing.id, common);
    return { channel, released: await releaseChannel(deps, channel.id, ['channel.needs_reconnect']) };
  }
  // The account is connected to this unit already: this is its reconnect.
  const same = await sameAccount(deps, row.unitId, 'x', (s) => s.userId === me.id);
  if (same) {
    const channel = await replaceCredentials(deps.db, deps.box, same.id, common);
    return { channel, released: await releaseChannel(deps, channel.id, ['channel.needs_reconnect']) };
  }
  const channel = await insertChannel(deps.db, deps.box, { unitId: row.unitId, name: `X @${me.username}`, ...common });
  return { channel, released: 0 };
}

/**
 * A reconnect renews access to the same account: posts held for it were approved for that account, and a
 * thread half-way must go on in it. Another account is a new channel.
 */
function assertSameXAccount(channel: Channel, me: { id: string; username: string }): void {
  const settings = parseSettings('x', channel.settings);
  if (settings.userId !== me.id) {
    throw new AppError('validation', 'channel.other_account', {
      id: `Kanal ini untuk @${settings.username}, tetapi yang disambungkan @${me.username}. Tambahkan @${me.username} sebagai kanal baru.`,
      en: `This channel is @${settings.username}, but @${me.username} was connected. Add @${me.username} as a new channel instead.`,
    });
  }
}

/** The unit's channel of that kind for the same account, if there is one. */
export async function sameAccount<K extends Exclude<ChannelKind, 'news_page' | 'webhook'>>(deps: ChannelDeps, unitId: string, kind: K, same: (s: ChannelSettings<K>) => boolean): Promise<Channel | undefined> {
  const rows = await deps.db.selectFrom('channels').selectAll().where('unit_id', '=', unitId).where('kind', '=', kind).execute();
  return rows.find((r) => same(parseSettings(kind, r.settings)));
}

/** One account is one channel per unit: a second would publish every post twice. */
async function assertNotConnected<K extends Exclude<ChannelKind, 'news_page' | 'webhook'>>(deps: ChannelDeps, unitId: string, kind: K, same: (s: ChannelSettings<K>) => boolean, account: string): Promise<void> {
  const existing = await sameAccount(deps, unitId, kind, same);
  if (existing) {
    throw new AppError('conflict', 'channel.exists', {
      id: `${account} sudah tersambung untuk satuan ini sebagai kanal "${existing.name}". Gunakan "Sambungkan ulang" pada kanal itu bila aksesnya bermasalah.`,
      en: `${account} is already connected to this unit as the channel "${existing.name}". Use "Reconnect" on it if its access fails.`,
    });
  }
}

// —— Any kind

/** New credentials for an existing channel (typed by an admin); releases what waited on it. */
export async function reconnectChannel(deps: ChannelDeps, channel: Channel, fields: Record<string, string | undefined>): Promise<{ channel: Channel; released: number }> {
  let updated: Channel;
  switch (channel.kind) {
    case 'telegram': {
      const parsed = TelegramInput.safeParse({ botToken: fields.botToken ?? '', chat: fields.chat || parseSettings('telegram', channel.settings).chatId });
      if (!parsed.success) throw invalid(parsed.error);
      const settings = await inspectTelegram(deps, parsed.data.botToken, parsed.data.chat);
      const before = parseSettings('telegram', channel.settings);
      if (settings.chatId !== before.chatId) {
        throw new AppError('validation', 'channel.other_account', {
          id: `Kanal ini untuk ${before.title}; tambahkan ${settings.title} sebagai kanal baru.`,
          en: `This channel is ${before.title}; add ${settings.title} as a new channel instead.`,
        });
      }
      updated = await replaceCredentials(deps.db, deps.box, channel.id, {
        kind: 'telegram',
        settings,
        credentials: { botToken: parsed.data.botToken },
        accountName: settings.title,
      });
      break;
    }
    case 'x': {
      const parsed = XOAuth1Input.safeParse({ accessToken: fields.accessToken ?? '', accessSecret: fields.accessSecret ?? '' });
      if (!parsed.success) throw invalid(parsed.error);
      requireXApp(deps.x, 'oauth1');
      const credentials = { type: 'oauth1' as const, ...parsed.data };
      const me = await xMe(deps, credentials);
      assertSameXAccount(channel, me);
      updated = await replaceCredentials(deps.db, deps.box, channel.id, {
        kind: 'x',
        settings: { userId: me.id, username: me.username, auth: 'oauth1' },
        credentials,
        accountName: `@${me.username}`,
      });
      break;
    }
    case 'facebook': {
      const before = parseSettings('facebook', channel.settings);
      const parsed = FacebookInput.safeParse({ pageId: before.pageId, pageToken: fields.pageToken ?? '' });
      if (!parsed.success) throw invalid(parsed.error);
      // The token must post as this channel's Page: asking with the Page id checks exactly that.
      const settings = await inspectFacebook(deps, before.pageId, parsed.data.pageToken);
      updated = await replaceCredentials(deps.db, deps.box, channel.id, {
        kind: 'facebook',
        settings,
        credentials: { pageToken: parsed.data.pageToken },
        accountName: settings.pageName,
      });
      break;
    }
    case 'instagram': {
      const before = parseSettings('instagram', channel.settings);
      const parsed = InstagramInput.safeParse({ igUserId: before.igUserId, token: fields.token ?? '' });
      if (!parsed.success) throw invalid(parsed.error);
      const { settings, credentials } = await instagramAccess(deps, before.igUserId, parsed.data.token, before.pageId);
      updated = await replaceCredentials(deps.db, deps.box, channel.id, {
        kind: 'instagram',
        settings,
        credentials,
        accountName: `@${settings.username}`,
        tokenExpiresAt: credentials.login === 'instagram' ? new Date(credentials.expiresAt) : null,
      });
      break;
    }
    case 'webhook': {
      const secret = fields.secret ?? '';
      if (secret.length < 16) throw badChannel('The webhook secret must have at least 16 characters. Type a longer one (the receiver must use the same)', 'Rahasia webhook minimal 16 karakter. Ketik rahasia yang lebih panjang (penerima harus memakai yang sama)');
      updated = await replaceCredentials(deps.db, deps.box, channel.id, {
        kind: 'webhook',
        settings: parseSettings('webhook', channel.settings),
        credentials: { secret },
        accountName: channel.account_name,
      });
      break;
    }
    case 'news_page':
      throw new AppError('conflict', 'channel.nothing_to_connect', { id: 'Halaman berita tidak perlu disambungkan.', en: 'The news page needs no connection.' });
  }
  return { channel: updated, released: await releaseChannel(deps, updated.id, ['channel.needs_reconnect']) };
}

export async function setChannelEnabled(deps: ChannelDeps, channel: Channel, enabled: boolean): Promise<number> {
  await deps.db.updateTable('channels').set({ enabled }).where('id', '=', channel.id).execute();
  return enabled ? releaseChannel(deps, channel.id, ['channel.disabled']) : 0;
}

/** "Test connection": asks the platform; a channel that answers well again is connected again. */
export async function testChannel(deps: ChannelDeps, channel: Channel, timeoutMs: number): Promise<ConnectionReport & { released: number }> {
  const kind = channel.kind;
  let report: ConnectionReport;
  try {
    const handle = {
      id: channel.id,
      kind,
      name: channel.name,
      settings: parseSettings(kind, channel.settings),
      credentials: credentialsHandle(
        { db: deps.db, box: deps.box, channelId: channel.id, parse: (p) => parseCredentials(kind, p), leaseMs: timeoutMs + 10_000, now: deps.now },
        { credentials: parseCredentials(kind, channel.secret_ciphertext ? deps.box.open(channel.secret_ciphertext) : null), version: channel.credentials_version },
      ),
    } as ChannelHandle<typeof kind>;
    report = await (deps.adapters[kind] as { test(c: ChannelHandle<typeof kind>, t: number): Promise<ConnectionReport> }).test(handle, timeoutMs);
  } catch (err) {
    report = { ok: false, detail: { id: 'Data sambungan kanal tidak terbaca; sambungkan ulang.', en: `The channel's connection data cannot be read; reconnect it (${err instanceof Error ? err.name : 'error'}).` } };
  }
  let released = 0;
  if (report.ok) {
    await deps.db
      .updateTable('channels')
      .set({ health: 'connected', last_error: null, last_error_at: null, ...(report.accountName ? { account_name: report.accountName } : {}) })
      .where('id', '=', channel.id)
      .execute();
    if (channel.health === 'needs_reconnect') released = await releaseChannel(deps, channel.id, ['channel.needs_reconnect']);
  } else {
    await deps.db.updateTable('channels').set({ last_error: report.detail.en, last_error_at: deps.now() }).where('id', '=', channel.id).execute();
  }
  return { ...report, released };
}

/** Posts that waited on the channel go out now, oldest first. */
export async function releaseChannel(deps: ChannelDeps, channelId: string, reasons: string[]): Promise<number> {
  const now = deps.now();
  const slots = await releaseHeld(deps.db, channelId, reasons, now);
  if (slots.length === 0) return 0;
  try {
    // Due now, in the order they were meant to go out.
    await deps.scheduler.schedule(slots.map((s, i) => ({ ...s, at: new Date(now.getTime() + i) })));
  } catch (err) {
    deps.log.warn({ err, channelId }, 'could not queue released posts now; the reconciler will');
  }
  deps.log.info({ channelId, released: slots.length }, 'held posts released');
  return slots.length;
}
