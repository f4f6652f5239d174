// A publish's two statements, for several jobs at once (services/storage/batched.ts): each item runs the very function
// a job alone runs (siaran_take_target, siaran_record_published), so a batch decides exactly what its items would
// have decided one by one. The items go in the order of their posts' ids: every batch locks posts in one order, so
// two batches never wait on each other in a circle. A batch is one transaction; its caller reruns the items one by
// one if it fails. A batch waits at most a second for a row another transaction holds (lock_timeout): one process
// sends one batch of a kind at a time, and a batch stuck behind one busy post would hold up every job of the
// process; failed, its items go alone and only the one on the busy post waits.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // p_targets, p_generations, p_tokens and p_nows are one item per index; the answer's n is the item's index
  // (from 1). A target that does not exist answers no row.
  await sql`
    create function siaran_take_targets(
      p_targets uuid[], p_generations integer[], p_tokens text[], p_nows timestamptz[], p_kinds text[], p_checkpoints jsonb,
      p_late_window_ms bigint, p_webhook_wait_ms bigint
    ) returns table (
      n integer, id uuid, status text, generation integer, attempts integer, claim_token text, claimed_at timestamptz,
      progress_at timestamptz, post_id uuid, checkpoint jsonb, late_released boolean,
      post_status text, title text, body text, variants jsonb, channel_options jsonb, scheduled_at timestamptz, unit_id uuid,
      channel_id uuid, kind text, channel_name text, settings jsonb, secret_ciphertext text, credentials_version integer,
      enabled boolean, health text, limited_until timestamptz, limit_reason text,
      unit_slug text, unit_name text, time_zone text, paused boolean, has_photos boolean, siblings jsonb, claimed_attempt integer
    ) language plpgsql set lock_timeout = '1s' as $$
    declare
      x record;
    begin
      for x in
        select i.target_id, i.item::integer as item
          from unnest(p_targets) with ordinality as i(target_id, item)
          left join post_targets t on t.id = i.target_id
         order by t.post_id, i.target_id, i.item
      loop
        return query select x.item, l.* from siaran_take_target(x.target_id, p_generations[x.item], p_tokens[x.item], p_nows[x.item],
          p_kinds, p_checkpoints, p_late_window_ms, p_webhook_wait_ms) as l;
      end loop;
    end $$`.execute(db);

  // p_items: [{ n, target, token, post, at, external_id, url, ids, event }]; answers each n with its outcome.
  await sql`
    create function siaran_record_published_many(p_items jsonb) returns table (n integer, outcome text) language plpgsql set lock_timeout = '1s' as $$
    declare
      x record;
    begin
      for x in
        select * from jsonb_to_recordset(p_items) as i(item integer, target uuid, token text, post uuid, at timestamptz,
                                                       external_id text, url text, ids jsonb, event jsonb)
         order by i.post, i.target, i.item
      loop
        n := x.item;
        outcome := siaran_record_published(x.target, x.token, x.post, x.at, x.external_id, x.url, x.ids, x.event);
        return next;
      end loop;
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function siaran_record_published_many(jsonb)`.execute(db);
  await sql`drop function siaran_take_targets(uuid[], integer[], text[], timestamptz[], text[], jsonb, bigint, bigint)`.execute(db);
}
