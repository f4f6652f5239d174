import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('units')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'uuid', (c) => c.references('units.id'))
    .addColumn('time_zone', 'text', (c) =>
      c.notNull().check(sql`time_zone in ('Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura')`),
    )
    .addColumn('publishing_paused', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('units_parent_idx').on('units').column('parent_id').execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('operator', 'supervisor', 'admin')`))
    .addColumn('password_hash', 'text')
    .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('channels')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id'))
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('news_page', 'webhook', 'x', 'facebook', 'instagram', 'telegram')`),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('secret_ciphertext', 'text')
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('channels_unit_idx').on('channels').column('unit_id').execute();
  // A unit has exactly one news page of its own.
  await sql`create unique index channels_one_news_page on channels (unit_id) where kind = 'news_page'`.execute(db);

  await db.schema
    .createTable('posts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id'))
    .addColumn('author_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('variants', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('scheduled_at', 'timestamptz', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('approved_by', 'uuid', (c) => c.references('users.id'))
    .addColumn('approved_at', 'timestamptz')
    .addColumn('review_note', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('posts_unit_sched_idx').on('posts').columns(['unit_id', 'scheduled_at']).execute();
  await db.schema.createIndex('posts_status_sched_idx').on('posts').columns(['status', 'scheduled_at']).execute();

  await db.schema
    .createTable('post_targets')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('post_id', 'uuid', (c) => c.notNull().references('posts.id'))
    .addColumn('channel_id', 'uuid', (c) => c.notNull().references('channels.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('claim_token', 'text')
    .addColumn('published_at', 'timestamptz')
    .addColumn('external_id', 'text')
    .addColumn('external_url', 'text')
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('post_targets_post_channel', ['post_id', 'channel_id'])
    .execute();
  await db.schema.createIndex('post_targets_status_idx').on('post_targets').column('status').execute();

  await db.schema
    .createTable('publish_attempts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('target_id', 'uuid', (c) => c.notNull().references('post_targets.id'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('claim_token', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('outcome', 'text')
    .addColumn('error_kind', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('publish_attempts_target_idx').on('publish_attempts').column('target_id').execute();

  await db.schema
    .createTable('post_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('post_id', 'uuid', (c) => c.notNull().references('posts.id'))
    .addColumn('actor_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex('post_events_post_idx').on('post_events').columns(['post_id', 'id']).execute();
  // The log is append-only: the database itself refuses to change or remove a recorded event.
  await sql`
    create function post_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'post_events is append-only';
    end $$`.execute(db);
  await sql`
    create trigger post_events_no_change before update or delete on post_events
    for each row execute function post_events_append_only()`.execute(db);

  await db.schema
    .createTable('news_items')
    .addColumn('post_id', 'uuid', (c) => c.primaryKey().references('posts.id'))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id'))
    .addColumn('target_id', 'uuid', (c) => c.notNull().references('post_targets.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('news_items_unit_idx').on('news_items').columns(['unit_id', 'published_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'news_items',
    'post_events',
    'publish_attempts',
    'post_targets',
    'posts',
    'channels',
    'api_tokens',
    'users',
    'units',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function if exists post_events_append_only()`.execute(db);
}
