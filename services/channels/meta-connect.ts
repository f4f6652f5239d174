// "Connect with Facebook": an admin signs in on Meta's dialog once, and picks which of the Pages they manage
// (and the Instagram account linked to each) belongs to which of their units — a Polda's IT person often
// manages the Polres Pages too. The Page tokens Meta lists for a long-lived user token do not expire; they
// are sealed at once, and the user token itself is never kept.
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { classifyGraphError, graphClient } from '../publishing/platforms/meta/graph';
import { type Channel, type Db, insertChannel, replaceCredentials } from './channel.repository';
import { peekState, putState, takeState } from './oauth-states';
import { type ChannelDeps, assertPhotosReachable, connectFailed, releaseChannel, sameAccount } from './manage-channels';

/** What Siaran asks Meta for: list and post to Pages, read and publish to their Instagram accounts. */
export const META_SCOPES = ['pages_show_list', 'pages_manage_posts', 'pages_read_engagement', 'business_management', 'instagram_basic', 'instagram_content_publish'];

/** One Page as Meta listed it for the admin, with what may be connected of it. */
export const MetaPage = z.object({
  id: z.string().regex(/^\d{5,25}$/),
  name: z.string().min(1).max(200),
  token: z.string().min(20),
  instagram: z.object({ id: z.string().regex(/^\d{5,25}$/), username: z.string().min(1).max(100) }).nullable(),
});
export type MetaPage = z.infer<typeof MetaPage>;
/** What waits for the admin's pick: the Pages offered, and the names of those Siaran cannot post to. */
const PendingPages = z.object({ pages: z.array(MetaPage), skipped: z.array(z.string()) });
export type PendingPages = z.infer<typeof PendingPages> & { expiresAt: Date };

export function metaCallbackUrl(deps: Pick<ChannelDeps, 'baseUrl'>): string {
  return `${deps.baseUrl()}/admin/oauth/meta/callback`;
}

function requireApp(deps: ChannelDeps): { id: string; secret: string } {
  const app = deps.facebook.app;
  if (!app) {
    throw new AppError('conflict', 'channel.meta_not_configured', {
      id: 'Aplikasi Meta belum diatur (META_APP_ID dan META_APP_SECRET). Gunakan token Halaman, atau minta operator server mengaturnya.',
      en: 'No Meta app is configured (META_APP_ID and META_APP_SECRET). Use a Page token instead, or ask the server operator to set one up.',
    });
  }
  return app;
}

const badState = () =>
  new AppError('validation', 'channel.oauth_state', {
    id: 'Tautan persetujuan Facebook tidak dikenal, sudah dipakai, atau kedaluwarsa. Mulai lagi dari halaman admin.',
    en: 'The Facebook approval link is unknown, already used, or expired. Start again from the admin page.',
  });

/** The list of Pages is gone: used, expired, or another admin's. */
export const badPick = () =>
  new AppError('validation', 'channel.pages_expired', {
    id: 'Daftar Halaman sudah dipakai atau kedaluwarsa (berlaku 15 menit). Tekan "Sambungkan dengan Facebook" lagi untuk memilih.',
    en: 'The list of Pages was used already or expired (it lasts 15 minutes). Press "Connect with Facebook" again to pick.',
  });

/** Starts "Connect with Facebook": the dialog's address. The state works once, for this admin, for 15 minutes. */
export async function startMetaConnect(deps: ChannelDeps, input: { userId: string; unitId: string }): Promise<string> {
  const app = requireApp(deps);
  const redirectUri = metaCallbackUrl(deps);
  const state = await putState(deps, 'meta', { unitId: input.unitId, channelId: null, userId: input.userId, secret: '-', redirectUri });
  const url = new URL(`${deps.facebook.dialogUrl.replace(/\/+$/, '')}/${deps.facebook.version}/dialog/oauth`);
  // `rerequest`: Pages or permissions left out at an earlier sign-in are offered again.
  url.search = new URLSearchParams({ client_id: app.id, redirect_uri: redirectUri, state, response_type: 'code', scope: META_SCOPES.join(','), auth_type: 'rerequest' }).toString();
  return url.toString();
}

