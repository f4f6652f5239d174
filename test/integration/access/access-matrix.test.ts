// Every route the server answers (read from the app itself), against every role in every relation to the unit a
// thing belongs to — its own unit, the unit above, a unit below, a sibling under the same Polda, and an unrelated
// Polda — and against no one signed in, from one table. A route the table does not name fails the test, so a new
// route cannot arrive without saying who may use it.
//
// "Refused" is 401, 403, 404, or a redirect to the sign-in page; "let through" is anything else below 500 (a 409
// or a 422 means the request reached the action's own checks). A 5xx fails whatever the expectation. Lists and
// pages that show many things (the posts list, home, the inbox, the calendar, the admin page) are also read: the
// pivot post's title, or the pivot unit's name, shows exactly to those who may see it.
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { DateTime } from 'luxon';
import { decodeKey } from '../../../config/env';
import { type Harness, TEST_SECRETS_KEY, addWebhook, client, inSeconds, startHarness, waitFor } from '../../support/harness';
import { testDbKind } from '../../support/test-db';
import { insertChannel } from '../../../services/channels/channel.repository';
import { secretBox } from '../../../services/channels/secret-box';
import { signInWith } from '../../support/web-session';
import { channelsOfUnit } from '../../../services/channels/channel.repository';
import { addUnit } from '../../../services/units/unit.repository';
import { createToken } from '../../../services/users/token.repository';
import { addUser } from '../../../services/users/user.repository';
import { setPassword } from '../../../services/web/password-hash';

// The agenda's day is the unit's own (Asia/Jakarta), not UTC's: from 17:00 UTC they differ.
function dayInUnitZone(iso: string): string {
  return DateTime.fromISO(iso).setZone('Asia/Jakarta').toISODate() ?? iso.slice(0, 10);
}

type Role = 'operator' | 'supervisor' | 'admin';
type Rel = 'own' | 'parent' | 'child' | 'sibling' | 'unrelated';
const ROLES: Role[] = ['operator', 'supervisor', 'admin'];
const RELS: Rel[] = ['own', 'parent', 'child', 'sibling', 'unrelated'];
interface Who {
  role: Role;
  rel: Rel;
}
/** Who may: `undefined` is no one signed in. */
type Rule = (who: Who | undefined) => boolean;

const anyone: Rule = () => true;
const signedIn: Rule = (w) => w !== undefined;
const withRole = (...roles: Role[]): Rule => (w) => w !== undefined && roles.includes(w.role);
const above = (w: Who) => w.rel === 'own' || w.rel === 'parent';
/** Sees the unit's posts: its operators; supervisors and admins of it or above (DOMAIN.md: a supervisor's reach). */
const sees: Rule = (w) => w !== undefined && (w.role === 'operator' ? w.rel === 'own' : above(w));
/** Writes and changes the unit's posts: its operators, its supervisors and those above; admins do not write. */
const authors: Rule = (w) => w !== undefined && (w.role === 'operator' ? w.rel === 'own' : w.role === 'supervisor' && above(w));
/** Approves, rejects, retracts, resolves targets: a supervisor of the unit or above. */
const approves: Rule = (w) => w !== undefined && w.role === 'supervisor' && above(w);
/** Manages the unit (people, channels, settings): an admin of the unit or above. */
const administers: Rule = (w) => w !== undefined && w.role === 'admin' && above(w);
/**
 * The installation's things (the queues, the national two-factor rule): an admin of a top unit — the pivot's Polda
 * or the unrelated one. The queue page then shows each only the jobs of their own units (its own test).
 */
const topAdmin: Rule = (w) => w !== undefined && w.role === 'admin' && (w.rel === 'parent' || w.rel === 'unrelated');
/** A thing of one person (their notification): that person only. */
const recipient: Rule = (w) => w !== undefined && w.role === 'operator' && w.rel === 'own';
const noOne: Rule = () => false;

interface Fixture {
  h: Harness;
  unit: Record<'polda' | 'polres' | 'polsek' | 'sibling' | 'otherPolda', { id: string; slug: string; name: string }>;
  /** The pivot unit's channels: its news page, and a webhook. */
  newsPage: string;
  webhook: string;
  x: string;
  instagram: string;
  /** A published post of the pivot unit, on its news page. */
  published: { id: string; title: string; version: number; targetId: string };
  /** A stylesheet or script the pages link. */
  asset: string;
  /** Posts of the pivot unit (the Polres) in each state, made by its author. */
  post(state: 'draft' | 'pending' | 'scheduled' | 'published'): Promise<{ id: string; title: string; version: number; targetId: string }>;
  photo(): Promise<string>;
  user(role: Role): Promise<string>;
  /** A new API token of operator@own's, by id. */
  token(): Promise<string>;
  notification(): Promise<string>;
  /** A large posting plan's import by operator@own, as the job leaves it running. */
  planImport(): Promise<string>;
  /** The title every list check looks for: a scheduled post of the pivot unit. */
  listed: { id: string; title: string };
}

interface Call {
  method: string;
  path: string;
  /** A JSON body (API) or form fields (web). */
  body?: Record<string, unknown>;
  /** Sent as is, with this content type. */
  raw?: { type: string; data: Buffer };
  /** Text that shows exactly to those `to` names (among those let through). */
  shows?: { text: string; to: Rule };
}

