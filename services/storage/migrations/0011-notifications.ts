// Notifications: what a person is told (in the app, and by e-mail unless they turned it off), one row per person and
// event. The unique key (user, kind, event) is what makes a notification never written twice, whoever retries.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // On by default: a supervisor who never opened the account page still hears of a post waiting for them.
  await db.schema.alterTable('users').addColumn('email_notifications', 'boolean', (c) => c.notNull().defaultTo(true)).execute();
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('post_id', 'uuid', (c) => c.references('posts.id'))
    .addColumn('channel_id', 'uuid', (c) => c.references('channels.id'))
    // What happened, for the unique key, naming its subject: a post and its version, a post event's id (unique
    // across posts), a channel and its credentials' version.
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('read_at', 'timestamptz')
    // off: not to be e-mailed; pending: owed; sending: claimed by a worker that is talking to the SMTP server;
    // sent; unconfirmed: a worker stopped mid-send, so it may or may not have arrived; failed: refused or given up.
    .addColumn('email', 'text', (c) => c.notNull().check(sql`email in ('off', 'pending', 'sending', 'sent', 'unconfirmed', 'failed')`))
    .addColumn('email_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('email_at', 'timestamptz')
    .addColumn('email_error', 'text')
    .addUniqueConstraint('notifications_once', ['user_id', 'kind', 'event_key'])
    .execute();
  await db.schema.createIndex('notifications_user_idx').on('notifications').columns(['user_id', 'created_at']).execute();
  await sql`create index notifications_email_owed_idx on notifications (created_at) where email in ('pending', 'sending')`.execute(db);
  // Every page counts the reader's unread notifications: read from the unread alone, however many were read.
  await sql`create index notifications_unread_idx on notifications (user_id) where read_at is null`.execute(db);

  // The author hears how their post went out, written by the very statement that settles the post: a publish
  // pays no extra round trip for it, and the notification is never lost nor made twice (its key is the event's id).
  await sql`
    create or replace function siaran_settle_post(p_post uuid, p_now timestamptz) returns text language plpgsql as $$
    declare
      current_status text;
      next_status text;
      event_id bigint;
    begin
      select status into current_status from posts where id = p_post for no key update;
      if current_status is null or current_status not in ('scheduled', 'publishing', 'published', 'failed', 'unconfirmed') then
        return current_status;
      end if;
      select siaran_settled_status(array_agg(status)) into next_status from post_targets where post_id = p_post;
      if next_status <> current_status then
        update posts set status = next_status, updated_at = p_now where id = p_post;
        if next_status <> 'publishing' then
          insert into post_events (post_id, actor_id, type, at, data) values (p_post, null, 'post.' || next_status, p_now, '{}'::jsonb)
            returning id into event_id;
          if next_status in ('published', 'failed', 'unconfirmed') then
            insert into notifications (user_id, kind, post_id, event_key, data, created_at, email)
            select p.author_id, 'post.' || next_status, p.id, event_id::text,
                   jsonb_build_object('title', p.title, 'links', coalesce((
                     select jsonb_agg(jsonb_build_object('kind', c.kind, 'name', c.name, 'url', t.external_url, 'status', t.status, 'error', t.last_error) order by c.kind, c.name)
                       from post_targets t join channels c on c.id = t.channel_id
                      where t.post_id = p.id and t.status <> 'cancelled'), '[]'::jsonb)),
                   p_now, case when u.email_notifications then 'pending' else 'off' end
              from posts p join users u on u.id = p.author_id
             where p.id = p_post and not u.disabled
            on conflict do nothing;
          end if;
        end if;
      end if;
      return next_status;
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function siaran_settle_post(p_post uuid, p_now timestamptz) returns text language plpgsql as $$
    declare
      current_status text;
      next_status text;
    begin
      select status into current_status from posts where id = p_post for no key update;
      if current_status is null or current_status not in ('scheduled', 'publishing', 'published', 'failed', 'unconfirmed') then
        return current_status;
      end if;
      select siaran_settled_status(array_agg(status)) into next_status from post_targets where post_id = p_post;
      if next_status <> current_status then
        update posts set status = next_status, updated_at = p_now where id = p_post;
        if next_status <> 'publishing' then
          insert into post_events (post_id, actor_id, type, at, data) values (p_post, null, 'post.' || next_status, p_now, '{}'::jsonb);
        end if;
      end if;
      return next_status;
    end $$`.execute(db);
  await db.schema.dropTable('notifications').execute();
  await db.schema.alterTable('users').dropColumn('email_notifications').execute();
}
