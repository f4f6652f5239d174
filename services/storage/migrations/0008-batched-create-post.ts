// create-post's insert for several requests at once (services/storage/batched.ts): each item runs the very function a
// request alone runs (siaran_insert_new_post, migrations/0006), so a batch writes exactly what its requests would
// have written one by one. A batch is one transaction; its caller reruns the items one by one if the database
// refused it.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // p_items: [{ item, id, unit_id, ... }] as insertNewPost (services/posts/post.repository.ts) sends them; answers
  // each item with its author's name.
  await sql`
    create function siaran_insert_new_posts(p_items jsonb) returns table (n integer, name text) language plpgsql set lock_timeout = '1s' as $$
    declare
      x record;
    begin
      for x in
        select * from jsonb_to_recordset(p_items) as i(item integer, id uuid, unit_id uuid, author_id uuid, title text, body text,
                                                       variants jsonb, channel_options jsonb, status text, scheduled_at timestamptz,
                                                       version integer, created_at timestamptz, updated_at timestamptz,
                                                       target_ids uuid[], channel_ids uuid[], event_type text, event_data jsonb)
         order by i.item
      loop
        n := x.item;
        name := siaran_insert_new_post(x.id, x.unit_id, x.author_id, x.title, x.body, x.variants, x.channel_options, x.status,
          x.scheduled_at, x.version, x.created_at, x.updated_at, x.target_ids, x.channel_ids, x.event_type, x.event_data);
        return next;
      end loop;
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function siaran_insert_new_posts(jsonb)`.execute(db);
}