interface Row {
  /** Who is let through. */
  who: Rule;
  /** The web app (cookie and CSRF token) or the API (bearer token); public pages are the web's. */
  via: 'api' | 'web';
  /** A fresh request for one actor; things it changes are made anew for each actor when `fresh`. */
  call: (f: Fixture) => Call | Promise<Call>;
  fresh?: boolean;
  /**
   * Where the status alone cannot tell (an action that answers every caller alike): whether the request did
   * its work, read after it. Decides "let through" in place of the status.
   */
  effect?: (f: Fixture, call: Call, actor: { cookie: string } | undefined) => Promise<boolean>;
  /** A second table cell when the rule needs more than one row (e.g. a draft's and a published post's permalink). */
  also?: Array<Omit<Row, 'also'>>;
}

const get = (path: string, shows?: { text: string; to: Rule }): Call => ({ method: 'GET', path, ...(shows ? { shows } : {}) });
const post = (path: string, body: Record<string, unknown> = {}): Call => ({ method: 'POST', path, body });

const TABLE: Record<string, Row> = {
  // Operations and the public site.
  'GET /healthz': { who: anyone, via: 'web', call: () => get('/healthz') },
  'GET /readyz': { who: anyone, via: 'web', call: () => get('/readyz') },
  // Only with METRICS_TOKEN, which none of these actors holds.
  'GET /metrics': { who: noOne, via: 'web', call: () => get('/metrics') },
  'GET /icon.svg': { who: anyone, via: 'web', call: () => get('/icon.svg') },
  'GET /favicon.ico': { who: anyone, via: 'web', call: () => get('/favicon.ico') },
  'GET /manifest.webmanifest': { who: anyone, via: 'web', call: () => get('/manifest.webmanifest') },
  'GET /u/:slug': { who: anyone, via: 'web', call: (f) => get(`/u/${f.unit.polres.slug}`) },
  'GET /u/:slug/p/:postId': {
    who: anyone,
    via: 'web',
    call: (f) => get(`/u/${f.unit.polres.slug}/p/${f.published.id}`),
    // Not yet published: no one, signed in or not, reads it on the public site.
    also: [{ who: noOne, via: 'web', call: async (f) => get(`/u/${f.unit.polres.slug}/p/${(await f.post('scheduled')).id}`) }],
  },
  // The amplification kit of a published post: for anyone (personnel need no account); of a post not out, for no one.
  'GET /u/:slug/p/:postId/bagikan': {
    who: anyone,
    via: 'web',
    call: (f) => get(`/u/${f.unit.polres.slug}/p/${f.published.id}/bagikan`),
    also: [{ who: noOne, via: 'web', call: async (f) => get(`/u/${f.unit.polres.slug}/p/${(await f.post('scheduled')).id}/bagikan`) }],
  },
  'GET /u/:slug/p/:postId/bagikan/wa': { who: anyone, via: 'web', call: (f) => get(`/u/${f.unit.polres.slug}/p/${f.published.id}/bagikan/wa`) },
  'POST /u/:slug/p/:postId/bagikan/salin': { who: anyone, via: 'web', call: (f) => post(`/u/${f.unit.polres.slug}/p/${f.published.id}/bagikan/salin`) },
  // The fixture's published post has no photo: nobody is sent to one.
  'GET /u/:slug/p/:postId/bagikan/foto': { who: noOne, via: 'web', call: (f) => get(`/u/${f.unit.polres.slug}/p/${f.published.id}/bagikan/foto`) },
  'GET /u/:slug/logo.png': { who: anyone, via: 'web', call: (f) => get(`/u/${f.unit.polres.slug}/logo.png`) },
  'GET /u/:slug/feed.xml': { who: anyone, via: 'web', call: (f) => get(`/u/${f.unit.polres.slug}/feed.xml`) },
  'GET /assets/:file': { who: anyone, via: 'web', call: (f) => get(f.asset) },
  'GET /media/:name': { who: noOne, via: 'web', call: () => get('/media/unsigned-name.jpg') },
  'GET /api/v1/openapi.json': { who: anyone, via: 'api', call: () => get('/api/v1/openapi.json') },
  // Signing in, first run.
  'GET /login': { who: anyone, via: 'web', call: () => get('/login') },
  // Without the sign-in page's own CSRF cookie a sign-in is refused, whoever sends it.
  'POST /login': { who: noOne, via: 'web', call: () => post('/login', { email: 'nobody@test.siaran', password: 'salah-salah-salah' }) },
  // No sign-in is waiting for a code: back to the sign-in page.
  'GET /login/totp': { who: noOne, via: 'web', call: () => get('/login/totp') },
  'POST /login/totp': { who: noOne, via: 'web', call: () => post('/login/totp', { code: '000000' }) },
  // The installation has accounts: the first-run page is gone for everyone.
  'GET /setup': { who: noOne, via: 'web', call: () => get('/setup') },
  'POST /setup': { who: noOne, via: 'web', call: () => post('/setup', { key: 'x', email: 'a@b.id', name: 'A', password: 'kata-sandi-panjang-sekali' }) },
  'GET /lang': { who: anyone, via: 'web', call: () => get('/lang?to=en') },
  // One's own account.
  'GET /api/v1/me': { who: signedIn, via: 'api', call: () => get('/api/v1/me') },
  'GET /account': { who: signedIn, via: 'web', call: () => get('/account') },
  'GET /account/totp': { who: signedIn, via: 'web', call: () => get('/account/totp') },
  // With the holder's password (a wrong one is refused 403 by the holder's proof, its own test); the code is wrong.
  'POST /account/totp': { who: signedIn, via: 'web', call: () => post('/account/totp', { currentPassword: PASSWORD, secret: 'A'.repeat(32), code: '000000' }) },
  'GET /account/password': { who: signedIn, via: 'web', call: () => get('/account/password') },
  'POST /account/password': { who: signedIn, via: 'web', call: () => post('/account/password', { current: 'salah', password: 'x', confirm: 'y' }) },
  'POST /account/tokens/:id/revoke': {
    who: recipient,
    via: 'web',
    call: async (f) => post(`/account/tokens/${await f.token()}/revoke`),
    fresh: true,
    // Every holder gets the same answer; only the token's own holder's request revokes it.
    effect: async (f, call) => {
      const id = call.path.split('/')[3]!;
      const row = await f.h.siaran.database.db.selectFrom('api_tokens').select('revoked_at').where('id', '=', id).executeTakeFirstOrThrow();
      return row.revoked_at !== null;
    },
  },
  'POST /account/notifications': { who: signedIn, via: 'web', call: () => post('/account/notifications', { email: 'true' }) },
  'GET /notifications': { who: signedIn, via: 'web', call: () => get('/notifications') },
  'POST /notifications/read-all': { who: signedIn, via: 'web', call: () => post('/notifications/read-all') },
  'POST /notifications/:id/read': {
    who: recipient,
    via: 'web',
    call: async (f) => post(`/notifications/${await f.notification()}/read`),
    fresh: true,
    // Everyone is sent back to the list alike; only the recipient's notification may turn read.
    effect: async (f, call) => {
      const id = call.path.split('/')[2]!;
      const row = await f.h.siaran.database.db.selectFrom('notifications').select('read_at').where('id', '=', id).executeTakeFirstOrThrow();
      return row.read_at !== null;
    },
  },
  // Units and channels.
  'GET /api/v1/units': { who: signedIn, via: 'api', call: (f) => get('/api/v1/units', { text: f.unit.polres.name, to: sees }) },
  'GET /api/v1/units/:unitId/channels': { who: sees, via: 'api', call: (f) => get(`/api/v1/units/${f.unit.polres.id}/channels`) },
  // Posts, over the API.
  'GET /api/v1/posts': { who: signedIn, via: 'api', call: (f) => get('/api/v1/posts?limit=200', { text: f.listed.title, to: sees }) },
  'POST /api/v1/posts': {
    who: authors,
    via: 'api',
    call: (f) => post('/api/v1/posts', { unitId: f.unit.polres.id, title: 'Patroli dialogis', body: 'Personel berdialog dengan warga.', channelIds: [f.newsPage], scheduledAt: inSeconds(86_400) }),
  },
  'GET /api/v1/posts/:id': { who: sees, via: 'api', call: async (f) => get(`/api/v1/posts/${(await f.post('draft')).id}`) },
  'PATCH /api/v1/posts/:id': { who: authors, via: 'api', call: async (f) => ({ method: 'PATCH', path: `/api/v1/posts/${(await f.post('draft')).id}`, body: { title: 'Judul baru kegiatan' } }) },
  'GET /api/v1/posts/:id/history': { who: sees, via: 'api', call: async (f) => get(`/api/v1/posts/${(await f.post('draft')).id}/history`) },
  'GET /api/v1/reports/units': { who: sees, via: 'api', call: (f) => get(`/api/v1/reports/units?unitId=${f.unit.polres.id}`) },
  'GET /api/v1/reports/units.csv': { who: sees, via: 'api', call: (f) => get(`/api/v1/reports/units.csv?unitId=${f.unit.polres.id}`) },
  'GET /api/v1/reports/units.xlsx': { who: sees, via: 'api', call: (f) => get(`/api/v1/reports/units.xlsx?unitId=${f.unit.polres.id}`) },
  'GET /api/v1/exports/posts': { who: sees, via: 'api', call: (f) => get(`/api/v1/exports/posts?unitId=${f.unit.polres.id}`, { text: f.listed.title, to: sees }) },
  'GET /api/v1/imports/:id': { who: recipient, via: 'api', call: async (f) => get(`/api/v1/imports/${await f.planImport()}`) },
  'GET /plan/imports/:id': { who: recipient, via: 'web', call: async (f) => get(`/plan/imports/${await f.planImport()}`) },
  'GET /api/v1/imports/template': { who: sees, via: 'api', call: (f) => get(`/api/v1/imports/template?unitId=${f.unit.polres.id}`) },
  'POST /api/v1/imports': {
    who: authors,
    via: 'api',
    fresh: true,
    call: (f) => {
      const csv = `satuan,judul,teks,waktu,kanal\n${f.unit.polres.slug},Rencana ${randomBytes(4).toString('hex')},Patroli dialogis bersama warga.,${dayInUnitZone(inSeconds(2 * 86_400))} 09:00,Halaman berita\n`;
      return { method: 'POST', path: '/api/v1/imports', raw: { type: 'text/csv', data: Buffer.from(csv) } };
    },
    // Everyone gets an answer about the file; only those who may write the unit's posts get a draft from it.
    effect: async (f, call) => {
      const title = /,(Rencana [0-9a-f]+),/.exec(call.raw!.data.toString())![1]!;
      return (await f.h.siaran.database.db.selectFrom('posts').select('id').where('title', '=', title).executeTakeFirst()) !== undefined;
    },
  },
  'GET /api/v1/posts/:id/similar': { who: sees, via: 'api', call: async (f) => get(`/api/v1/posts/${(await f.post('pending')).id}/similar`) },
  'POST /api/v1/posts/:id/submit': { who: authors, via: 'api', call: async (f) => post(`/api/v1/posts/${(await f.post('draft')).id}/submit`), fresh: true },
  'POST /api/v1/posts/:id/approve': {
    who: approves,
    via: 'api',
    call: async (f) => {
      const p = await f.post('pending');
      return post(`/api/v1/posts/${p.id}/approve`, { expectedVersion: p.version });
    },
    fresh: true,
  },
  'POST /api/v1/posts/:id/reject': { who: approves, via: 'api', call: async (f) => post(`/api/v1/posts/${(await f.post('pending')).id}/reject`, { note: 'Foto kurang jelas.' }), fresh: true },
  'POST /api/v1/posts/:id/sensitivity': { who: authors, via: 'api', call: async (f) => post(`/api/v1/posts/${(await f.post('draft')).id}/sensitivity`, { sensitive: true }), fresh: true },
  'POST /api/v1/posts/:id/cancel': { who: authors, via: 'api', call: async (f) => post(`/api/v1/posts/${(await f.post('scheduled')).id}/cancel`, { note: 'Acara ditunda.' }), fresh: true },
  'POST /api/v1/posts/:id/reschedule': { who: authors, via: 'api', call: async (f) => post(`/api/v1/posts/${(await f.post('scheduled')).id}/reschedule`, { scheduledAt: inSeconds(2 * 86_400) }), fresh: true },
  'POST /api/v1/posts/:id/retract': { who: approves, via: 'api', call: async (f) => post(`/api/v1/posts/${(await f.post('published')).id}/retract`, { reason: 'Keliru nama personel.' }), fresh: true },
  'POST /api/v1/posts/:id/targets/:targetId/retry': {
    who: approves,
    via: 'api',
    call: async (f) => {
      const p = await f.post('published');
      return post(`/api/v1/posts/${p.id}/targets/${p.targetId}/retry`);
    },
  },
  'POST /api/v1/posts/:id/targets/:targetId/release': {
    who: approves,
    via: 'api',
    call: async (f) => {
      const p = await f.post('published');
      return post(`/api/v1/posts/${p.id}/targets/${p.targetId}/release`);
    },
  },
  'POST /api/v1/posts/:id/targets/:targetId/confirm-published': {
    who: approves,
    via: 'api',
    call: async (f) => {
      const p = await f.post('published');
      return post(`/api/v1/posts/${p.id}/targets/${p.targetId}/confirm-published`, {});
    },
  },
  'POST /api/v1/posts/:id/targets/:targetId/confirm-not-published': {
    who: approves,
    via: 'api',
    call: async (f) => {
      const p = await f.post('published');
      return post(`/api/v1/posts/${p.id}/targets/${p.targetId}/confirm-not-published`, {});
    },
  },
  // Photos and the watermark.
  'POST /api/v1/photos': {
    who: authors,
    via: 'api',
    call: async (f) => ({ method: 'POST', path: `/api/v1/photos?postId=${(await f.post('draft')).id}&alt=Warga`, raw: { type: 'image/jpeg', data: await tinyJpeg() } }),
  },
  'GET /api/v1/photos': { who: signedIn, via: 'api', call: () => get('/api/v1/photos') },
  'GET /api/v1/photos/:id': { who: sees, via: 'api', call: async (f) => get(`/api/v1/photos/${await f.photo()}`) },
  'PATCH /api/v1/photos/:id': { who: authors, via: 'api', call: async (f) => ({ method: 'PATCH', path: `/api/v1/photos/${await f.photo()}`, body: { altText: 'Kapolres menyapa warga' } }) },
  'DELETE /api/v1/photos/:id': { who: authors, via: 'api', call: async (f) => ({ method: 'DELETE', path: `/api/v1/photos/${await f.photo()}` }), fresh: true },
  'PUT /api/v1/units/:unitId/watermark': {
    who: administers,
    via: 'api',
    call: async (f) => ({ method: 'PUT', path: `/api/v1/units/${f.unit.polres.id}/watermark`, raw: { type: 'image/png', data: await tinyPng() } }),
  },
  'DELETE /api/v1/units/:unitId/watermark': { who: administers, via: 'api', call: (f) => ({ method: 'DELETE', path: `/api/v1/units/${f.unit.polres.id}/watermark` }) },
  // The web app's pages.
  'GET /': { who: signedIn, via: 'web', call: () => get('/') },
  'GET /compose': { who: withRole('operator', 'supervisor'), via: 'web', call: () => get('/compose') },
  // The monthly report: every signed-in person, of their own reach (an operator's is their unit).
  'GET /report': { who: signedIn, via: 'web', call: () => get('/report') },
  'GET /plan': { who: withRole('operator', 'supervisor'), via: 'web', call: () => get('/plan') },
  'GET /plan/template.csv': { who: withRole('operator', 'supervisor'), via: 'web', call: () => get('/plan/template.csv') },
  // Sent without a file: the page answers "choose the file first" to whoever may import at all.
  'POST /plan': { who: withRole('operator', 'supervisor'), via: 'web', call: () => post('/plan') },
  'GET /compose/:id': { who: authors, via: 'web', call: async (f) => get(`/compose/${(await f.post('draft')).id}`) },
  'GET /inbox': { who: withRole('supervisor'), via: 'web', call: async (f) => get('/inbox', { text: (await f.post('pending')).title, to: approves }) },
  'GET /calendar': { who: signedIn, via: 'web', call: (f) => get(`/calendar?view=agenda&date=${dayInUnitZone(inSeconds(86_400))}`, { text: f.listed.title, to: sees }) },
  'GET /posts/:id': { who: sees, via: 'web', call: async (f) => get(`/posts/${(await f.post('draft')).id}`) },
  'POST /posts/:id/approve': {
    who: approves,
    via: 'web',
    call: async (f) => {
      const p = await f.post('pending');
      return post(`/posts/${p.id}/approve`, { version: String(p.version) });
    },
    fresh: true,
  },
  'POST /posts/:id/reject': { who: approves, via: 'web', call: async (f) => post(`/posts/${(await f.post('pending')).id}/reject`, { note: 'Foto kurang jelas.' }), fresh: true },
  'POST /posts/:id/sensitivity': { who: authors, via: 'web', call: async (f) => post(`/posts/${(await f.post('draft')).id}/sensitivity`, { sensitive: 'true' }), fresh: true },
  'POST /posts/:id/submit': { who: authors, via: 'web', call: async (f) => post(`/posts/${(await f.post('draft')).id}/submit`), fresh: true },
  'POST /posts/:id/cancel': { who: authors, via: 'web', call: async (f) => post(`/posts/${(await f.post('scheduled')).id}/cancel`), fresh: true },
  'POST /posts/:id/reschedule': { who: authors, via: 'web', call: async (f) => post(`/posts/${(await f.post('scheduled')).id}/reschedule`, { scheduledAt: inSeconds(2 * 86_400) }), fresh: true },
  'POST /posts/:id/retract': { who: approves, via: 'web', call: async (f) => post(`/posts/${(await f.post('published')).id}/retract`, { reason: 'Keliru nama personel.' }), fresh: true },
  'POST /posts/:id/targets/:targetId/:action': {
    who: approves,
    via: 'web',
    call: async (f) => {
      const p = await f.post('published');
      return post(`/posts/${p.id}/targets/${p.targetId}/retry`);
    },
  },
  // Administration.
  'GET /admin': { who: withRole('admin'), via: 'web', call: (f) => get('/admin', { text: f.unit.polres.name, to: administers }) },
  'GET /admin/queues': { who: topAdmin, via: 'web', call: () => get('/admin/queues') },
  'POST /admin/queues/:queue/retry': { who: topAdmin, via: 'web', call: () => post('/admin/queues/publish/retry', { jobId: 'no-such-job' }) },
  'POST /admin/settings/totp': { who: topAdmin, via: 'web', call: () => post('/admin/settings/totp', { on: 'false' }) },
  'POST /admin/users': {
    who: administers,
    via: 'web',
    call: (f) => post('/admin/users', { email: `baru.${randomBytes(3).toString('hex')}@test.siaran`, name: 'Bripda Baru', unitId: f.unit.polres.id, role: 'operator' }),
  },
  'POST /admin/users/:id': { who: administers, via: 'web', call: async (f) => post(`/admin/users/${await f.user('operator')}`, { role: 'operator', unitId: f.unit.polres.id }), fresh: true },
  'POST /admin/users/:id/reset': { who: administers, via: 'web', call: async (f) => post(`/admin/users/${await f.user('operator')}/reset`), fresh: true },
  'POST /admin/users/:id/tokens/revoke': { who: administers, via: 'web', call: async (f) => post(`/admin/users/${await f.user('operator')}/tokens/revoke`), fresh: true },
  'POST /admin/users/:id/disable': { who: administers, via: 'web', call: async (f) => post(`/admin/users/${await f.user('operator')}/disable`, { disabled: 'true' }), fresh: true },
  'POST /admin/units': { who: administers, via: 'web', call: (f) => post('/admin/units', { name: `Polsek Baru ${randomBytes(2).toString('hex')}`, parentId: f.unit.polres.id, timeZone: 'Asia/Jakarta' }) },
  'POST /admin/units/:id': { who: administers, via: 'web', call: (f) => post(`/admin/units/${f.unit.polres.id}`, { timeZone: 'Asia/Jakarta' }) },
  'POST /admin/units/:id/two-approvals': { who: administers, via: 'web', call: (f) => post(`/admin/units/${f.unit.polres.id}/two-approvals`, { on: 'false' }) },
  'POST /admin/units/:id/pause': { who: administers, via: 'web', call: (f) => post(`/admin/units/${f.unit.polres.id}/pause`, { paused: 'false' }) },
  'POST /admin/units/:id/webhook': {
    who: administers,
    via: 'web',
    call: (f) => post(`/admin/units/${f.unit.polres.id}/webhook`, { url: 'http://127.0.0.1:9/hook', secret: 'rahasia-webhook-panjang-sekali', name: 'Hook' }),
  },
  'POST /admin/units/:id/telegram': { who: administers, via: 'web', call: (f) => post(`/admin/units/${f.unit.polres.id}/telegram`, { botToken: '123:abc', chat: '@humas', name: 'TG' }) },
  'POST /admin/units/:id/facebook': { who: administers, via: 'web', call: (f) => post(`/admin/units/${f.unit.polres.id}/facebook`, { pageId: '123', pageToken: 'x', name: 'FB' }) },
  'POST /admin/units/:id/instagram': { who: administers, via: 'web', call: (f) => post(`/admin/units/${f.unit.polres.id}/instagram`, { igUserId: '123', token: 'x', name: 'IG' }) },
  'POST /admin/units/:id/x/tokens': { who: administers, via: 'web', call: (f) => post(`/admin/units/${f.unit.polres.id}/x/tokens`, { accessToken: '1-a', accessSecret: 'b', name: 'X' }) },
  'POST /admin/units/:id/x/connect': { who: administers, via: 'web', call: (f) => post(`/admin/units/${f.unit.polres.id}/x/connect`) },
  'POST /admin/units/:id/instagram/connect': { who: administers, via: 'web', call: (f) => post(`/admin/units/${f.unit.polres.id}/instagram/connect`) },
  'POST /admin/channels/:id/x/connect': { who: administers, via: 'web', call: (f) => post(`/admin/channels/${f.x}/x/connect`) },
  'POST /admin/channels/:id/instagram/connect': { who: administers, via: 'web', call: (f) => post(`/admin/channels/${f.instagram}/instagram/connect`) },
  'POST /admin/channels/:id/reconnect': { who: administers, via: 'web', call: (f) => post(`/admin/channels/${f.webhook}/reconnect`, { url: 'http://127.0.0.1:9/hook2', secret: 'rahasia-webhook-panjang-sekali' }) },
  'POST /admin/channels/:id/enable': { who: administers, via: 'web', call: (f) => post(`/admin/channels/${f.webhook}/enable`) },
  'POST /admin/channels/:id/disable': { who: administers, via: 'web', call: (f) => post(`/admin/channels/${f.webhook}/disable`) },
  'POST /admin/channels/:id/test': { who: administers, via: 'web', call: (f) => post(`/admin/channels/${f.webhook}/test`) },
  // Starting a platform's consent needs no unit. Finishing it is an admin page too: a forged state or pick is then
  // refused by the action itself (a 4xx that says why on the admin page), which the state's own tests cover.
  'POST /admin/oauth/meta/connect': { who: withRole('admin'), via: 'web', call: () => post('/admin/oauth/meta/connect') },
  'GET /admin/oauth/x/callback': { who: withRole('admin'), via: 'web', call: () => get('/admin/oauth/x/callback?state=forged&code=x') },
  'GET /admin/oauth/instagram/callback': { who: withRole('admin'), via: 'web', call: () => get('/admin/oauth/instagram/callback?state=forged&code=x') },
  'GET /admin/oauth/meta/callback': { who: withRole('admin'), via: 'web', call: () => get('/admin/oauth/meta/callback?state=forged&code=x') },
  'GET /admin/oauth/meta/pick': { who: withRole('admin'), via: 'web', call: () => get('/admin/oauth/meta/pick?pick=00000000-0000-4000-8000-000000000000') },
  'POST /admin/oauth/meta/pick': { who: withRole('admin'), via: 'web', call: () => post('/admin/oauth/meta/pick', { pick: '00000000-0000-4000-8000-000000000000' }) },
  // Last: it ends each actor's session.
  'POST /logout': {
    who: signedIn,
    via: 'web',
    call: () => post('/logout'),
    // It sends everyone to the sign-in page; for one signed in, the session is over.
    effect: async (f, _call, actor) => {
      if (!actor) return false;
      const res = await fetch(`${f.h.url}/account`, { headers: { cookie: actor.cookie }, redirect: 'manual' });
      return res.status === 303 && (res.headers.get('location') ?? '').startsWith('/login');
    },
  },
};