/**
 * Finishes the dialog: checks the state, trades the code for a long-lived user token, and lists the Pages
 * it manages. The list (with Page tokens) is kept sealed for 15 minutes under a new one-time id, for the
 * admin to pick from; nothing is connected yet.
 */
export async function finishMetaConnect(deps: ChannelDeps, input: { userId: string; state: string; code?: string | undefined; error?: string | undefined }): Promise<{ pickId: string; pages: MetaPage[]; skipped: string[] }> {
  const app = requireApp(deps);
  const row = await takeState(deps, 'meta', input.state, input.userId);
  if (!row) throw badState();
  if (input.error || !input.code) {
    throw new AppError('validation', 'channel.oauth_denied', { id: 'Akses ke Facebook tidak diberikan.', en: 'Access to Facebook was not granted.' });
  }
  const g = graphClient({ baseUrl: deps.facebook.graphUrl, version: deps.facebook.version, timeoutMs: deps.facebook.timeoutMs });
  const pages: MetaPage[] = [];
  const skipped: string[] = [];
  try {
    // POSTed, so that the app secret and the user's tokens stay out of any proxy's request log.
    const short = await g.post<{ access_token: string }>('oauth/access_token', '', { client_id: app.id, client_secret: app.secret, redirect_uri: row.redirectUri, code: input.code });
    const long = await g.post<{ access_token: string }>('oauth/access_token', '', { grant_type: 'fb_exchange_token', client_id: app.id, client_secret: app.secret, fb_exchange_token: short.access_token });
    type Listed = { data?: unknown[]; paging?: { next?: string; cursors?: { after?: string } } };
    // A Polda's IT person may manage many Pages: every page of the list is read (at most 1,000 Pages).
    let after: string | undefined;
    for (let round = 0; round < 10; round++) {
      const listed = await g.get<Listed>('me/accounts', long.access_token, { fields: 'id,name,access_token,tasks,instagram_business_account{id,username}', limit: 100, after });
      for (const raw of listed.data ?? []) {
        const p = raw as { id?: unknown; name?: unknown; access_token?: unknown; tasks?: unknown; instagram_business_account?: { id?: unknown; username?: unknown } };
        const ig = p.instagram_business_account;
        const page = MetaPage.safeParse({ id: p.id, name: p.name, token: p.access_token, instagram: ig?.id && ig.username ? { id: ig.id, username: ig.username } : null });
        // A Page on which the person may not create content (or that Meta lists without a token) would fail
        // at its first post: it is named, not offered.
        const mayPost = !Array.isArray(p.tasks) || p.tasks.includes('CREATE_CONTENT');
        if (page.success && mayPost) pages.push(page.data);
        else skipped.push(typeof p.name === 'string' ? p.name.slice(0, 200) : String(p.id));
      }
      after = listed.paging?.next ? listed.paging.cursors?.after : undefined;
      if (!after) break;
    }
  } catch (err) {
    throw connectFailed(classifyGraphError(err, new Date()), 'Facebook');
  }
  if (pages.length === 0) {
    throw new AppError('validation', 'channel.no_pages', {
      id: 'Akun Facebook ini tidak mengelola Halaman apa pun, atau izin Halaman tidak diberikan. Masuk dengan akun admin Halaman dan izinkan semua Halaman.',
      en: 'This Facebook account manages no Page, or access to its Pages was not granted. Sign in with a Page admin account and allow every Page.',
    });
  }
  const pickId = await putState(deps, 'meta_pages', { unitId: row.unitId, channelId: null, userId: input.userId, secret: JSON.stringify({ pages, skipped }), redirectUri: row.redirectUri });
  return { pickId, pages, skipped };
}

/** The Pages waiting to be picked, for showing them again (a refused pick); undefined when gone. */
export async function pendingPages(deps: ChannelDeps, userId: string, pickId: string): Promise<PendingPages | undefined> {
  const row = await peekState(deps, 'meta_pages', pickId, userId);
  return row ? { ...PendingPages.parse(JSON.parse(row.secret)), expiresAt: row.expiresAt } : undefined;
}

