// Writing a post: create a draft, edit it. An edit to an approved post sends it back for approval.
import { randomUUID } from 'node:crypto';
import { CompiledQuery, type Kysely } from 'kysely';
import { AppError } from '../../shared/errors';
import type { Actor, CreatePostInput, Post, UpdatePostInput } from '../../shared/post';
import { type UnitChannel, checkContent, latestScheduleTime, tooFarFinding } from '../../shared/rules/content-rules';
import { type ProtectedDataScan, scanEachTextOnce } from '../../shared/rules/protected-data';
import type { Finding } from '../../shared/rules/finding';
import { nextStatus, EDITABLE, UNDER_REVIEW } from '../../shared/status-machine';
import { parseInstant, type TimeZone } from '../../shared/time';
import { REQUEST_BATCHES, batchedLookup, oncePer } from '../storage/batched';
import type { DB } from '../storage/schema';
import { emailQuietly } from '../notifications/deps';
import { notifyAwaitingApproval } from '../notifications/notify';
import { type Unit, getUnit, unitNotFound } from '../units/unit.repository';
import { assertExpectedVersion, assertMayAuthor, postInReach } from './access';
import type { PostDeps } from './deps';
import { type Db, appendEvent, insertNewPost, lastContentEvent, masked, maskedSnapshot, retargetLive, setTargetChannels, updatePostRow } from './post.repository';
import { type PostView, viewNewPost, viewPost } from './post-view';
import { recordFingerprint } from './similar-posts';

export async function createPost(deps: PostDeps, actor: Actor, input: CreatePostInput): Promise<PostView> {
  const now = deps.now();
  const { unit, path, enabled } = await unitForWriting(deps.db, input.unitId ?? actor.unitId);
  assertMayAuthor(actor, path);
  const scheduledAt = readTime(input.scheduledAt, unit.time_zone, now);
  assertOwnChannels(input.channelIds, enabled);

  const post = newDraft({ unitId: unit.id, authorId: actor.id, title: input.title, body: input.body, variants: input.variants, channelOptions: input.channelOptions, scheduledAt }, now);
  const targets = input.channelIds.map((channelId) => ({ id: randomUUID(), channelId, channelKind: enabled.get(channelId)!.kind }));
  // The history's masked copy and the answer's findings read the same texts: each is scanned once.
  const scan = scanEachTextOnce();
  // The answer is made from what was written, not read back.
  const authorName = await insertNewPost(deps.db, post, targets, { type: 'created', data: { after: maskedSnapshot(post, input.channelIds, scan) } });
  // A post that did not exist a moment ago has no photos yet, so no renditions to ask for.
  return viewNewPost(post, unit, authorName, targets, findingsFor(post, input.channelIds, enabled, unit.time_zone, now, deps, [], scan));
}

/** A new draft as its author wrote it: version 1, nobody's approval yet. */
export function newDraft(content: Pick<Post, 'unitId' | 'authorId' | 'title' | 'body' | 'variants' | 'channelOptions' | 'scheduledAt'>, now: Date): Post {
  return {
    id: randomUUID(),
    ...content,
    status: 'draft',
    version: 1,
    approvedBy: null,
    approvedAt: null,
    reviewNote: null,
    sensitive: false,
    firstApproval: null,
    createdAt: now,
    updatedAt: now,
  };
}

async function channelsChangedQuietly(deps: PostDeps, postId: string): Promise<void> {
  try {
    await deps.channelsChanged?.(postId);
  } catch (err) {
    // Renditions missing at publish time hold the post back and are asked for again then.
    deps.log.warn({ err, postId }, 'could not queue renditions for the new channels');
  }
}

