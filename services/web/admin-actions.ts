// What an admin does to the units below them: people, zones, channels, the publishing switch.
import { finishInstagramLogin, startInstagramLogin } from '../channels/instagram-login';
import { type ConnectedPage, type PagePick, badPick, connectPickedPages, finishMetaConnect, pendingPages, startMetaConnect } from '../channels/meta-connect';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../shared/errors';
import { type Actor, Role, TimeZoneSchema } from '../../shared/post';
import { type Channel, addWebhookChannel, getChannel, type Db } from '../channels/channel.repository';
import {
  addFacebookChannel,
  addInstagramChannel,
  addTelegramChannel,
  addXChannelWithTokens,
  finishXConnect,
  reconnectChannel,
  setChannelEnabled,
  startXConnect,
  testChannel as testChannelConnection,
} from '../channels/manage-channels';
import { addUnit, freeSlugFor, getUnit, unitAndDescendants, unitPath } from '../units/unit.repository';
import { revokeTokens } from '../users/token.repository';
import { addUser, checkNewUser, findUserByEmail } from '../users/user.repository';
import { emailQuietly } from '../notifications/deps';
import { hashPassword } from '../users/passwords';
import { adminsOver, notifyUsers } from '../notifications/notification.repository';
import { resumeUnitPublishing } from '../posts/schedule-post';
import { setPassword } from './password-hash';
import { deleteUserSessions } from './session.repository';
import { setTotpRequiredForPrivileged } from './web-settings.repository';
import type { WebDeps } from './web-deps';

const outOfReach = () =>
  new AppError('not-found', 'admin.out_of_reach', { id: 'Tidak ditemukan atau di luar wewenang Anda.', en: 'Not found or outside your reach.' });

export async function adminUnits(deps: WebDeps, admin: Actor): Promise<string[]> {
  if (admin.role !== 'admin') throw new AppError('forbidden', 'admin.only', { id: 'Khusus admin.', en: 'Admins only.' });
  return unitAndDescendants(deps.db, admin.unitId);
}

/** The two-factor rule holds for the whole installation, so only an admin of the top unit may change it. */
export async function assertNationalAdmin(deps: WebDeps, admin: Actor): Promise<void> {
  await adminUnits(deps, admin);
  const unit = await getUnit(deps.db, admin.unitId);
  if (unit.parent_id !== null) {
    throw new AppError('forbidden', 'admin.national_only', {
      id: 'Aturan ini berlaku nasional; hanya admin satuan teratas yang dapat mengubahnya.',
      en: 'This rule holds nationwide; only an admin of the top unit may change it.',
    });
  }
}

/** Every admin action leaves a line nobody can rewrite. */
async function audit(deps: { db: Db }, admin: Actor, type: string, subjectId: string | null, data: Record<string, unknown> = {}): Promise<void> {
  await deps.db.insertInto('admin_events').values({ actor_id: admin.id, type, subject_id: subjectId, data: JSON.stringify(data) }).execute();
}

async function assertUnit(deps: WebDeps, admin: Actor, unitId: string): Promise<void> {
  if (!(await adminUnits(deps, admin)).includes(unitId)) throw outOfReach();
}

async function assertUser(deps: WebDeps, admin: Actor, userId: string) {
  const user = await deps.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!user || !(await adminUnits(deps, admin)).includes(user.unit_id)) throw outOfReach();
  return user;
}

const temporaryPassword = () => randomBytes(12).toString('base64url');

/**
 * The admin who hands over a password could sign in as its holder: for a while that account approves
 * nothing, so an admin cannot become an approver; the admin log shows who handed it over.
 */
const approvalHold = (deps: WebDeps) => new Date(deps.now().getTime() + deps.approvalHoldHours * 3_600_000);

function roleOf(value: string) {
  const r = Role.safeParse(value);
  if (!r.success) throw new AppError('validation', 'admin.bad_role', { id: 'Peran tidak dikenal.', en: 'Unknown role.' });
  return r.data;
}

function zoneOf(value: string) {
  const z = TimeZoneSchema.safeParse(value);
  if (!z.success) throw new AppError('validation', 'admin.bad_zone', { id: 'Zona waktu harus WIB, WITA atau WIT.', en: 'The time zone must be WIB, WITA or WIT.' });
  return z.data;
}

