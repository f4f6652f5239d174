import { randomUUID } from 'node:crypto';
import { CompiledQuery, type Kysely, type Transaction, sql } from 'kysely';
import { AppError } from '../../shared/errors';
import type { ChannelKind, ChannelOptions, Post, PostStatus, PostTarget, TargetStatus } from '../../shared/post';
import { type ProtectedDataScan, findProtectedData, maskProtected } from '../../shared/rules/protected-data';
import { REQUEST_BATCHES, batched, oncePer, refusedByDatabase } from '../storage/batched';
import type { DB, PostRow } from '../storage/schema';

export type Db = Kysely<DB> | Transaction<DB>;

export function toPost(row: PostRow): Post {
  return {
    id: row.id,
    unitId: row.unit_id,
    authorId: row.author_id,
    title: row.title,
    body: row.body,
    variants: row.variants,
    channelOptions: row.channel_options,
    status: row.status,
    scheduledAt: row.scheduled_at,
    version: row.version,
    approvedBy: row.approved_by,
    approvedAt: row.approved_at,
    reviewNote: row.review_note,
    sensitive: row.sensitive,
    firstApproval:
      row.first_approved_by !== null && row.first_approved_unit_id !== null && row.first_approved_at !== null && row.first_approved_version !== null
        ? { by: row.first_approved_by, unitId: row.first_approved_unit_id, at: row.first_approved_at, version: row.first_approved_version }
        : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function postNotFound(id: string): AppError {
  return new AppError('not-found', 'post.not_found', {
    id: `Pos ${id} tidak ditemukan.`,
    en: `Post ${id} not found.`,
  });
}

/** Reads a post; `forUpdate` locks its row until the transaction ends. */
export async function getPost(db: Db, id: string, forUpdate = false): Promise<Post> {
  let q = db.selectFrom('posts').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw postNotFound(id);
  return toPost(row);
}

export async function targetsOf(db: Db, postId: string): Promise<PostTarget[]> {
  return (await targetsOfPosts(db, [postId])).get(postId) ?? [];
}

/** The targets of many posts in one query (a list or a calendar asks once, not once per post). */
export async function targetsOfPosts(db: Db, postIds: readonly string[]): Promise<Map<string, PostTarget[]>> {
  const byPost = new Map<string, PostTarget[]>();
  if (postIds.length === 0) return byPost;
  const rows = await db
    .selectFrom('post_targets as t')
    .innerJoin('channels as c', 'c.id', 't.channel_id')
    .selectAll('t')
    .select('c.kind as channel_kind')
    .where('t.post_id', 'in', [...postIds])
    .orderBy('c.kind')
    .orderBy('t.id')
    .execute();
  for (const r of rows) {
    const list = byPost.get(r.post_id) ?? [];
    list.push({
      id: r.id,
      postId: r.post_id,
      channelId: r.channel_id,
      channelKind: r.channel_kind,
      status: r.status,
      attempts: r.attempts,
      generation: r.generation,
      claimedAt: r.claimed_at,
      publishedAt: r.published_at,
      externalId: r.external_id,
      externalUrl: r.external_url,
      externalIds: r.external_ids,
      lastError: r.last_error,
      lastErrorKind: r.last_error_kind,
      heldReason: r.held_reason,
      heldUntil: r.held_until,
      retraction: r.retraction,
      retractionError: r.retraction_error,
    });
    byPost.set(r.post_id, list);
  }
  return byPost;
}

const INSERT_NEW_POST = 'select siaran_insert_new_post($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) as name';

/** A new post with its targets and its first event; returns the author's name, for the answer. */
export async function insertNewPost(
  db: Db,
  post: Post,
  targets: ReadonlyArray<{ id: string; channelId: string }>,
  event: { type: string; data: Record<string, unknown> },
): Promise<string> {
  // siaran_insert_new_post (migrations/0006): one statement, so atomic without a transaction, with its plans kept.
  // Outside a transaction, posts of requests arriving while the last insert runs go together
  // (siaran_insert_new_posts, migrations/0008); inside one, the insert belongs to that transaction alone.
  const item: NewPostItem = { post, targets, event };
  return db.isTransaction ? insertOne(db, item) : newPostWriter(db)(item);
}

export interface NewPostItem {
  post: Post;
  targets: ReadonlyArray<{ id: string; channelId: string }>;
  event: { type: string; data: Record<string, unknown> };
}

async function insertOne(db: Db, { post, targets, event }: NewPostItem): Promise<string> {
  const r = await db.executeQuery<{ name: string }>(
    CompiledQuery.raw(INSERT_NEW_POST, [
      post.id, post.unitId, post.authorId, post.title, post.body, JSON.stringify(post.variants), JSON.stringify(post.channelOptions),
      post.status, post.scheduledAt, post.version, post.createdAt, post.updatedAt,
      targets.map((t) => t.id), targets.map((t) => t.channelId), event.type, JSON.stringify(event.data),
    ]),
  );
  return r.rows[0]?.name ?? '';
}

const INSERT_NEW_POSTS = 'select n, name from siaran_insert_new_posts($1)';

/** Several new posts in one statement (siaran_insert_new_posts); their authors' names, in order. */
async function insertMany(db: Db, items: readonly NewPostItem[]): Promise<string[]> {
  const rows = items.map(({ post, targets, event }, i) => ({
    item: i + 1,
    id: post.id,
    unit_id: post.unitId,
    author_id: post.authorId,
    title: post.title,
    body: post.body,
    variants: post.variants,
    channel_options: post.channelOptions,
    status: post.status,
    scheduled_at: post.scheduledAt,
    version: post.version,
    created_at: post.createdAt,
    updated_at: post.updatedAt,
    target_ids: targets.map((t) => t.id),
    channel_ids: targets.map((t) => t.channelId),
    event_type: event.type,
    event_data: event.data,
  }));
  const r = await db.executeQuery<{ n: number; name: string | null }>(CompiledQuery.raw(INSERT_NEW_POSTS, [JSON.stringify(rows)]));
  const names = new Map(r.rows.map((row) => [row.n, row.name ?? '']));
  return items.map((_, i) => {
    const name = names.get(i + 1);
    if (name === undefined) throw new Error('a batch of new posts left one unwritten');
    return name;
  });
}

/** How much of a post's text one statement carries: each post's text travels twice (the post, its first event). */
const textWeight = ({ post }: NewPostItem) => 2 * (post.title.length + post.body.length + Object.values(post.variants).reduce((n, v) => n + v.length, 0));
const MAX_STATEMENT_WEIGHT = 4_000_000;

/**
 * Many new posts inside the caller's transaction (a posting plan's drafts), a few hundred to a statement: ten
 * thousand one-post statements would hold the transaction, and on the embedded database every other query, far longer.
 */
export async function insertNewPostsIn(trx: Transaction<DB>, items: readonly NewPostItem[]): Promise<void> {
  let chunk: NewPostItem[] = [];
  let weight = 0;
  for (const item of items) {
    if (chunk.length > 0 && (chunk.length >= 250 || weight + textWeight(item) > MAX_STATEMENT_WEIGHT)) {
      await insertMany(trx, chunk);
      chunk = [];
      weight = 0;
    }
    chunk.push(item);
    weight += textWeight(item);
  }
  if (chunk.length > 0) await insertMany(trx, chunk);
}

const newPostWriter = oncePer((db: Kysely<DB>) => {
  const many = (items: NewPostItem[]) => insertMany(db, items);
  return batched((item: NewPostItem) => insertOne(db, item), many, {
    ...REQUEST_BATCHES,
    // A statement carries a few megabytes of text at most.
    weight: textWeight,
    maxWeight: MAX_STATEMENT_WEIGHT,
    // Run again after a batch whose answer was lost, a post already written would fail as a duplicate.
    rerunAfter: refusedByDatabase,
  });
});

export async function appendEvent(
  db: Db,
  e: { postId: string; actorId: string | null; type: string; at: Date; data?: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('post_events')
    .values({ post_id: e.postId, actor_id: e.actorId, type: e.type, at: e.at, data: JSON.stringify(e.data ?? {}) })
    .execute();
}

/** Makes the post's targets exactly these channels, keeping the rows of channels that stay. */
export async function setTargetChannels(db: Db, postId: string, channelIds: readonly string[], at: Date): Promise<void> {
  const current = await db.selectFrom('post_targets').select(['id', 'channel_id']).where('post_id', '=', postId).execute();
  const wanted = new Set(channelIds);
  const gone = current.filter((t) => !wanted.has(t.channel_id)).map((t) => t.id);
  if (gone.length > 0) {
    // A target that never went out leaves no trace worth keeping; its attempts table rows would block it.
    await db.deleteFrom('post_targets').where('id', 'in', gone).where('attempts', '=', 0).execute();
    await db
      .updateTable('post_targets')
      .set({ status: 'cancelled', generation: sql`generation + 1`, updated_at: at })
      .where('id', 'in', gone)
      .execute();
  }
  const have = new Set(current.map((t) => t.channel_id));
  const added = channelIds.filter((c) => !have.has(c));
  if (added.length > 0) {
    await db
      .insertInto('post_targets')
      .values(added.map((channelId) => ({ id: randomUUID(), post_id: postId, channel_id: channelId, status: 'pending' as const, updated_at: at })))
      .execute();
  }
  if (channelIds.length > 0) {
    // A channel picked again after being dropped comes back to life.
    await db
      .updateTable('post_targets')
      .set({ status: 'pending', updated_at: at })
      .where('post_id', '=', postId)
      .where('channel_id', 'in', [...channelIds])
      .where('status', '=', 'cancelled')
      .execute();
  }
}

/**
 * Moves every live target of the post to `to`, bumping the generation so that any job queued
 * for an earlier generation finds itself stale. Returns the slots before and after.
 */
export async function retargetLive(
  db: Db,
  postId: string,
  to: TargetStatus,
  at: Date,
): Promise<{ before: Array<{ targetId: string; generation: number }>; after: Array<{ targetId: string; generation: number }> }> {
  const rows = await db
    .updateTable('post_targets')
    .set({ status: to, generation: sql`generation + 1`, held_reason: null, held_until: null, late_released: false, updated_at: at })
    .where('post_id', '=', postId)
    .where('status', 'in', ['pending', 'scheduled', 'held'])
    .returning(['id', 'generation'])
    .execute();
  return {
    before: rows.map((r) => ({ targetId: r.id, generation: r.generation - 1 })),
    after: rows.map((r) => ({ targetId: r.id, generation: r.generation })),
  };
}

export async function updatePostRow(
  db: Db,
  post: Post,
  changes: Partial<
    Pick<PostRow, 'title' | 'body' | 'status' | 'scheduled_at' | 'approved_by' | 'approved_at' | 'review_note' | 'sensitive' | 'first_approved_by' | 'first_approved_unit_id' | 'first_approved_at' | 'first_approved_version'>
  > & {
    variants?: Record<string, string>;
    channelOptions?: Record<string, ChannelOptions>;
  },
  at: Date,
): Promise<Post> {
  const { variants, channelOptions, ...rest } = changes;
  const row = await db
    .updateTable('posts')
    .set({
      ...rest,
      ...(variants !== undefined ? { variants: JSON.stringify(variants) } : {}),
      ...(channelOptions !== undefined ? { channel_options: JSON.stringify(channelOptions) } : {}),
      version: post.version + 1,
      updated_at: at,
    })
    .where('id', '=', post.id)
    .where('version', '=', post.version)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw versionConflict({ postId: post.id });
  return toPost(row);
}

export function versionConflict(details: Record<string, unknown>): AppError {
  return new AppError('conflict', 'post.version_conflict', {
    id: 'Pos ini baru saja diubah orang lain. Muat ulang lalu coba lagi.',
    en: 'Someone else changed this post just now. Reload and try again.',
  }, details);
}

export interface PostFilter {
  unitIds: readonly string[];
  statuses?: readonly PostStatus[] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Only posts with a live (not cancelled) target on a channel of this kind. */
  channelKind?: ChannelKind | undefined;
  limit: number;
  offset: number;
}

export async function listPosts(db: Db, f: PostFilter): Promise<Post[]> {
  if (f.unitIds.length === 0) return [];
  let q = db.selectFrom('posts').selectAll().where('unit_id', 'in', [...f.unitIds]);
  if (f.statuses && f.statuses.length > 0) q = q.where('status', 'in', [...f.statuses]);
  const kind = f.channelKind;
  if (kind) {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('post_targets as t')
          .innerJoin('channels as c', 'c.id', 't.channel_id')
          .select('t.id')
          .whereRef('t.post_id', '=', 'posts.id')
          .where('t.status', '!=', 'cancelled')
          .where('c.kind', '=', kind),
      ),
    );
  }
  if (f.from) q = q.where('scheduled_at', '>=', f.from);
  if (f.to) q = q.where('scheduled_at', '<', f.to);
  const rows = await q.orderBy('scheduled_at', 'desc').orderBy('id').limit(f.limit).offset(f.offset).execute();
  return rows.map(toPost);
}

export async function eventsOf(db: Db, postId: string) {
  return db
    .selectFrom('post_events as e')
    .leftJoin('users as u', 'u.id', 'e.actor_id')
    .select([sql<string>`e.id::text`.as('id'), 'e.type', 'e.at', 'e.data', 'e.actor_id', 'u.name as actor_name', 'u.email as actor_email'])
    .where('e.post_id', '=', postId)
    .orderBy('e.id')
    .execute();
}

/** Event types that change what goes out; their actors are the post's contributors. */
export const CONTENT_EVENTS = ['created', 'edited', 'photo_added', 'photo_changed', 'photo_removed', 'rescheduled', 'unmarked_sensitive'] as const;

/**
 * Everyone who wrote or changed any part of the post. A supervisor's reschedule that kept the approval is
 * itself an approval of the new time, not a change to be approved by someone else.
 */
export async function contributorsOf(db: Db, postId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('post_events')
    .select(['actor_id', 'type', 'data'])
    .where('post_id', '=', postId)
    .where('type', 'in', [...CONTENT_EVENTS])
    .where('actor_id', 'is not', null)
    .execute();
  const ids = rows.filter((r) => !(r.type === 'rescheduled' && (r.data as { statusAfter?: unknown }).statusAfter === 'scheduled')).map((r) => r.actor_id!);
  // Whoever took a photo in is part of what it shows, even when someone else attached it.
  const uploaders = await db.selectFrom('photos').select('uploaded_by').where('post_id', '=', postId).execute();
  return [...new Set([...ids, ...uploaders.map((u) => u.uploaded_by)])];
}

/** A change to the post's photos is a change to the post: a new version, which the supervisor must see. */
export async function bumpPostVersion(db: Db, postId: string, at: Date): Promise<void> {
  await db.updateTable('posts').set({ version: sql`version + 1`, updated_at: at }).where('id', '=', postId).execute();
}

/** Text as the history keeps it: personal data masked, its code and place recorded, never its characters. */
export function masked(text: string, scan: ProtectedDataScan = findProtectedData): string {
  return maskProtected(text, scan).text;
}

/** What goes out, as the history keeps it: every text masked. */
export function maskedSnapshot(
  post: Pick<Post, 'title' | 'body' | 'variants' | 'channelOptions' | 'scheduledAt'>,
  channelIds: readonly string[],
  scan: ProtectedDataScan = findProtectedData,
) {
  return {
    title: masked(post.title, scan),
    body: masked(post.body, scan),
    variants: Object.fromEntries(Object.entries(post.variants).map(([k, v]) => [k, masked(v, scan)])),
    channelOptions: post.channelOptions,
    scheduledAt: post.scheduledAt.toISOString(),
    channelIds: [...channelIds].sort(),
  };
}
export type MaskedSnapshot = ReturnType<typeof maskedSnapshot>;

/** Field by field, what differs between two snapshots. */
export function snapshotChanges(before: MaskedSnapshot, after: MaskedSnapshot): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  for (const key of Object.keys(after) as Array<keyof MaskedSnapshot>) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = { before: before[key], after: after[key] };
  }
  return changes;
}

/** The last event of the post that changed its content, if any. */
export async function lastContentEvent(db: Db, postId: string) {
  return db
    .selectFrom('post_events')
    .select(['actor_id', 'type', 'data'])
    .where('post_id', '=', postId)
    .where('type', 'in', [...CONTENT_EVENTS, 'submitted'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The snapshot recorded at the post's last submission, if it was submitted before. */
export async function lastSubmittedSnapshot(db: Db, postId: string): Promise<MaskedSnapshot | undefined> {
  const row = await db
    .selectFrom('post_events')
    .select('data')
    .where('post_id', '=', postId)
    .where('type', '=', 'submitted')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return (row?.data as { snapshot?: MaskedSnapshot } | undefined)?.snapshot;
}
