// Recording a publication in one round trip. A publish's outcome must take the post's lock before it reads the
// post's other targets (two targets finishing together must not both leave the post "publishing"), and one SQL
// statement reads everything from the snapshot it started with. A PL/pgSQL function runs each of its statements
// with a fresh snapshot, so it can lock first and read after, and the worker pays one round trip instead of a
// transaction's five; its plans are also kept per connection instead of planned on every call.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // What a post's targets make of the post (settledPostStatus in shared/status-machine.ts; a test holds them alike).
  await sql`
    create function siaran_settled_status(statuses text[]) returns text language sql immutable as $$
      select case
        when bool_or(s in ('scheduled', 'held', 'publishing', 'pending')) then 'publishing'
        when bool_or(s = 'unconfirmed') then 'unconfirmed'
        when bool_or(s = 'failed') then 'failed'
        when bool_or(s = 'published') then 'published'
        else 'cancelled' end
      from unnest(statuses) as s where s <> 'cancelled'
    $$`.execute(db);

  // Once its targets have spoken, the post's status is theirs: moved, with its event, under the post's lock.
  await sql`
    create function siaran_settle_post(p_post uuid, p_now timestamptz) returns text language plpgsql as $$
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

  // 'lost' when the claim is no longer this worker's; 'retract' when the post was taken back meanwhile.
  await sql`
    create function siaran_record_published(
      p_target uuid, p_token text, p_post uuid, p_now timestamptz, p_external_id text, p_url text, p_ids jsonb, p_event jsonb
    ) returns text language plpgsql as $$
    declare
      post_status text;
    begin
      -- The post's lock first: the order every writer of a post's targets keeps.
      select status into post_status from posts where id = p_post for no key update;
      update post_targets
         set status = 'published', published_at = p_now, external_id = p_external_id, external_url = p_url,
             external_ids = p_ids, last_error = null, claim_token = null, updated_at = p_now
       where id = p_target and claim_token = p_token and status in ('publishing', 'unconfirmed');
      if not found then
        return 'lost';
      end if;
      update publish_attempts set finished_at = p_now, outcome = 'published', error_kind = null, error = null
       where target_id = p_target and claim_token = p_token;
      insert into post_events (post_id, actor_id, type, at, data) values (p_post, null, 'target.published', p_now, p_event);
      if post_status = 'retracted' then
        -- What went out after the post was taken back is taken back too.
        update post_targets set retraction = 'pending', retraction_error = null, updated_at = p_now
         where id = p_target and retraction is null;
        return 'retract';
      end if;
      perform siaran_settle_post(p_post, p_now);
      return 'recorded';
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function siaran_record_published(uuid, text, uuid, timestamptz, text, text, jsonb, jsonb)`.execute(db);
  await sql`drop function siaran_settle_post(uuid, timestamptz)`.execute(db);
  await sql`drop function siaran_settled_status(text[])`.execute(db);
}