/**
 * Returns the one-time password the admin hands over; it is not stored in clear anywhere.
 *
 * An address that already has an account out of this admin's reach is answered exactly as a new one (a
 * one-time password that opens nothing), so a sub-unit admin cannot learn who has an account elsewhere. The
 * account is left as it is; its holder and the admins over it are told, and the attempt is on the record.
 * An account within reach the admin sees on the page anyway, so there the refusal says so.
 */
export async function inviteUser(deps: WebDeps, admin: Actor, input: { email: string; name: string; unitId: string; role: string }): Promise<string> {
  await assertUnit(deps, admin, input.unitId);
  const unit = await getUnit(deps.db, input.unitId);
  const password = temporaryPassword();
  const existing = await findUserByEmail(deps.db, input.email.trim());
  if (existing && !(await adminUnits(deps, admin)).includes(existing.unit_id)) {
    // Checked as a new address would be, so a mistake is refused alike; then the same hash work, so the
    // answer's time tells nothing either.
    checkNewUser({ email: input.email, name: input.name, unitSlug: unit.slug, role: roleOf(input.role) });
    await hashPassword(password);
    await audit(deps, admin, 'user.invite_existing', existing.id, { unitId: input.unitId });
    const inviter = await deps.db.selectFrom('users').select('name').where('id', '=', admin.id).executeTakeFirstOrThrow();
    const inviterUnit = await getUnit(deps.db, admin.unitId);
    const told = [existing.id, ...(await adminsOver(deps.db, await unitPath(deps.db, existing.unit_id)))];
    const owed = await notifyUsers(
      deps.db,
      told,
      // One notice per account, inviting admin and day: inviting again and again does not flood the holder and
      // the admins above with the same news.
      { kind: 'account.invite_existing', eventKey: `invite:${existing.id}:${admin.id}:${deps.now().toISOString().slice(0, 10)}`, data: { email: existing.email, unit: unit.name, by: `${inviter.name} (${inviterUnit.name})` } },
      deps.now(),
    );
    await emailQuietly(deps.posts.emails, deps.log, owed);
    return password;
  }
  const user = await addUser(deps.db, { email: input.email, name: input.name, unitSlug: unit.slug, role: roleOf(input.role) });
  await setPassword(deps.db, user.id, password);
  await deps.db.updateTable('users').set({ password_must_change: true, approval_hold_until: approvalHold(deps) }).where('id', '=', user.id).execute();
  await audit(deps, admin, 'user.invited', user.id, { email: user.email, role: user.role, unitId: input.unitId });
  return password;
}

export async function changeUser(deps: WebDeps, admin: Actor, userId: string, input: { role: string; unitId: string }): Promise<void> {
  await assertUser(deps, admin, userId);
  await assertUnit(deps, admin, input.unitId);
  // An admin who could make themself a supervisor could approve what they wrote: another admin does it.
  if (userId === admin.id) {
    throw new AppError('conflict', 'admin.self', { id: 'Tidak dapat mengubah peran atau satuan akun sendiri; minta admin lain.', en: 'You cannot change your own role or unit; ask another admin.' });
  }
  const before = await deps.db.selectFrom('users').select(['role', 'unit_id']).where('id', '=', userId).executeTakeFirstOrThrow();
  const role = roleOf(input.role);
  await deps.db.updateTable('users').set({ role, unit_id: input.unitId }).where('id', '=', userId).execute();
  await audit(deps, admin, 'user.changed', userId, { before: { role: before.role, unitId: before.unit_id }, after: { role, unitId: input.unitId } });
  // A role or unit change takes effect at once, not at the next sign-in.
  await deleteUserSessions(deps.db, userId);
}

export async function resetPassword(deps: WebDeps, admin: Actor, userId: string): Promise<string> {
  await assertUser(deps, admin, userId);
  const password = temporaryPassword();
  await setPassword(deps.db, userId, password);
  // The handed-over password only lets its holder choose a new one; the reset is on the record.
  await deps.db.updateTable('users').set({ totp_secret: null, totp_last_step: null, password_must_change: true, approval_hold_until: approvalHold(deps) }).where('id', '=', userId).execute();
  await audit(deps, admin, 'user.password_reset', userId);
  // Whoever held the old password may have made sessions and tokens with it: none outlives the reset.
  await deleteUserSessions(deps.db, userId);
  await revokeTokens(deps.db, userId, deps.now());
  return password;
}

