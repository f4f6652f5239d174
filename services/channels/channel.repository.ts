import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '../../shared/errors';
import type { ChannelKind } from '../../shared/post';
import type { ChannelRow, DB } from '../storage/schema';
import { findUnitBySlug, unitNotFound } from '../units/unit.repository';
import type { SecretBox } from './secret-box';
import { classifyHost, privateAddressError } from './webhook-address';

export type Channel = ChannelRow;

export async function channelsOfUnit(db: Kysely<DB>, unitId: string): Promise<Channel[]> {
  return db.selectFrom('channels').selectAll().where('unit_id', '=', unitId).orderBy('created_at').execute();
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
    throw badChannel('the webhook URL is not a valid URL', 'URL webhook tidak valid');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw badChannel('the webhook URL must be http or https', 'URL webhook harus http atau https');
  }
  // A name that does not resolve yet is accepted; the publisher checks again before every delivery.
  if (!opts.allowPrivateNetworks && (await classifyHost(url)) === 'private') throw privateAddressError();
  if (input.secret.length < 16) {
    throw badChannel('the webhook secret must have at least 16 characters', 'rahasia webhook minimal 16 karakter');
  }
  const unit = await findUnitBySlug(db, input.unitSlug);
  if (!unit) throw unitNotFound(input.unitSlug);
  return db
    .insertInto('channels')
    .values({
      id: randomUUID(),
      unit_id: unit.id,
      kind: 'webhook' satisfies ChannelKind,
      name: input.name ?? `Webhook ${url.host}`,
      settings: JSON.stringify({ url: url.toString() }),
      secret_ciphertext: box.seal(input.secret),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

function badChannel(en: string, id: string): AppError {
  return new AppError('validation', 'channel.invalid', { id: `${id}.`, en: `${en}.` });
}
