import { randomUUID } from 'node:crypto';
import { type Kysely, type Transaction, sql } from 'kysely';
import { CHANNEL_SCHEMAS, type ChannelCredentials, type ChannelSettings, type ChannelState } from '../../shared/channels/channel-schemas';
import { AppError } from '../../shared/errors';
import type { ChannelKind } from '../../shared/post';
import type { ChannelRow, DB } from '../storage/schema';
import { findUnitBySlug, unitNotFound } from '../units/unit.repository';
import type { SecretBox } from './secret-box';
import { classifyHost, privateAddressError } from './webhook-address';

export type Channel = ChannelRow;
export type Db = Kysely<DB> | Transaction<DB>;

export async function channelsOfUnit(db: Db, unitId: string): Promise<Channel[]> {
  return db.selectFrom('channels').selectAll().where('unit_id', '=', unitId).orderBy('created_at').execute();
}

export async function getChannel(db: Db, id: string): Promise<Channel | undefined> {
  return db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
}

/** What people see of a channel's health; a limit that has run out no longer shows. */
export function channelState(c: Pick<Channel, 'enabled' | 'health' | 'limited_until'>, now: Date): { state: ChannelState; until: Date | null } {
  if (!c.enabled) return { state: 'disabled', until: null };
  if (c.health === 'needs_reconnect') return { state: 'needs_reconnect', until: null };
  if (c.limited_until && c.limited_until.getTime() > now.getTime()) return { state: 'rate_limited', until: c.limited_until };
  return { state: 'connected', until: null };
}

export function parseSettings<K extends ChannelKind>(kind: K, raw: unknown): ChannelSettings<K> {
  return CHANNEL_SCHEMAS[kind].settings.parse(raw) as ChannelSettings<K>;
}

/** Opens sealed credentials into their kind's type. A webhook added before credentials were JSON holds its bare secret. */
export function parseCredentials<K extends ChannelKind>(kind: K, plain: string | null): ChannelCredentials<K> {
  let value: unknown = null;
  if (plain !== null) {
    try {
      value = JSON.parse(plain);
    } catch {
      value = kind === 'webhook' ? { secret: plain } : plain;
    }
    if (kind === 'webhook' && typeof value !== 'object') value = { secret: plain };
  }
  return CHANNEL_SCHEMAS[kind].credentials.parse(value) as ChannelCredentials<K>;
}

export interface NewChannel<K extends ChannelKind> {
  unitId: string;
  kind: K;
  name: string;
  settings: ChannelSettings<K>;
  credentials: ChannelCredentials<K>;
  accountName?: string | null | undefined;
  tokenExpiresAt?: Date | null | undefined;
}

export async function insertChannel<K extends ChannelKind>(db: Db, box: SecretBox, c: NewChannel<K>): Promise<Channel> {
  return db
    .insertInto('channels')
    .values({
      id: randomUUID(),
      unit_id: c.unitId,
      kind: c.kind,
      name: c.name,
      settings: JSON.stringify(CHANNEL_SCHEMAS[c.kind].settings.parse(c.settings)),
      secret_ciphertext: c.credentials === null ? null : box.seal(JSON.stringify(CHANNEL_SCHEMAS[c.kind].credentials.parse(c.credentials))),
      account_name: c.accountName ?? null,
      token_expires_at: c.tokenExpiresAt ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * New credentials for a channel (a reconnect): the account is reachable again, any limit and lease is
 * forgotten, and the version moves on so that a renewal still under way cannot write over them.
 */
export async function replaceCredentials<K extends ChannelKind>(
  db: Db,
  box: SecretBox,
  channelId: string,
  c: Pick<NewChannel<K>, 'kind' | 'settings' | 'credentials' | 'accountName' | 'tokenExpiresAt'>,
): Promise<Channel> {
  return db
    .updateTable('channels')
    .set({
      settings: JSON.stringify(CHANNEL_SCHEMAS[c.kind].settings.parse(c.settings)),
      secret_ciphertext: c.credentials === null ? null : box.seal(JSON.stringify(CHANNEL_SCHEMAS[c.kind].credentials.parse(c.credentials))),
      credentials_version: sql`credentials_version + 1`,
      health: 'connected',
      last_error: null,
      last_error_at: null,
      limited_until: null,
      limit_reason: null,
      refresh_lease_until: null,
      refresh_lease_token: null,
      account_name: c.accountName ?? null,
      token_expires_at: c.tokenExpiresAt ?? null,
    })
    .where('id', '=', channelId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function addWebhookChannel(
  db: Kysely<DB>,
  box: SecretBox,
  input: { unitSlug: string; url: string; secret: string; name?: string | undefined },
  opts: { allowPrivateNetworks: boolean },
): Promise<Channel> {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw badChannel('The webhook URL is not a valid address. Type the whole address, starting with https://', 'URL webhook bukan alamat yang sah. Ketik alamat lengkapnya, diawali https://');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw badChannel('The webhook URL must start with https:// (or http://)', 'URL webhook harus diawali https:// (atau http://)');
  }
  if (url.username || url.password) {
    // Siaran would not send them (a receiver checks the signature instead), so every delivery would fail.
    throw new AppError('validation', 'channel.credentials_in_url', {
      id: 'Alamat webhook tidak boleh memuat nama pengguna dan kata sandi (https://nama:sandi@…); Siaran tidak mengirimkannya. Hapus keduanya dari alamat: penerima memastikan kiriman berasal dari Siaran dengan memeriksa tanda tangan yang dibuat dengan rahasia webhook.',
      en: 'A webhook address may not carry a user name and password (https://name:password@…); Siaran does not send them. Remove them from the address: the receiver makes sure a delivery comes from Siaran by checking the signature made with the webhook secret.',
    });
  }
  // A name that does not resolve yet is accepted; the publisher checks again before every delivery.
  if (!opts.allowPrivateNetworks && (await classifyHost(url)) === 'private') throw privateAddressError();
  if (input.secret.length < 16) {
    throw badChannel('The webhook secret must have at least 16 characters. Type a longer one (the receiver must use the same)', 'Rahasia webhook minimal 16 karakter. Ketik rahasia yang lebih panjang (penerima harus memakai yang sama)');
  }
  const unit = await findUnitBySlug(db, input.unitSlug);
  if (!unit) throw unitNotFound(input.unitSlug);
  return insertChannel(db, box, {
    unitId: unit.id,
    kind: 'webhook',
    name: input.name ?? `Webhook ${url.host}`,
    settings: { url: url.toString() },
    credentials: { secret: input.secret },
    accountName: url.host,
  });
}

export function badChannel(en: string, id: string): AppError {
  return new AppError('validation', 'channel.invalid', { id: `${id}.`, en: `${en}.` });
}