/** Every API token of a user in reach stops working at once (a lost laptop, a script that leaked one). */
export async function revokeUserTokens(deps: WebDeps, admin: Actor, userId: string): Promise<number> {
  await assertUser(deps, admin, userId);
  const revoked = await revokeTokens(deps.db, userId, deps.now());
  await audit(deps, admin, 'user.tokens_revoked', userId, { revoked });
  return revoked;
}

export async function setUserDisabled(deps: WebDeps, admin: Actor, userId: string, disabled: boolean): Promise<void> {
  await assertUser(deps, admin, userId);
  if (userId === admin.id) throw new AppError('conflict', 'admin.self', { id: 'Tidak dapat menonaktifkan akun sendiri.', en: 'You cannot disable your own account.' });
  await deps.db.updateTable('users').set({ disabled }).where('id', '=', userId).execute();
  await audit(deps, admin, disabled ? 'user.disabled' : 'user.enabled', userId);
  if (disabled) await deleteUserSessions(deps.db, userId);
}

/** A unit below one the admin looks after; its slug (the news page's address) comes from its name. */
export async function addSubUnit(deps: WebDeps, admin: Actor, input: { name: string; parentId: string; timeZone: string }): Promise<string> {
  await assertUnit(deps, admin, input.parentId);
  const name = input.name.trim().replace(/\s+/g, ' ');
  if (name.length < 3 || name.length > 120) {
    throw new AppError('validation', 'unit.name_length', { id: 'Nama satuan harus 3 sampai 120 karakter.', en: 'A unit name has 3 to 120 characters.' });
  }
  const parent = await getUnit(deps.db, input.parentId);
  const unit = await addUnit(deps.db, { slug: await freeSlugFor(deps.db, name), name, parentSlug: parent.slug, timeZone: zoneOf(input.timeZone) });
  await audit(deps, admin, 'unit.added', unit.id, { name, parent: parent.slug });
  return name;
}

export async function updateUnit(deps: WebDeps, admin: Actor, unitId: string, input: { timeZone?: string; paused?: boolean; twoApprovals?: boolean }): Promise<void> {
  await assertUnit(deps, admin, unitId);
  await deps.db
    .updateTable('units')
    .set({
      ...(input.timeZone !== undefined ? { time_zone: zoneOf(input.timeZone) } : {}),
      ...(input.paused !== undefined ? { publishing_paused: input.paused } : {}),
      ...(input.twoApprovals !== undefined ? { two_approvals_for_sensitive: input.twoApprovals } : {}),
    })
    .where('id', '=', unitId)
    .execute();
  await audit(deps, admin, 'unit.changed', unitId, { timeZone: input.timeZone ?? null, paused: input.paused ?? null, twoApprovals: input.twoApprovals ?? null });
  if (input.paused === false) await resumeUnitPublishing(deps.posts, unitId);
}

export async function addWebhook(deps: WebDeps, admin: Actor, unitId: string, input: { url: string; secret: string; name?: string }): Promise<void> {
  await assertUnit(deps, admin, unitId);
  const unit = await getUnit(deps.db, unitId);
  const channel = await addWebhookChannel(deps.db, deps.box, { unitSlug: unit.slug, url: input.url, secret: input.secret, name: input.name || undefined }, { allowPrivateNetworks: deps.allowPrivateNetworks });
  await audit(deps, admin, 'channel.added', channel.id, { unitId, kind: 'webhook', url: input.url });
}

export async function addTelegram(deps: WebDeps, admin: Actor, unitId: string, input: { botToken: string; chat: string; name?: string }): Promise<Channel> {
  await assertUnit(deps, admin, unitId);
  const channel = await addTelegramChannel(deps.channels, { unitId, botToken: input.botToken, chat: input.chat, name: input.name });
  await audit(deps, admin, 'channel.added', channel.id, { unitId, kind: 'telegram', chat: input.chat });
  return channel;
}

