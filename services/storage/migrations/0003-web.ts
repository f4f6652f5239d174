import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('web_sessions')
    // sha256 of the cookie value: a leaked table holds no usable session.
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull().check(sql`stage in ('full', 'totp', 'enroll', 'password')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('web_sessions_user_idx').on('web_sessions').column('user_id').execute();

  await db.schema
    .createTable('login_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('web_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema.alterTable('users').addColumn('totp_secret', 'text').execute();
  // The last accepted TOTP time step: a code seen once is not accepted again.
  await db.schema.alterTable('users').addColumn('totp_last_step', 'bigint').execute();
  // A password an admin handed over (invite, reset) works once: its holder must choose their own.
  await db.schema.alterTable('users').addColumn('password_must_change', 'boolean', (c) => c.notNull().defaultTo(false)).execute();

  // What admins did to users, units, channels and settings: who, when, to what, with the change.
  await db.schema
    .createTable('admin_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('actor_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await sql`
    create function admin_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'admin_events is append-only';
    end $$`.execute(db);
  await sql`
    create trigger admin_events_no_change before update or delete on admin_events
    for each row execute function admin_events_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('admin_events').execute();
  await sql`drop function if exists admin_events_append_only()`.execute(db);
  await db.schema.alterTable('users').dropColumn('password_must_change').execute();
  await db.schema.alterTable('users').dropColumn('totp_last_step').execute();
  await db.schema.alterTable('users').dropColumn('totp_secret').execute();
  await db.schema.dropTable('web_settings').execute();
  await db.schema.dropTable('login_throttle').execute();
  await db.schema.dropTable('web_sessions').execute();
}
