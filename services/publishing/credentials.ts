// Credentials that change while in use (OAuth 2 refresh tokens rotate, each works once): one process
// at a time renews a channel's credentials, holding a lease row in the database; every other process
// (and every other job in this one) waits for the pair it stored and uses that.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SecretBox } from '../channels/secret-box';
import type { DB } from '../storage/schema';
import type { CredentialsHandle } from './platform';

export interface CredentialsOptions {
  db: Kysely<DB>;
  box: SecretBox;
  channelId: string;
  /** Reads the opened (decrypted) credentials into their type; throws when they are not of it. */
  parse: (plain: string) => unknown;
  /** How long a renewing process may hold the lease before others may take over. */
  leaseMs: number;
  now: () => Date;
}

type Versioned<C> = { credentials: C; version: number };

/** Renewals under way in this process, by channel: jobs of one process share one renewal. */
const inFlight = new Map<string, Promise<Versioned<unknown> | undefined>>();

export function credentialsHandle<C>(opts: CredentialsOptions, initial: Versioned<C>): CredentialsHandle<C> {
  let current = initial;
  const read = async (): Promise<{ value: Versioned<C>; leaseUntil: Date | null } | undefined> => {
    const row = await opts.db
      .selectFrom('channels')
      .select(['secret_ciphertext', 'credentials_version', 'refresh_lease_until'])
      .where('id', '=', opts.channelId)
      .executeTakeFirst();
    if (!row?.secret_ciphertext) return undefined;
    return { value: { credentials: opts.parse(opts.box.open(row.secret_ciphertext)) as C, version: row.credentials_version }, leaseUntil: row.refresh_lease_until };
  };

  /** One round: renew under the lease, or wait for whoever holds it; undefined when the lease fell free unused. */
  const round = async (renew: (c: C) => Promise<{ credentials: C; expiresAt: Date | null }>): Promise<Versioned<C> | undefined> => {
    const token = randomUUID();
    const now = opts.now();
    const leased = await opts.db
      .updateTable('channels')
      .set({ refresh_lease_until: new Date(now.getTime() + opts.leaseMs), refresh_lease_token: token })
      .where('id', '=', opts.channelId)
      .where('credentials_version', '=', current.version)
      .where((eb) => eb.or([eb('refresh_lease_until', 'is', null), eb('refresh_lease_until', '<', now)]))
      .executeTakeFirst();
    if (Number(leased.numUpdatedRows) === 1) {
      let renewed: { credentials: C; expiresAt: Date | null };
      try {
        renewed = await renew(current.credentials);
      } catch (err) {
        await opts.db.updateTable('channels').set({ refresh_lease_until: null, refresh_lease_token: null }).where('id', '=', opts.channelId).where('refresh_lease_token', '=', token).execute();
        throw err;
      }
      const stored = await opts.db
        .updateTable('channels')
        .set({
          secret_ciphertext: opts.box.seal(JSON.stringify(renewed.credentials)),
          credentials_version: current.version + 1,
          token_expires_at: renewed.expiresAt,
          refresh_lease_until: null,
          refresh_lease_token: null,
        })
        .where('id', '=', opts.channelId)
        // The old refresh token is spent either way: the new pair is kept unless the credentials were replaced
        // meanwhile (a reconnect), even if this process's lease ran out while X answered.
        .where('credentials_version', '=', current.version)
        .executeTakeFirst();
      if (Number(stored.numUpdatedRows) !== 1) throw new Error('the credentials were replaced while being renewed');
      return { credentials: renewed.credentials, version: current.version + 1 };
    }
    // Someone else renews (or already has): wait for a newer version, or for the lease to fall free.
    const deadline = Date.now() + opts.leaseMs + 1000;
    while (Date.now() < deadline) {
      const seen = await read();
      if (!seen) throw new Error('the channel has no credentials any more');
      if (seen.value.version > current.version) return seen.value;
      if (!seen.leaseUntil || seen.leaseUntil.getTime() < opts.now().getTime()) return undefined;
      await new Promise((r) => setTimeout(r, 100));
    }
    return undefined;
  };

  return {
    current: () => current.credentials,
    async renew(isStale, renew) {
      for (let i = 0; i < 5 && isStale(current.credentials); i++) {
        let shared = inFlight.get(opts.channelId) as Promise<Versioned<C> | undefined> | undefined;
        if (!shared) {
          shared = round(renew);
          inFlight.set(opts.channelId, shared);
          void shared.finally(() => inFlight.delete(opts.channelId)).catch(() => undefined);
        }
        const next = await shared;
        if (next && next.version >= current.version) current = next;
        else if (!next) {
          // The lease fell free without a renewal: read what is stored now and try again.
          const seen = await read();
          if (seen) current = seen.value;
        }
      }
      if (isStale(current.credentials)) throw new Error('the credentials could not be renewed');
      return current.credentials;
    },
  };
}