async function tinyJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a6' } }).jpeg().toBuffer();
}
async function tinyPng(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 64, channels: 4, background: '#fff0' } }).png().toBuffer();
}

const PASSWORD = 'kata-sandi-rahasia-123';
const onPostgres = testDbKind() === 'postgres' ? describe : describe.skip;
const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

let h: Harness;
let f: Fixture;
/** Each actor's API token and web session (cookie, CSRF token). */
const actors = new Map<string, { who: Who; userId: string; token: string; cookie: string; csrf: string }>();
const name = (w: Who | undefined) => (w ? `${w.role}@${w.rel}` : 'no one');

// Who may do what is decided by the same queries on both databases, and every other integration test runs them on
// the embedded one: the matrix's 1,600 requests run on PostgreSQL, which keeps the whole run within its time.
onPostgres('the access-control matrix', () => {
beforeAll(async () => {
  h = await startHarness();
  const db = h.siaran.database.db;
  const tag = randomBytes(3).toString('hex');
  const mkUnit = async (slug: string, unitName: string, parentSlug?: string) => {
    const u = await addUnit(db, { slug: `${slug}-${tag}`, name: `${unitName} ${tag}`, timeZone: 'Asia/Jakarta', ...(parentSlug ? { parentSlug } : {}) });
    return { id: u.id, slug: u.slug, name: `${unitName} ${tag}` };
  };
  const polda = await mkUnit('polda-lampung', 'Polda Lampung');
  const polres = await mkUnit('polres-tubaba', 'Polres Tulangbawang Barat', polda.slug);
  const polsek = await mkUnit('polsek-tumijajar', 'Polsek Tumijajar', polres.slug);
  const sibling = await mkUnit('polres-metro', 'Polres Metro', polda.slug);
  const otherPolda = await mkUnit('polda-malut', 'Polda Maluku Utara');
  const unitOf: Record<Rel, { slug: string }> = { own: polres, parent: polda, child: polsek, sibling, unrelated: otherPolda };
  let n = 0;
  const person = async (role: Role, unitSlug: string) => {
    const u = await addUser(db, { email: `${role}.${String(n++)}.${tag}@test.siaran`, name: `${role} ${String(n)}`, unitSlug, role });
    return u;
  };
  for (const rel of RELS) {
    for (const role of ROLES) {
      const u = await person(role, unitOf[rel].slug);
      const { token } = await createToken(db, u.id, { label: 'matrix', days: 1 });
      await setPassword(db, u.id, PASSWORD);
      const email = (await db.selectFrom('users').select('email').where('id', '=', u.id).executeTakeFirstOrThrow()).email;
      const cookie = await signInWith(h.url, email, PASSWORD);
      const page = await fetch(`${h.url}/account`, { headers: { cookie } });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      actors.set(`${role}@${rel}`, { who: { role, rel }, userId: u.id, token, cookie, csrf });
    }
  }
  // The pivot unit's author and approver make the fixtures; they are not among the actors.
  const author = await person('operator', polres.slug);
  const approver = await person('supervisor', polres.slug);
  const authorApi = client(h.url, (await createToken(db, author.id, { label: 'fixture', days: 1 })).token);
  const approverApi = client(h.url, (await createToken(db, approver.id, { label: 'fixture', days: 1 })).token);
  const channels = await channelsOfUnit(db, polres.id);
  const newsPage = channels.find((c) => c.kind === 'news_page')!.id;
  const webhook = await addWebhook(db, polres.id, 'http://127.0.0.1:9/hook', 'rahasia-webhook-panjang-sekali');

  const makePost: Fixture['post'] = async (state) => {
    const title = `Pivot ${state} ${randomBytes(4).toString('hex')}`;
    const created = await authorApi('POST', '/api/v1/posts', { title, body: 'Personel melaksanakan patroli dialogis bersama warga.', channelIds: [newsPage], scheduledAt: inSeconds(86_400) });
    if (created.status !== 201) throw new Error(`fixture post: ${String(created.status)} ${JSON.stringify(created.body)}`);
    let version: number = created.body.version;
    const id: string = created.body.id;
    if (state !== 'draft') {
      version = (await authorApi('POST', `/api/v1/posts/${id}/submit`)).body.version;
    }
    if (state === 'scheduled' || state === 'published') {
      const approved = await approverApi('POST', `/api/v1/posts/${id}/approve`, { expectedVersion: version });
      if (approved.status !== 200) throw new Error(`fixture approve: ${String(approved.status)} ${JSON.stringify(approved.body)}`);
      version = approved.body.version;
    }
    if (state === 'published') {
      // As the news page's publication leaves it, without waiting a day for it.
      const at = new Date();
      await db.updateTable('post_targets').set({ status: 'published', published_at: at, external_url: `${h.url}/u/${polres.slug}/p/${id}` }).where('post_id', '=', id).execute();
      await db.updateTable('posts').set({ status: 'published' }).where('id', '=', id).execute();
    }
    const target = await db.selectFrom('post_targets').select('id').where('post_id', '=', id).executeTakeFirstOrThrow();
    return { id, title, version, targetId: target.id };
  };
  const listed = await makePost('scheduled');
  // One post truly published, on the news page, for its public permalink.
  const live = await authorApi('POST', '/api/v1/posts', { title: `Pivot live ${tag}`, body: 'Personel melaksanakan patroli dialogis bersama warga.', channelIds: [newsPage], scheduledAt: inSeconds(5) });
  const liveSubmitted = await authorApi('POST', `/api/v1/posts/${live.body.id as string}/submit`);
  await approverApi('POST', `/api/v1/posts/${live.body.id as string}/approve`, { expectedVersion: liveSubmitted.body.version });
  await waitFor('the live post to be published', async () => (await authorApi('GET', `/api/v1/posts/${live.body.id as string}`)).body.status === 'published', 60_000);
  const liveTarget = await db.selectFrom('post_targets').select('id').where('post_id', '=', live.body.id as string).executeTakeFirstOrThrow();
  // Channels of the kinds a reconnect starts for, as a connection would have stored them.
  const box = secretBox(decodeKey(TEST_SECRETS_KEY)!);
  const x = await insertChannel(db, box, { unitId: polres.id, kind: 'x', name: 'X Humas', settings: { userId: '12345', username: 'humas_tubaba', auth: 'oauth1' }, credentials: { type: 'oauth1', accessToken: 'a', accessSecret: 'b' } });
  const instagram = await insertChannel(db, box, {
    unitId: polres.id,
    kind: 'instagram',
    name: 'Instagram Humas',
    settings: { igUserId: '1784140000', username: 'humas.tubaba', login: 'instagram', pageId: null },
    credentials: { login: 'instagram', token: 'IGQ-token-for-the-access-matrix', expiresAt: inSeconds(30 * 86_400), refreshedAt: new Date().toISOString() },
  });
  // The unit's logo, for its public logo route.
  const logo = await fetch(`${h.url}/api/v1/units/${polres.id}/watermark`, { method: 'PUT', headers: { authorization: `Bearer ${actors.get('admin@own')!.token}`, 'content-type': 'image/png' }, body: await tinyPng() });
  if (!logo.ok) throw new Error(`fixture logo: ${String(logo.status)} ${await logo.text()}`);
  const asset = /(\/assets\/[^"]+\.css)"/.exec(await (await fetch(`${h.url}/login`)).text())![1]!;
  f = {
    h,
    unit: { polda, polres, polsek, sibling, otherPolda },
    newsPage,
    webhook,
    x: x.id,
    instagram: instagram.id,
    published: { id: live.body.id as string, title: `Pivot live ${tag}`, version: 0, targetId: liveTarget.id },
    asset,
    post: makePost,
    async photo() {
      const p = await makePost('draft');
      const res = await fetch(`${h.url}/api/v1/photos?postId=${p.id}&alt=Warga`, {
        method: 'POST',
        headers: { authorization: `Bearer ${(await createToken(db, author.id, { label: 'photo', days: 1 })).token}`, 'content-type': 'image/jpeg' },
        body: await tinyJpeg(),
      });
      const body = (await res.json()) as { id: string };
      if (res.status !== 201) throw new Error(`fixture photo: ${String(res.status)} ${JSON.stringify(body)}`);
      return body.id;
    },
    async user(role) {
      return (await person(role, polres.slug)).id;
    },
    async token() {
      const label = `revoke-${randomBytes(4).toString('hex')}`;
      await createToken(db, actors.get('operator@own')!.userId, { label, days: 1 });
      return (await db.selectFrom('api_tokens').select('id').where('label', '=', label).executeTakeFirstOrThrow()).id;
    },
    async planImport() {
      const owner = await db.selectFrom('users').select('id').where('email', 'like', `operator.%.${tag}@test.siaran`).where('unit_id', '=', polres.id).orderBy('email').executeTakeFirstOrThrow();
      const id = crypto.randomUUID();
      const now = new Date();
      // Not queued: the worker leaves it alone, and the pages read it as it stands.
      await db.insertInto('plan_imports').values({ id, user_id: owner.id, file_name: 'rencana.csv', file: null, rows: 400, status: 'checking', checked: 100, created_at: now, updated_at: now }).execute();
      return id;
    },
    async notification() {
      const owner = await db.selectFrom('users').select('id').where('email', 'like', `operator.%.${tag}@test.siaran`).where('unit_id', '=', polres.id).orderBy('email').executeTakeFirstOrThrow();
      const row = await db
        .insertInto('notifications')
        .values({ user_id: owner.id, kind: 'post.approved', post_id: listed.id, channel_id: null, event_key: `matrix-${randomBytes(4).toString('hex')}`, data: JSON.stringify({}), email: 'off' })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    listed,
  };
}, 180_000);

afterAll(async () => {
  await h.close();
});

interface Answer {
  status: number;
  location: string | null;
  text: string;
}

async function send(row: Omit<Row, 'also'>, call: Call, actor: { token: string; cookie: string; csrf: string } | undefined): Promise<Answer> {
  const headers: Record<string, string> = {};
  let body: string | Buffer | undefined;
  if (row.via === 'api') {
    if (actor) headers.authorization = `Bearer ${actor.token}`;
    if (call.raw) {
      headers['content-type'] = call.raw.type;
      body = call.raw.data;
    } else if (call.body && call.method !== 'GET') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.body);
    }
  } else {
    if (actor) headers.cookie = actor.cookie;
    if (call.method !== 'GET') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams({ ...(actor ? { _csrf: actor.csrf } : {}), ...(call.body as Record<string, string>) }).toString();
    }
  }
  const res = await fetch(`${h.url}${call.path}`, { method: call.method, redirect: 'manual', headers, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

const refused = (a: Answer) => [401, 403, 404].includes(a.status) || (a.status >= 300 && a.status < 400 && (a.location ?? '').startsWith('/login'));

test('every route the server answers is in the access table, and every row of the table is a route', () => {
  const routes = h.siaran.routes().map(key);
  expect(routes.filter((r) => !(r in TABLE))).toEqual([]);
  expect(Object.keys(TABLE).filter((r) => !routes.includes(r))).toEqual([]);
});

test('each route lets through exactly the actors its row names, and a list shows the pivot only to them', async () => {
  const everyone: Array<Who | undefined> = [undefined, ...RELS.flatMap((rel) => ROLES.map((role) => ({ role, rel })))];
  const wrong: string[] = [];
  let requests = 0;
  for (const [route, row] of Object.entries(TABLE)) {
    for (const cell of [row, ...(row.also ?? [])]) {
      let shared: Call | undefined;
      for (const who of everyone) {
        const call = cell.fresh || !shared ? await cell.call(f) : shared;
        shared = call;
        const actor = who ? actors.get(name(who)) : undefined;
        const answer = await send(cell, call, actor);
        requests++;
        const expected = cell.who(who);
        const through = cell.effect ? await cell.effect(f, call, actor) : !refused(answer);
        const where = `${route} (${call.method} ${call.path}) as ${name(who)}`;
        if (answer.status >= 500) wrong.push(`${where}: ${String(answer.status)} ${answer.text.slice(0, 160)}`);
        else if (expected !== through) wrong.push(`${where}: expected ${expected ? 'let through' : 'refused'}, got ${String(answer.status)}${answer.location ? ` → ${answer.location}` : ''} ${answer.text.slice(0, 160).replace(/\s+/g, ' ')}`);
        else if (call.shows && through && answer.text.includes(call.shows.text) !== call.shows.to(who)) {
          wrong.push(`${where}: ${call.shows.to(who) ? 'does not show' : 'shows'} "${call.shows.text}"`);
        }
      }
    }
  }
  // The size of the matrix, for the record.
  console.log(`access matrix: ${String(Object.keys(TABLE).length)} routes × ${String(everyone.length)} actors, ${String(requests)} requests`);
  expect(wrong).toEqual([]);
}, 600_000);
});