export async function addFacebook(deps: WebDeps, admin: Actor, unitId: string, input: { pageId: string; pageToken: string; name?: string }): Promise<Channel> {
  await assertUnit(deps, admin, unitId);
  const channel = await addFacebookChannel(deps.channels, { unitId, pageId: input.pageId, pageToken: input.pageToken, name: input.name });
  await audit(deps, admin, 'channel.added', channel.id, { unitId, kind: 'facebook', pageId: input.pageId });
  return channel;
}

export async function addInstagram(deps: WebDeps, admin: Actor, unitId: string, input: { igUserId: string; token: string; name?: string }): Promise<Channel> {
  await assertUnit(deps, admin, unitId);
  const channel = await addInstagramChannel(deps.channels, { unitId, igUserId: input.igUserId, token: input.token, name: input.name });
  await audit(deps, admin, 'channel.added', channel.id, { unitId, kind: 'instagram', igUserId: input.igUserId });
  return channel;
}

export async function addXWithTokens(deps: WebDeps, admin: Actor, unitId: string, input: { accessToken: string; accessSecret: string; name?: string }): Promise<Channel> {
  await assertUnit(deps, admin, unitId);
  const channel = await addXChannelWithTokens(deps.channels, { unitId, ...input });
  await audit(deps, admin, 'channel.added', channel.id, { unitId, kind: 'x', auth: 'oauth1', account: channel.account_name });
  return channel;
}

/** The address of X's consent page for this admin; `channelId` reconnects an existing channel. */
export async function beginXConnect(deps: WebDeps, admin: Actor, unitId: string, channelId?: string): Promise<string> {
  await assertUnit(deps, admin, unitId);
  return startXConnect(deps.channels, { userId: admin.id, unitId, channelId });
}

export async function completeXConnect(deps: WebDeps, admin: Actor, input: { state: string; code?: string | undefined; error?: string | undefined }) {
  const units = await adminUnits(deps, admin);
  const done = await finishXConnect(deps.channels, { userId: admin.id, ...input }, (unitId) => Promise.resolve(units.includes(unitId)));
  await audit(deps, admin, 'channel.connected', done.channel.id, { unitId: done.channel.unit_id, kind: 'x', auth: 'oauth2', account: done.channel.account_name, released: done.released });
  return done;
}

// —— Connect with Instagram (Instagram Login), for an account with no Page

export async function beginInstagramLogin(deps: WebDeps, admin: Actor, unitId: string, channelId?: string): Promise<string> {
  await assertUnit(deps, admin, unitId);
  return startInstagramLogin(deps.channels, { userId: admin.id, unitId, channelId });
}

export async function renewInstagramLogin(deps: WebDeps, admin: Actor, channelId: string): Promise<string> {
  const channel = await channelInReach(deps, admin, channelId);
  return beginInstagramLogin(deps, admin, channel.unit_id, channel.id);
}

export async function completeInstagramLogin(deps: WebDeps, admin: Actor, input: { state: string; code?: string | undefined; error?: string | undefined }) {
  const units = await adminUnits(deps, admin);
  const done = await finishInstagramLogin(deps.channels, { userId: admin.id, ...input }, (unitId) => Promise.resolve(units.includes(unitId)));
  await audit(deps, admin, 'channel.connected', done.channel.id, { unitId: done.channel.unit_id, kind: 'instagram', via: 'instagram-login', account: done.channel.account_name, released: done.released });
  return done;
}

// —— Connect with Facebook: one sign-in, then Pages picked for several units

export async function beginMetaConnect(deps: WebDeps, admin: Actor): Promise<string> {
  await adminUnits(deps, admin);
  return startMetaConnect(deps.channels, { userId: admin.id, unitId: admin.unitId });
}

export async function completeMetaConnect(deps: WebDeps, admin: Actor, input: { state: string; code?: string | undefined; error?: string | undefined }): Promise<string> {
  await adminUnits(deps, admin);
  return (await finishMetaConnect(deps.channels, { userId: admin.id, ...input })).pickId;
}

