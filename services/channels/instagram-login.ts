// "Connect with Instagram" (Business Login for Instagram), for a unit's Instagram professional account that
// has no Facebook Page: Instagram's own dialog, the code traded for a one-hour token and that for a 60-day
// one, which Siaran then keeps refreshing (see the adapter's keepAlive).
import { AppError } from '../../shared/errors';
import type { ChannelCredentials } from '../../shared/channels/channel-schemas';
import { PlatformError } from '../publishing/platform';
import { classifyGraphError, graphClient } from '../publishing/platforms/meta/graph';
import { type Channel, getChannel, insertChannel, parseSettings, replaceCredentials } from './channel.repository';
import { putState, takeState } from './oauth-states';
import { type ChannelDeps, assertPhotosReachable, connectFailed, releaseChannel, sameAccount } from './manage-channels';

/** Read the account and publish to it; nothing more. */
export const INSTAGRAM_LOGIN_SCOPES = ['instagram_business_basic', 'instagram_business_content_publish'];

export function instagramCallbackUrl(deps: Pick<ChannelDeps, 'baseUrl'>): string {
  return `${deps.baseUrl()}/admin/oauth/instagram/callback`;
}

function requireApp(deps: ChannelDeps): { id: string; secret: string } {
  const app = deps.instagram.app;
  if (!app) {
    throw new AppError('conflict', 'channel.instagram_not_configured', {
      id: 'Login Instagram belum diatur (INSTAGRAM_APP_ID dan INSTAGRAM_APP_SECRET). Gunakan "Sambungkan dengan Facebook" atau token, atau minta operator server mengaturnya.',
      en: 'Instagram Login is not configured (INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET). Use "Connect with Facebook" or a token, or ask the server operator to set it up.',
    });
  }
  return app;
}

const badState = () =>
  new AppError('validation', 'channel.oauth_state', {
    id: 'Tautan persetujuan Instagram tidak dikenal, sudah dipakai, atau kedaluwarsa. Mulai lagi dari halaman admin.',
    en: 'The Instagram approval link is unknown, already used, or expired. Start again from the admin page.',
  });

/** Starts "Connect with Instagram" for a unit (or to renew a channel): the dialog's address. */
export async function startInstagramLogin(deps: ChannelDeps, input: { userId: string; unitId: string; channelId?: string | undefined }): Promise<string> {
  const app = requireApp(deps);
  assertPhotosReachable(deps);
  const redirectUri = instagramCallbackUrl(deps);
  const state = await putState(deps, 'instagram', { unitId: input.unitId, channelId: input.channelId ?? null, userId: input.userId, secret: '-', redirectUri });
  const url = new URL(`${deps.instagram.loginUrl.replace(/\/+$/, '')}/oauth/authorize`);
  url.search = new URLSearchParams({ client_id: app.id, redirect_uri: redirectUri, response_type: 'code', scope: INSTAGRAM_LOGIN_SCOPES.join(','), state }).toString();
  return url.toString();
}

/** Finishes it: checks the state, trades the code for a 60-day token, and connects (or renews) the channel. */
export async function finishInstagramLogin(
  deps: ChannelDeps,
  input: { userId: string; state: string; code?: string | undefined; error?: string | undefined },
  mayUseUnit: (unitId: string) => Promise<boolean>,
): Promise<{ channel: Channel; released: number }> {
  const app = requireApp(deps);
  const row = await takeState(deps, 'instagram', input.state, input.userId);
  if (!row || !(await mayUseUnit(row.unitId))) throw badState();
  if (input.error || !input.code) {
    throw new AppError('validation', 'channel.oauth_denied', { id: 'Akses ke akun Instagram tidak diberikan.', en: 'Access to the Instagram account was not granted.' });
  }
  const timeoutMs = deps.instagram.timeoutMs;
  let token: string;
  let expiresAt: Date;
  let me: { user_id?: string; id?: string; username?: string };
  try {
    // The code is posted to Instagram's own host; its answer has been both flat and wrapped in `data`.
    const codeAnswer = await graphClient({ baseUrl: deps.instagram.apiUrl, version: '', timeoutMs }).post<{ access_token?: string; data?: Array<{ access_token?: string }> }>('oauth/access_token', '', {
      client_id: app.id,
      client_secret: app.secret,
      grant_type: 'authorization_code',
      redirect_uri: row.redirectUri,
      code: input.code.replace(/#_$/, ''),
    });
    const short = codeAnswer.access_token ?? codeAnswer.data?.[0]?.access_token;
    if (!short) throw new PlatformError('rejected', 'Instagram answered without a token');
    const graph = graphClient({ baseUrl: deps.instagram.instagramGraphUrl, version: '', timeoutMs });
    const long = await graph.get<{ access_token?: string; expires_in?: number }>('access_token', '', { grant_type: 'ig_exchange_token', client_secret: app.secret, access_token: short });
    if (!long.access_token) throw new PlatformError('rejected', 'Instagram answered the long-lived token exchange without a token');
    token = long.access_token;
    expiresAt = new Date(deps.now().getTime() + (long.expires_in ?? 60 * 86_400) * 1000);
    me = await graphClient({ baseUrl: deps.instagram.instagramGraphUrl, version: deps.instagram.version, timeoutMs }).get('me', token, { fields: 'user_id,username' });
  } catch (err) {
    throw connectFailed(err instanceof PlatformError ? err : classifyGraphError(err, new Date()), 'Instagram');
  }
  const igUserId = me.user_id ?? me.id;
  if (!igUserId || !/^\d{5,25}$/.test(igUserId) || !me.username) {
    throw new AppError('validation', 'channel.connect_failed', { id: 'Instagram tidak memberi ID dan nama akun.', en: 'Instagram did not give the account id and name.' });
  }
  const settings = { igUserId, username: me.username, login: 'instagram' as const, pageId: null };
  const credentials: ChannelCredentials<'instagram'> = { login: 'instagram', token, expiresAt: expiresAt.toISOString(), refreshedAt: deps.now().toISOString() };
  const common = { kind: 'instagram' as const, settings, credentials, accountName: `@${me.username}`, tokenExpiresAt: expiresAt };
  // A renewal is for the same account; the same account already in the unit is renewed, not added twice.
  const existing = row.channelId ? await getChannel(deps.db, row.channelId) : await sameAccount(deps, row.unitId, 'instagram', (s) => s.igUserId === igUserId);
  if (existing) {
    if (existing.kind !== 'instagram' || existing.unit_id !== row.unitId) throw badState();
    const before = parseSettings('instagram', existing.settings);
    if (before.igUserId !== igUserId) {
      throw new AppError('validation', 'channel.other_account', {
        id: `Kanal ini untuk @${before.username}, tetapi yang disambungkan @${me.username}. Tambahkan @${me.username} sebagai kanal baru.`,
        en: `This channel is @${before.username}, but @${me.username} was connected. Add @${me.username} as a new channel instead.`,
      });
    }
    const channel = await replaceCredentials(deps.db, deps.box, existing.id, common);
    return { channel, released: await releaseChannel(deps, channel.id, ['channel.needs_reconnect']) };
  }
  const channel = await insertChannel(deps.db, deps.box, { unitId: row.unitId, name: `Instagram @${me.username}`, ...common });
  return { channel, released: 0 };
}
