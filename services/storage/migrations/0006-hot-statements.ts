// The hottest statements as functions: a publish's load and claim, a unit's path (asked by nearly every request),
// a new post's insert. Planning the load (four joins, the unit tree walked for a pause, the post's other targets)
// cost PostgreSQL about ten times what running it did, on every job; the unit path and the insert were planned
// on every request. A PL/pgSQL function keeps its plans per connection, on PostgreSQL and on the embedded database
// alike, so each call pays only for the run.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A target with everything a publish needs (LoadedTarget in services/publishing/publish.repository.ts).
  await sql`
    create function siaran_load_target(p_target uuid) returns table (
      id uuid, status text, generation integer, attempts integer, claim_token text, claimed_at timestamptz,
      progress_at timestamptz, post_id uuid, checkpoint jsonb, late_released boolean,
      post_status text, title text, body text, variants jsonb, channel_options jsonb, scheduled_at timestamptz, unit_id uuid,
      channel_id uuid, kind text, channel_name text, settings jsonb, secret_ciphertext text, credentials_version integer,
      enabled boolean, health text, limited_until timestamptz, limit_reason text,
      unit_slug text, unit_name text, time_zone text, paused boolean, has_photos boolean, siblings jsonb
    ) language plpgsql stable as $$
    #variable_conflict use_column
    begin
      return query
      select t.id, t.status, t.generation, t.attempts, t.claim_token, t.claimed_at, t.progress_at, t.post_id, t.checkpoint, t.late_released,
             p.status, p.title, p.body, p.variants, p.channel_options, p.scheduled_at, p.unit_id,
             c.id, c.kind, c.name, c.settings, c.secret_ciphertext, c.credentials_version, c.enabled, c.health, c.limited_until, c.limit_reason,
             u.slug, u.name, u.time_zone,
             -- Publishing is paused for the unit or any unit above it.
             exists (
               with recursive up(uid, parent, is_paused) as (
                 select x.id, x.parent_id, x.publishing_paused from units x where x.id = p.unit_id
                 union all
                 select x.id, x.parent_id, x.publishing_paused from units x join up on x.id = up.parent
               ) select 1 from up where up.is_paused),
             -- Whether there are photos to read at all, and the post's other targets (a webhook waits for them
             -- and carries their links).
             exists (select 1 from photos ph where ph.post_id = p.id),
             coalesce((
               select jsonb_agg(jsonb_build_object('status', s.status, 'external_url', s.external_url, 'kind', sc.kind))
                 from post_targets s join channels sc on sc.id = s.channel_id
                where s.post_id = t.post_id and s.id <> t.id and s.status <> 'cancelled'), '[]'::jsonb)
        from post_targets t
        join posts p on p.id = t.post_id
        join channels c on c.id = t.channel_id
        join units u on u.id = p.unit_id
       where t.id = p_target;
    end $$`.execute(db);

  // Takes the target for an attempt: from scheduled or held (p_abandoned null), or over an abandoned claim whose
  // token is known and whose worker has shown no progress since. The target taken (with the checkpoint its adapter
  // starts from, when one is given), the attempt opened and the post marked publishing, or nothing (null).
  // The post's row is locked before the target's, as every other writer of both does (cancel, reschedule, review,
  // recording an outcome): the other order could deadlock with them.
  await sql`
    create function siaran_claim_target(
      p_target uuid, p_generation integer, p_token text, p_now timestamptz, p_abandoned text, p_progress_at timestamptz, p_checkpoint jsonb
    ) returns integer language plpgsql as $$
    declare
      v_attempts integer;
      v_post uuid;
    begin
      select t.post_id into v_post from post_targets t where t.id = p_target;
      if not found then
        return null;
      end if;
      perform 1 from posts p where p.id = v_post for no key update;
      update post_targets t
         set status = 'publishing', claim_token = p_token, claimed_at = p_now, progress_at = p_now, attempts = t.attempts + 1,
             held_reason = null, held_until = null, updated_at = p_now, checkpoint = coalesce(p_checkpoint, t.checkpoint)
       where t.id = p_target and t.generation = p_generation
         and case when p_abandoned is null then t.status in ('scheduled', 'held')
                  else t.status = 'publishing' and t.claim_token = p_abandoned and t.progress_at is not distinct from p_progress_at end
      returning t.attempts into v_attempts;
      if not found then
        return null;
      end if;
      insert into publish_attempts (target_id, attempt, claim_token, started_at) values (p_target, v_attempts, p_token, p_now);
      update posts set status = 'publishing', updated_at = p_now where id = v_post and status = 'scheduled';
      return v_attempts;
    end $$`.execute(db);

  // Whether a loaded target may be claimed at once, as publishReadiness (services/publishing/publish-target.ts)
  // decides for the same facts: a test holds the two alike. Photos and a channel's pacing are looked at by the
  // worker before it claims; such targets are never claimed here.
  await sql`
    create function siaran_ready_to_claim(
      p_status text, p_post_status text, p_scheduled_at timestamptz, p_now timestamptz, p_paused boolean,
      p_late_released boolean, p_late_window_ms bigint, p_enabled boolean, p_health text, p_limited_until timestamptz,
      p_has_photos boolean, p_is_webhook boolean, p_siblings_waiting boolean, p_webhook_wait_ms bigint
    ) returns boolean language sql stable as $$
      select p_status in ('scheduled', 'held')
         and p_post_status in ('scheduled', 'publishing')
         and p_scheduled_at <= p_now + interval '1 second'
         and not p_paused
         and (p_late_released or p_now - p_scheduled_at <= p_late_window_ms * interval '1 millisecond')
         and p_enabled and p_health <> 'needs_reconnect'
         and (p_limited_until is null or p_limited_until <= p_now)
         and not p_has_photos
         and (not p_is_webhook or not p_siblings_waiting or p_now >= p_scheduled_at + p_webhook_wait_ms * interval '1 millisecond')
    $$`.execute(db);

  // A publish's first statement: the target loaded and, when nothing is left for the worker to look at first, claimed
  // in the same call (claimed_attempt; null when not claimed). p_kinds names the channel kinds that may be claimed
  // here (those without pacing), p_checkpoints the checkpoint each kind's attempt starts from.
  await sql`
    create function siaran_take_target(
      p_target uuid, p_generation integer, p_token text, p_now timestamptz, p_kinds text[], p_checkpoints jsonb,
      p_late_window_ms bigint, p_webhook_wait_ms bigint
    ) returns table (
      id uuid, status text, generation integer, attempts integer, claim_token text, claimed_at timestamptz,
      progress_at timestamptz, post_id uuid, checkpoint jsonb, late_released boolean,
      post_status text, title text, body text, variants jsonb, channel_options jsonb, scheduled_at timestamptz, unit_id uuid,
      channel_id uuid, kind text, channel_name text, settings jsonb, secret_ciphertext text, credentials_version integer,
      enabled boolean, health text, limited_until timestamptz, limit_reason text,
      unit_slug text, unit_name text, time_zone text, paused boolean, has_photos boolean, siblings jsonb, claimed_attempt integer
    ) language plpgsql as $$
    declare
      r record;
      v_attempt integer;
    begin
      select * into r from siaran_load_target(p_target) as l;
      if not found then
        return;
      end if;
      if r.generation = p_generation and r.kind = any(p_kinds)
         and siaran_ready_to_claim(r.status, r.post_status, r.scheduled_at, p_now, r.paused, r.late_released, p_late_window_ms,
               r.enabled, r.health, r.limited_until, r.has_photos, r.kind = 'webhook',
               exists (select 1 from jsonb_array_elements(r.siblings) e where e->>'status' in ('scheduled', 'publishing')),
               p_webhook_wait_ms) then
        v_attempt := siaran_claim_target(p_target, p_generation, p_token, p_now, null, null, p_checkpoints -> r.kind);
      end if;
      return query select r.id, r.status, r.generation, r.attempts, r.claim_token, r.claimed_at, r.progress_at, r.post_id, r.checkpoint,
        r.late_released, r.post_status, r.title, r.body, r.variants, r.channel_options, r.scheduled_at, r.unit_id, r.channel_id, r.kind,
        r.channel_name, r.settings, r.secret_ciphertext, r.credentials_version, r.enabled, r.health, r.limited_until, r.limit_reason,
        r.unit_slug, r.unit_name, r.time_zone, r.paused, r.has_photos, r.siblings, v_attempt;
    end $$`.execute(db);

  // The reconciler asks for targets waiting to be taken back on every pass; without an index that was a scan of
  // every target ever published. Few rows ever match, so the index stays small.
  await sql`create index post_targets_retraction_pending_idx on post_targets (id) where retraction = 'pending'`.execute(db);

  // The unit's id and its ancestors' ids, root first; empty for an unknown unit.
  await sql`
    create function siaran_unit_path(p_unit uuid) returns text[] language plpgsql stable as $$
    declare
      v_path text[];
    begin
      with recursive up(uid, parent, depth) as (
        select u.id, u.parent_id, 0 from units u where u.id = p_unit
        union all
        select u.id, u.parent_id, up.depth + 1 from units u join up on u.id = up.parent
      )
      select array_agg(up.uid::text order by up.depth desc) into v_path from up;
      return coalesce(v_path, '{}');
    end $$`.execute(db);

  // A unit's place in the tree is fixed: every process keeps the unit paths it has read (unitPath in
  // services/units/unit.repository.ts), and no process could tell the others that one changed.
  await sql`
    create function siaran_unit_parent_fixed() returns trigger language plpgsql as $$
    begin
      if new.parent_id is distinct from old.parent_id then
        raise exception 'a unit''s parent cannot be changed' using errcode = 'check_violation';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger units_parent_fixed before update of parent_id on units for each row execute function siaran_unit_parent_fixed()`.execute(db);

  // A new post with its targets and its first event, in one write; returns the author's name for the answer.
  await sql`
    create function siaran_insert_new_post(
      p_id uuid, p_unit uuid, p_author uuid, p_title text, p_body text, p_variants jsonb, p_channel_options jsonb,
      p_status text, p_scheduled_at timestamptz, p_version integer, p_created_at timestamptz, p_updated_at timestamptz,
      p_target_ids uuid[], p_channel_ids uuid[], p_event_type text, p_event_data jsonb
    ) returns text language plpgsql as $$
    declare
      v_name text;
    begin
      insert into posts (id, unit_id, author_id, title, body, variants, channel_options, status, scheduled_at, version, created_at, updated_at)
      values (p_id, p_unit, p_author, p_title, p_body, p_variants, p_channel_options, p_status, p_scheduled_at, p_version, p_created_at, p_updated_at);
      insert into post_targets (id, post_id, channel_id, status, updated_at)
      select x.tid, p_id, x.cid, 'pending', p_created_at from unnest(p_target_ids, p_channel_ids) as x(tid, cid);
      insert into post_events (post_id, actor_id, type, at, data) values (p_id, p_author, p_event_type, p_created_at, p_event_data);
      select u.name into v_name from users u where u.id = p_author;
      return coalesce(v_name, '');
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function siaran_insert_new_post(uuid, uuid, uuid, text, text, jsonb, jsonb, text, timestamptz, integer, timestamptz, timestamptz, uuid[], uuid[], text, jsonb)`.execute(db);
  await sql`drop trigger units_parent_fixed on units`.execute(db);
  await sql`drop function siaran_unit_parent_fixed()`.execute(db);
  await sql`drop function siaran_unit_path(uuid)`.execute(db);
  await sql`drop index post_targets_retraction_pending_idx`.execute(db);
  await sql`drop function siaran_take_target(uuid, integer, text, timestamptz, text[], jsonb, bigint, bigint)`.execute(db);
  await sql`drop function siaran_ready_to_claim(text, text, timestamptz, timestamptz, boolean, boolean, bigint, boolean, text, timestamptz, boolean, boolean, boolean, bigint)`.execute(db);
  await sql`drop function siaran_claim_target(uuid, integer, text, timestamptz, text, timestamptz, jsonb)`.execute(db);
  await sql`drop function siaran_load_target(uuid)`.execute(db);
}