export async function updatePost(deps: PostDeps, actor: Actor, postId: string, input: UpdatePostInput): Promise<PostView> {
  const now = deps.now();
  const result = await deps.db.transaction().execute(async (trx) => {
    const { post, path } = await postInReach(trx, actor, postId, true);
    assertMayAuthor(actor, path);
    assertExpectedVersion(post, input.expectedVersion);
    if (!EDITABLE.includes(post.status)) nextStatus(post.status, 'edit');
    const unit = await getUnit(trx, post.unitId);
    const enabled = await enabledChannels(trx, unit.id);
    const currentChannels = await liveChannelIds(trx, post.id);
    const channelIds = input.channelIds ?? currentChannels;
    if (input.channelIds) assertOwnChannels(input.channelIds, enabled);

    const changes: Record<string, { before: unknown; after: unknown }> = {};
    // Texts are kept masked: a NIK typed and removed again leaves no digits behind.
    const maskValue = (v: unknown): unknown =>
      typeof v === 'string' ? masked(v) : v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskValue(x)])) : v;
    const note = <T>(field: string, before: T, after: T | undefined) => {
      if (after !== undefined && JSON.stringify(before) !== JSON.stringify(after)) changes[field] = { before: maskValue(before), after: maskValue(after) };
    };
    const scheduledAt = input.scheduledAt !== undefined ? readTime(input.scheduledAt, unit.time_zone, now) : undefined;
    note('title', post.title, input.title);
    note('body', post.body, input.body);
    note('variants', post.variants, input.variants);
    note('channelOptions', post.channelOptions, input.channelOptions);
    note('scheduledAt', post.scheduledAt.toISOString(), scheduledAt?.toISOString());
    note('channelIds', [...currentChannels].sort(), input.channelIds ? [...input.channelIds].sort() : undefined);
    if (Object.keys(changes).length === 0) return { post, unschedule: [], emails: [] };

    const status = nextStatus(post.status, 'edit');
    // Whatever was queued for the old content must not go out: bump every live target's generation.
    const moved = post.status === 'scheduled' ? await retargetLive(trx, post.id, 'pending', now) : { before: [] };
    const updated = await updatePostRow(
      trx,
      post,
      {
        ...(input.title !== undefined ? { title: input.title } : {}),
        ...(input.body !== undefined ? { body: input.body } : {}),
        ...(input.variants !== undefined ? { variants: input.variants } : {}),
        ...(input.channelOptions !== undefined ? { channelOptions: input.channelOptions } : {}),
        ...(scheduledAt ? { scheduled_at: scheduledAt } : {}),
        status,
        ...(post.status === 'scheduled' ? { approved_by: null, approved_at: null } : {}),
      },
      now,
    );
    if (input.channelIds) await setTargetChannels(trx, post.id, channelIds, now);
    // A post changed while it waits for approval is compared as it now reads, not as it was submitted.
    if (status !== 'draft') await recordFingerprint(trx, updated, path, now);
    if (post.status === 'draft' && status === 'draft') {
      // A draft is work in progress, saved as it is typed: the history records who worked on it (four eyes
      // needs that), once per person in a row, and which fields, not a copy of every keystroke. What the
      // draft says when it is submitted is recorded then.
      const last = await lastContentEvent(trx, post.id);
      if (last?.actor_id !== actor.id) {
        await appendEvent(trx, { postId: post.id, actorId: actor.id, type: 'edited', at: now, data: { fields: Object.keys(changes), statusBefore: post.status, statusAfter: status } });
      }
    } else {
      await appendEvent(trx, {
        postId: post.id,
        actorId: actor.id,
        type: 'edited',
        at: now,
        data: { changes, statusBefore: post.status, statusAfter: status },
      });
    }
    // An approved post changed goes back to the supervisors, who are told so.
    const emails = post.status === 'scheduled' ? await notifyAwaitingApproval(trx, updated, actor.id, now) : [];
    return { post: updated, unschedule: moved.before, emails };
  });
  await unscheduleQuietly(deps, result.unschedule);
  await emailQuietly(deps.emails, deps.log, result.emails);
  if (input.channelIds) await channelsChangedQuietly(deps, result.post.id);
  const unit = await getUnit(deps.db, result.post.unitId);
  return viewPost(deps.db, result.post, await findingsOf(deps.db, result.post, unit.time_zone, now, deps));
}

export function findingsFor(
  post: Post,
  channelIds: readonly string[],
  enabled: ReadonlyMap<string, UnitChannel>,
  zone: TimeZone,
  now: Date,
  rules: FindingRules,
  photos: ReadonlyArray<{ altText: string }>,
  scan?: ProtectedDataScan,
): Finding[] {
  // Findings speak to what someone can still act on: everything while the post is under review; once approved and
  // waiting, all but its time (approved, and not "too soon" because the moment draws near); once out, nothing.
  if (!UNDER_REVIEW.includes(post.status) && post.status !== 'scheduled') return [];
  const findings = checkContent(
    { title: post.title, body: post.body, variants: post.variants, channelOptions: post.channelOptions, channelIds, photos, scheduledAt: post.scheduledAt },
    { now, minLeadSeconds: rules.minLeadSeconds, zone, unitChannels: enabled, photosUnreachable: rules.photosUnreachable, scan },
  );
  return post.status === 'scheduled' ? findings.filter((f) => f.field !== 'scheduledAt') : findings;
}

/** The post's findings as they stand in the database: its live channels, its photos. */
/** The installation's settings the findings read: the lead time (0 once a supervisor acts), whether Instagram can fetch photos. */
export type FindingRules = Pick<PostDeps, 'minLeadSeconds' | 'photosUnreachable'>;

export async function findingsOf(db: Db, post: Post, zone: TimeZone, now: Date, rules: FindingRules): Promise<Finding[]> {
  const enabled = await enabledChannels(db, post.unitId);
  const channels = await liveChannelIds(db, post.id);
  const photos = await db.selectFrom('photos').select('alt_text').where('post_id', '=', post.id).orderBy('position').orderBy('created_at').execute();
  return findingsFor(post, channels, enabled, zone, now, rules, photos.map((p) => ({ altText: p.alt_text })));
}

type UnitForWritingRow = Unit & { unit_path: string[]; enabled_channels: Array<{ id: string } & UnitChannel> };

