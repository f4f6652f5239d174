// Reading posts within the actor's reach.
import { AppError } from '../../shared/errors';
import type { Actor, ChannelKind, ListPostsQuery, PostStatus } from '../../shared/post';
import { inReach } from '../../shared/rules/permissions';
import { parseInstant, withinSearchRange } from '../../shared/time';
import { getUnit, unitAndDescendants, unitPath } from '../units/unit.repository';
import { postInReach } from './access';
import type { PostDeps } from './deps';
import { eventsOf, listPosts } from './post.repository';
import { type PostView, viewPost, viewPosts } from './post-view';

export async function readPost(deps: PostDeps, actor: Actor, postId: string): Promise<PostView> {
  const { post } = await postInReach(deps.db, actor, postId);
  return viewPost(deps.db, post);
}

export async function postHistory(deps: PostDeps, actor: Actor, postId: string) {
  await postInReach(deps.db, actor, postId);
  const events = await eventsOf(deps.db, postId);
  return events.map((e) => ({
    id: e.id,
    type: e.type,
    at: e.at.toISOString(),
    actor: e.actor_id ? { id: e.actor_id, name: e.actor_name, email: e.actor_email } : null,
    data: e.data,
  }));
}

export async function searchPosts(deps: PostDeps, actor: Actor, q: ListPostsQuery): Promise<PostView[]> {
  const unitId = q.unitId ?? actor.unitId;
  const unit = await getUnit(deps.db, unitId).catch(() => undefined);
  if (!unit || !inReach(actor, await unitPath(deps.db, unitId))) {
    throw new AppError('not-found', 'unit.not_found', {
      id: 'Satuan tidak ditemukan atau di luar wewenang Anda.',
      en: 'Unit not found or outside your reach.',
    });
  }
  const operatorOnly = actor.role === 'operator';
  const unitIds = q.includeDescendants && !operatorOnly ? await unitAndDescendants(deps.db, unitId) : [unitId];
  const from = q.from ? parseInstant(q.from, unit.time_zone) : undefined;
  const to = q.to ? parseInstant(q.to, unit.time_zone) : undefined;
  if ((q.from && !from) || (q.to && !to)) {
    throw new AppError('validation', 'query.bad_time', {
      id: 'Parameter from/to bukan waktu yang valid.',
      en: 'from/to is not a valid time.',
    });
  }
  // A year 9999 typed with a western offset is past the year 10000, which the embedded database cannot be asked about.
  const range = { from: from && withinSearchRange(from), to: to && withinSearchRange(to) };
  const posts = await listPosts(deps.db, { unitIds, statuses: q.status, ...range, limit: q.limit, offset: q.offset });
  return viewPosts(deps.db, posts);
}

/** A calendar shows every post of its range up to this many; beyond, it says so and offers the unit filter. */
export const CALENDAR_MAX = 3000;

/**
 * The posts of a calendar range, complete (up to CALENDAR_MAX, with `more` when there are others), in a fixed
 * number of queries however many there are: posts, then units, authors and targets once each.
 */
export async function calendarPosts(
  deps: PostDeps,
  actor: Actor,
  q: { unitId: string; includeDescendants: boolean; statuses: readonly PostStatus[]; from: Date; to: Date; channelKind?: ChannelKind | undefined },
): Promise<{ posts: PostView[]; more: boolean }> {
  if (!inReach(actor, await unitPath(deps.db, q.unitId))) {
    throw new AppError('not-found', 'unit.not_found', { id: 'Satuan tidak ditemukan atau di luar wewenang Anda.', en: 'Unit not found or outside your reach.' });
  }
  const unitIds = q.includeDescendants && actor.role !== 'operator' ? await unitAndDescendants(deps.db, q.unitId) : [q.unitId];
  const rows = await listPosts(deps.db, { unitIds, statuses: q.statuses, from: q.from, to: q.to, channelKind: q.channelKind, limit: CALENDAR_MAX + 1, offset: 0 });
  const more = rows.length > CALENDAR_MAX;
  return { posts: await viewPosts(deps.db, more ? rows.slice(0, CALENDAR_MAX) : rows), more };
}
