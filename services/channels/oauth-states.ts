// The one-time states of "connect" flows (X's consent page, Facebook's and Instagram's dialogs, the Pages
// waiting to be picked): random, kept only as a hash, bound to the admin who started them, taken out on
// first use, and gone after 15 minutes whatever happens.
import { createHash, randomBytes } from 'node:crypto';
import type { OAuthStatesTable } from '../storage/schema';
import type { Db } from './channel.repository';
import type { SecretBox } from './secret-box';

type Kind = OAuthStatesTable['kind'];
const TTL_MS = 15 * 60_000;
const hash = (s: string) => createHash('sha256').update(s).digest('hex');

export interface OAuthState {
  unitId: string;
  channelId: string | null;
  userId: string;
  /** What the flow sealed with its state (a PKCE verifier, the listed Pages); opened. */
  secret: string;
  redirectUri: string;
}

export interface KeptState extends OAuthState {
  expiresAt: Date;
}

/** Keeps a new state of `kind` and returns it (the only copy in clear). */
export async function putState(deps: { db: Db; box: SecretBox; now: () => Date }, kind: Kind, s: OAuthState & { state?: string | undefined }): Promise<string> {
  const state = s.state ?? randomBytes(24).toString('base64url');
  const now = deps.now();
  await purgeExpiredStates(deps.db, now);
  await deps.db
    .insertInto('oauth_states')
    .values({ state_hash: hash(state), kind, unit_id: s.unitId, channel_id: s.channelId, user_id: s.userId, verifier_sealed: deps.box.seal(s.secret), redirect_uri: s.redirectUri, expires_at: new Date(now.getTime() + TTL_MS) })
    .execute();
  return state;
}

/** Takes a state out (it works once); undefined when unknown, of another kind or person, or expired. */
export async function takeState(deps: { db: Db; box: SecretBox; now: () => Date }, kind: Kind, state: string, userId: string): Promise<KeptState | undefined> {
  const row = await deps.db.deleteFrom('oauth_states').where('state_hash', '=', hash(state)).where('kind', '=', kind).where('user_id', '=', userId).returningAll().executeTakeFirst();
  if (!row || row.expires_at.getTime() < deps.now().getTime()) return undefined;
  return { unitId: row.unit_id, channelId: row.channel_id, userId: row.user_id, secret: deps.box.open(row.verifier_sealed), redirectUri: row.redirect_uri, expiresAt: row.expires_at };
}

/** Reads a state without using it up (the Pages shown again after a mistake). */
export async function peekState(deps: { db: Db; box: SecretBox; now: () => Date }, kind: Kind, state: string, userId: string): Promise<KeptState | undefined> {
  const row = await deps.db.selectFrom('oauth_states').selectAll().where('state_hash', '=', hash(state)).where('kind', '=', kind).where('user_id', '=', userId).executeTakeFirst();
  if (!row || row.expires_at.getTime() < deps.now().getTime()) return undefined;
  return { unitId: row.unit_id, channelId: row.channel_id, userId: row.user_id, secret: deps.box.open(row.verifier_sealed), redirectUri: row.redirect_uri, expiresAt: row.expires_at };
}

/** States never used keep nothing (sealed Page tokens among them) beyond their 15 minutes. */
export async function purgeExpiredStates(db: Db, now: Date): Promise<void> {
  await db.deleteFrom('oauth_states').where('expires_at', '<', now).execute();
}
