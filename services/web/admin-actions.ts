// What an admin does to the units below them: people, zones, channels, the publishing switch.
import { randomBytes } from 'node:crypto';
import { AppError } from '../../shared/errors';
import { type Actor, Role, TimeZoneSchema } from '../../shared/post';
import { addWebhookChannel } from '../channels/channel.repository';
import { getUnit, unitAndDescendants } from '../units/unit.repository';
import { addUser } from '../users/user.repository';
import { setPassword } from './password-hash';
import { classifyHost } from '../channels/webhook-address';
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
async function audit(deps: WebDeps, admin: Actor, type: string, subjectId: string | null, data: Record<string, unknown> = {}): Promise<void> {
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

/** Returns the one-time password the admin hands over; it is not stored in clear anywhere. */
export async function inviteUser(deps: WebDeps, admin: Actor, input: { email: string; name: string; unitId: string; role: string }): Promise<string> {
  await assertUnit(deps, admin, input.unitId);
  const unit = await getUnit(deps.db, input.unitId);
  const password = temporaryPassword();
  const user = await addUser(deps.db, { email: input.email, name: input.name, unitSlug: unit.slug, role: roleOf(input.role) });
  await setPassword(deps.db, user.id, password);
  await deps.db.updateTable('users').set({ password_must_change: true }).where('id', '=', user.id).execute();
  await audit(deps, admin, 'user.invited', user.id, { email: user.email, role: user.role, unitId: input.unitId });
  return password;
}

export async function changeUser(deps: WebDeps, admin: Actor, userId: string, input: { role: string; unitId: string }): Promise<void> {
  await assertUser(deps, admin, userId);
  await assertUnit(deps, admin, input.unitId);
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
  await deps.db.updateTable('users').set({ totp_secret: null, totp_last_step: null, password_must_change: true }).where('id', '=', userId).execute();
  await audit(deps, admin, 'user.password_reset', userId);
  await deleteUserSessions(deps.db, userId);
  return password;
}

export async function setUserDisabled(deps: WebDeps, admin: Actor, userId: string, disabled: boolean): Promise<void> {
  await assertUser(deps, admin, userId);
  if (userId === admin.id) throw new AppError('conflict', 'admin.self', { id: 'Tidak dapat menonaktifkan akun sendiri.', en: 'You cannot disable your own account.' });
  await deps.db.updateTable('users').set({ disabled }).where('id', '=', userId).execute();
  await audit(deps, admin, disabled ? 'user.disabled' : 'user.enabled', userId);
  if (disabled) await deleteUserSessions(deps.db, userId);
}

export async function updateUnit(deps: WebDeps, admin: Actor, unitId: string, input: { timeZone?: string; paused?: boolean }): Promise<void> {
  await assertUnit(deps, admin, unitId);
  await deps.db
    .updateTable('units')
    .set({
      ...(input.timeZone !== undefined ? { time_zone: zoneOf(input.timeZone) } : {}),
      ...(input.paused !== undefined ? { publishing_paused: input.paused } : {}),
    })
    .where('id', '=', unitId)
    .execute();
  await audit(deps, admin, 'unit.changed', unitId, { timeZone: input.timeZone ?? null, paused: input.paused ?? null });
}

export async function addWebhook(deps: WebDeps, admin: Actor, unitId: string, input: { url: string; secret: string; name?: string }): Promise<void> {
  await assertUnit(deps, admin, unitId);
  const unit = await getUnit(deps.db, unitId);
  const channel = await addWebhookChannel(deps.db, deps.box, { unitSlug: unit.slug, url: input.url, secret: input.secret, name: input.name || undefined }, { allowPrivateNetworks: deps.allowPrivateNetworks });
  await audit(deps, admin, 'channel.added', channel.id, { unitId, kind: 'webhook', url: input.url });
}

/** The nationwide two-factor rule, on the record like every admin action. */
export async function setTotpRule(deps: WebDeps, admin: Actor, on: boolean): Promise<void> {
  await assertNationalAdmin(deps, admin);
  await setTotpRequiredForPrivileged(deps.db, on, deps.now());
  await audit(deps, admin, on ? 'settings.totp_required' : 'settings.totp_optional', null);
}

/** Reachability only: any HTTP answer means the address is right; the secret is checked at the first publish. */
export async function testChannel(deps: WebDeps, admin: Actor, channelId: string): Promise<{ ok: boolean; detail: string }> {
  const channel = await deps.db.selectFrom('channels').selectAll().where('id', '=', channelId).executeTakeFirst();
  if (!channel) throw outOfReach();
  await assertUnit(deps, admin, channel.unit_id);
  if (channel.kind === 'news_page') return { ok: true, detail: 'news page' };
  const url = typeof channel.settings.url === 'string' ? channel.settings.url : undefined;
  if (!url) return { ok: false, detail: 'no URL' };
  if (!deps.allowPrivateNetworks && (await classifyHost(new URL(url))) !== 'public') return { ok: false, detail: 'not a public address' };
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-siaran-event': 'ping' },
      body: JSON.stringify({ type: 'ping' }),
      signal: AbortSignal.timeout(deps.webhookTimeoutMs),
    });
    return { ok: res.status < 500, detail: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : 'unreachable' };
  }
}