export interface PagePick {
  pageId: string;
  unitId: string;
  instagram: boolean;
}

export interface ConnectedPage {
  channel: Channel;
  /** A channel of that account the unit had already: its posts waiting for access were released. */
  reconnected: boolean;
  released: number;
}

/**
 * Connects what the admin picked: each Page to one of their units, with its Instagram account when asked.
 * A Page or account the unit has already gets the new token (a reconnect that releases its held posts).
 * Mistakes (nothing picked, Instagram impossible here) leave the list for another try; the list is then
 * taken out in the same transaction that connects, so a second submission connects nothing twice.
 */
export async function connectPickedPages(
  deps: ChannelDeps,
  input: { userId: string; pickId: string; picks: PagePick[] },
  mayUseUnit: (unitId: string) => Promise<boolean>,
  /** Written in the same transaction, for each channel connected (the admin log). */
  record: (db: Db, done: ConnectedPage) => Promise<void> = () => Promise.resolve(),
): Promise<ConnectedPage[]> {
  const pages = (await pendingPages(deps, input.userId, input.pickId))?.pages;
  if (!pages) throw badPick();
  const picks = input.picks.filter((p) => p.unitId !== '');
  if (picks.length === 0) {
    throw new AppError('validation', 'channel.nothing_picked', { id: 'Pilih satuan untuk minimal satu Halaman.', en: 'Pick a unit for at least one Page.' });
  }
  for (const pick of picks) {
    if (!pages.some((p) => p.id === pick.pageId)) throw badPick();
    if (!(await mayUseUnit(pick.unitId))) {
      throw new AppError('validation', 'channel.unit_out_of_reach', { id: 'Satuan yang dipilih di luar wewenang Anda.', en: 'A unit picked is outside your reach.' });
    }
  }
  if (picks.some((p) => p.instagram)) assertPhotosReachable(deps);
  const done = await deps.db.transaction().execute(async (trx) => {
    const tx = { ...deps, db: trx };
    if (!(await takeState(tx, 'meta_pages', input.pickId, input.userId))) throw badPick();
    const out: ConnectedPage[] = [];
    for (const pick of picks) {
      const page = pages.find((p) => p.id === pick.pageId)!;
      out.push(await connectOne(tx, pick.unitId, 'facebook', (s) => s.pageId === page.id, {
        kind: 'facebook',
        name: `Facebook ${page.name}`,
        settings: { pageId: page.id, pageName: page.name },
        credentials: { pageToken: page.token },
        accountName: page.name,
      }));
      if (pick.instagram && page.instagram) {
        const ig = page.instagram;
        out.push(await connectOne(tx, pick.unitId, 'instagram', (s) => s.igUserId === ig.id, {
          kind: 'instagram',
          name: `Instagram @${ig.username}`,
          settings: { igUserId: ig.id, username: ig.username, login: 'facebook', pageId: page.id },
          credentials: { login: 'facebook', token: page.token },
          accountName: `@${ig.username}`,
        }));
      }
    }
    for (const d of out) await record(trx, d);
    return out;
  });
  // Posts held for the channels that got new tokens go out once the tokens are stored.
  for (const d of done) if (d.reconnected) d.released = await releaseChannel(deps, d.channel.id, ['channel.needs_reconnect']);
  return done;
}

type NewOf<K extends 'facebook' | 'instagram'> = Parameters<typeof insertChannel<K>>[2] & { kind: K };

async function connectOne<K extends 'facebook' | 'instagram'>(deps: ChannelDeps, unitId: string, kind: K, same: Parameters<typeof sameAccount<K>>[3], c: Omit<NewOf<K>, 'unitId'>): Promise<ConnectedPage> {
  const existing = await sameAccount(deps, unitId, kind, same);
  if (existing) {
    const channel = await replaceCredentials(deps.db, deps.box, existing.id, { kind, settings: c.settings, credentials: c.credentials, accountName: c.accountName, tokenExpiresAt: null });
    return { channel, reconnected: true, released: 0 };
  }
  const channel = await insertChannel(deps.db, deps.box, { ...c, unitId });
  return { channel, reconnected: false, released: 0 };
}
