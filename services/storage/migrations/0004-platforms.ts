import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('channels')
    // The admin's switch stays `enabled`; health is what the platform last told us about the account.
    .addColumn('health', 'text', (c) => c.notNull().defaultTo('connected').check(sql`health in ('connected', 'needs_reconnect')`))
    /** The platform limits this account until then; its due targets wait, attempts untouched. */
    .addColumn('limited_until', 'timestamptz')
    .addColumn('limit_reason', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'timestamptz')
    .addColumn('account_name', 'text')
    .addColumn('token_expires_at', 'timestamptz')
    // Bumped with every change of the sealed credentials; a rotation is written only over the version it read.
    .addColumn('credentials_version', 'integer', (c) => c.notNull().defaultTo(1))
    // One process at a time refreshes a rotating token: it holds this lease until it stores the new pair.
    .addColumn('refresh_lease_until', 'timestamptz')
    .addColumn('refresh_lease_token', 'text')
    .execute();

  await db.schema
    .alterTable('post_targets')
    // What a multi-step publish has done so far (media ids, thread parts), saved before each outside step.
    .addColumn('checkpoint', 'jsonb')
    // When the claiming worker last showed it was alive (its claim, each checkpoint): a claim quiet for
    // longer than a job lock and a call's timeout is abandoned; a younger one is someone's work in progress.
    .addColumn('progress_at', 'timestamptz')
    .addColumn('held_reason', 'text')
    // A supervisor let this target go out later than the window after its time allows on its own.
    .addColumn('late_released', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('held_until', 'timestamptz')
    .addColumn('external_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    // Taking a published post back: pending → retracting (claimed) → done, failed, unconfirmed or unsupported.
    .addColumn('retraction', 'text')
    .addColumn('retraction_error', 'text')
    .addColumn('retracted_at', 'timestamptz')
    .execute();
  // A retracted post's page answers 410 Gone and its feed entry goes.
  await db.schema.alterTable('news_items').addColumn('retracted_at', 'timestamptz').execute();
  await db.schema.createIndex('post_targets_channel_status_idx').on('post_targets').columns(['channel_id', 'status']).execute();
  await db.schema.createIndex('publish_attempts_started_idx').on('publish_attempts').columns(['target_id', 'started_at']).execute();

  // An account an admin handed a password to cannot approve for a while: the admin knew the password.
  await db.schema.alterTable('users').addColumn('approval_hold_until', 'timestamptz').execute();

  await db.schema.alterTable('posts').addColumn('channel_options', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`)).execute();

  // An OAuth connect in progress: the state names it, the PKCE verifier is sealed, and it works once.
  await db.schema
    .createTable('oauth_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id'))
    .addColumn('channel_id', 'uuid', (c) => c.references('channels.id'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('verifier_sealed', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('oauth_states').execute();
  await db.schema.alterTable('posts').dropColumn('channel_options').execute();
  await db.schema.alterTable('users').dropColumn('approval_hold_until').execute();
  await db.schema.dropIndex('publish_attempts_started_idx').execute();
  await db.schema.dropIndex('post_targets_channel_status_idx').execute();
  await db.schema.alterTable('news_items').dropColumn('retracted_at').execute();
  for (const c of ['checkpoint', 'progress_at', 'held_reason', 'late_released', 'retraction', 'retraction_error', 'retracted_at', 'held_until', 'external_ids']) await db.schema.alterTable('post_targets').dropColumn(c).execute();
  for (const c of ['health', 'limited_until', 'limit_reason', 'last_error', 'last_error_at', 'account_name', 'token_expires_at', 'credentials_version', 'refresh_lease_until', 'refresh_lease_token']) {
    await db.schema.alterTable('channels').dropColumn(c).execute();
  }
}