/** The Pages to pick from, with the admin's units and the unit each Page is connected to already. */
/** The Pages to pick from, with the admin's units and where each Page and account is connected already. */
export async function metaPickView(deps: WebDeps, admin: Actor, pickId: string) {
  const unitIds = await adminUnits(deps, admin);
  const pending = await pendingPages(deps.channels, admin.id, pickId);
  if (!pending) throw badPick();
  const units = await deps.db.selectFrom('units').select(['id', 'name']).where('id', 'in', unitIds).orderBy('name').execute();
  const social = await deps.db.selectFrom('channels').select(['unit_id', 'kind', 'settings']).where('kind', 'in', ['facebook', 'instagram']).where('unit_id', 'in', unitIds).execute();
  const idOf = (c: (typeof social)[number], key: string) => String((c.settings)[key]);
  const connectedTo = new Map(social.filter((c) => c.kind === 'facebook').map((c) => [idOf(c, 'pageId'), c.unit_id]));
  const instagramIn = new Set(social.filter((c) => c.kind === 'instagram').map((c) => `${c.unit_id}:${idOf(c, 'igUserId')}`));
  const zone = (await getUnit(deps.db, admin.unitId)).time_zone;
  return { ...pending, units, connectedTo, instagramIn, zone, instagramBlocked: deps.channels.photosUnreachable };
}

export async function pickMetaPages(deps: WebDeps, admin: Actor, pickId: string, picks: PagePick[]): Promise<ConnectedPage[]> {
  const units = await adminUnits(deps, admin);
  return connectPickedPages(
    deps.channels,
    { userId: admin.id, pickId, picks },
    (unitId) => Promise.resolve(units.includes(unitId)),
    // On the admin log in the same transaction as the channel itself.
    (db, d) => audit({ ...deps, db }, admin, d.reconnected ? 'channel.connected' : 'channel.added', d.channel.id, { unitId: d.channel.unit_id, kind: d.channel.kind, via: 'facebook-login', account: d.channel.account_name }),
  );
}

async function channelInReach(deps: WebDeps, admin: Actor, channelId: string): Promise<Channel> {
  const channel = await getChannel(deps.db, channelId);
  if (!channel) throw outOfReach();
  await assertUnit(deps, admin, channel.unit_id);
  return channel;
}

export async function reconnect(deps: WebDeps, admin: Actor, channelId: string, fields: Record<string, string | undefined>) {
  const channel = await channelInReach(deps, admin, channelId);
  const done = await reconnectChannel(deps.channels, channel, fields);
  await audit(deps, admin, 'channel.reconnected', channel.id, { kind: channel.kind, released: done.released });
  return done;
}

export async function reconnectXStart(deps: WebDeps, admin: Actor, channelId: string): Promise<string> {
  const channel = await channelInReach(deps, admin, channelId);
  if (channel.kind !== 'x') throw outOfReach();
  return startXConnect(deps.channels, { userId: admin.id, unitId: channel.unit_id, channelId: channel.id });
}

export async function switchChannel(deps: WebDeps, admin: Actor, channelId: string, enabled: boolean): Promise<number> {
  const channel = await channelInReach(deps, admin, channelId);
  if (channel.kind === 'news_page' && !enabled) {
    throw new AppError('conflict', 'channel.news_page_stays', { id: 'Halaman berita satuan tidak dapat dinonaktifkan.', en: "The unit's news page cannot be disabled." });
  }
  const released = await setChannelEnabled(deps.channels, channel, enabled);
  await audit(deps, admin, enabled ? 'channel.enabled' : 'channel.disabled', channel.id, { released });
  return released;
}

/** "Test connection": the platform is asked; a channel that answers well is connected again. */
export async function testChannel(deps: WebDeps, admin: Actor, channelId: string) {
  const channel = await channelInReach(deps, admin, channelId);
  const report = await testChannelConnection(deps.channels, channel, deps.platformTimeoutMs);
  await audit(deps, admin, 'channel.tested', channel.id, { ok: report.ok, released: report.released });
  return report;
}

/** The nationwide two-factor rule, on the record like every admin action. */
export async function setTotpRule(deps: WebDeps, admin: Actor, on: boolean): Promise<void> {
  await assertNationalAdmin(deps, admin);
  await setTotpRequiredForPrivileged(deps.db, on, deps.now());
  await audit(deps, admin, on ? 'settings.totp_required' : 'settings.totp_optional', null);
}