// The unit, its path and its enabled channels, for one unit or (requests arriving together) several.
const UNITS_FOR_WRITING = `
  select u.*, siaran_unit_path(u.id) as unit_path,
         coalesce((select jsonb_agg(jsonb_build_object('id', c.id, 'kind', c.kind, 'name', c.name))
                     from channels c where c.unit_id = u.id and c.enabled), '[]'::jsonb) as enabled_channels
    from units u where u.id = any($1::uuid[])`;

/** Reads of requests arriving while the last one runs go together (services/storage/batched.ts), mapped back by id. */
const unitReader = oncePer((db: Kysely<DB>) =>
  batchedLookup(async (unitIds: string[]) => {
    const r = await db.executeQuery<UnitForWritingRow>(CompiledQuery.raw(UNITS_FOR_WRITING, [[...new Set(unitIds)]]));
    const byId = new Map(r.rows.map((row) => [row.id, row]));
    return unitIds.map((id) => byId.get(id));
  }, REQUEST_BATCHES),
);

/** The unit, its path (root first) and its enabled channels, in one statement: what a new post in it needs first. */
async function unitForWriting(db: Db, unitId: string): Promise<{ unit: Unit; path: string[]; enabled: Map<string, UnitChannel> }> {
  // The database answers ids in lower case; an id may come in either.
  const id = unitId.toLowerCase();
  const row = db.isTransaction ? (await db.executeQuery<UnitForWritingRow>(CompiledQuery.raw(UNITS_FOR_WRITING, [[id]]))).rows[0] : await unitReader(db)(id);
  if (!row) throw unitNotFound(unitId);
  const { unit_path: path, enabled_channels: channels, ...unit } = row;
  // Rows are shared by the requests of one batch: each request gets its own map.
  return { unit, path: [...path], enabled: new Map(channels.map((c) => [c.id, { kind: c.kind, name: c.name }])) };
}

/** The unit's enabled channels, by id: what a post of the unit may pick. */
export async function enabledChannels(db: Db, unitId: string): Promise<Map<string, UnitChannel>> {
  const rows = await db.selectFrom('channels').select(['id', 'kind', 'name']).where('unit_id', '=', unitId).where('enabled', '=', true).execute();
  return new Map(rows.map((r) => [r.id, { kind: r.kind, name: r.name }]));
}

export async function liveChannelIds(db: Db, postId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('post_targets')
    .select('channel_id')
    .where('post_id', '=', postId)
    .where('status', '!=', 'cancelled')
    .execute();
  return rows.map((r) => r.channel_id);
}

export async function unscheduleQuietly(deps: PostDeps, slots: Array<{ targetId: string; generation: number }>): Promise<void> {
  if (slots.length === 0) return;
  try {
    await deps.scheduler.unschedule(slots);
  } catch (err) {
    // The bumped generation already fences these jobs off; removing them only saves a wasted wake-up.
    deps.log.warn({ err, slots: slots.length }, 'could not remove stale publish jobs; they will be skipped');
  }
}

/**
 * Reads a typed publish time; a time already past, or further off than a post may wait, is refused outright,
 * even for a draft: neither can ever go out as typed (and a year past 9999 is no time the database can hold).
 */
export function readTime(text: string, zone: TimeZone, now: Date): Date {
  const at = parseInstant(text, zone);
  const latest = latestScheduleTime(now);
  if (at && at.getTime() > latest.getTime()) {
    const finding = tooFarFinding(latest, zone);
    // With the finding itself, so the compose page shows it once, at the time field, as the other findings.
    throw new AppError('validation', finding.code, finding.message, { field: 'scheduledAt', findings: [finding] });
  }
  if (at && at.getTime() < now.getTime()) {
    throw new AppError('validation', 'schedule.in_past', {
      id: 'Waktu terbit sudah lewat. Pilih waktu yang akan datang.',
      en: 'The publish time is in the past. Pick a time to come.',
    }, { field: 'scheduledAt' });
  }
  if (!at) {
    throw new AppError('validation', 'schedule.invalid', {
      id: 'Waktu terbit tidak terbaca. Gunakan format 2026-11-24T09:00.',
      en: 'The publish time cannot be read. Use the form 2026-11-24T09:00.',
    }, { field: 'scheduledAt' });
  }
  return at;
}

function assertOwnChannels(channelIds: readonly string[], enabled: ReadonlyMap<string, UnitChannel>): void {
  const foreign = channelIds.filter((id) => !enabled.has(id));
  if (foreign.length > 0) {
    throw new AppError('validation', 'channels.foreign', {
      id: 'Ada kanal yang bukan milik satuan ini atau tidak aktif.',
      en: 'Some channels do not belong to this unit or are disabled.',
    }, { channelIds: foreign });
  }
  if (new Set(channelIds).size !== channelIds.length) {
    throw new AppError('validation', 'channels.duplicate', {
      id: 'Kanal yang sama dipilih dua kali.',
      en: 'The same channel is picked twice.',
    });
  }
}
