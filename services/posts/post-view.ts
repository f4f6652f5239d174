// How a post is shown to API clients: instants in UTC and in the unit's own zone.
import type { Kysely } from 'kysely';
import { holdReasonText } from '../../shared/channels/channel-words';
import { deliveryProblemText } from '../../shared/channels/delivery-words';
import { POST_STATUS_LABELS, TARGET_STATUS_LABELS } from '../../shared/words';
import type { LocalizedText } from '../../shared/errors';
import type { Post, PostTarget } from '../../shared/post';
import type { Finding } from '../../shared/rules/finding';
import { formatInZone, isoInZone, zoneLabel } from '../../shared/time';
import type { DB, UnitRow } from '../storage/schema';
import { type Db, targetsOfPosts } from './post.repository';

export interface PostView {
  id: string;
  unit: { id: string; slug: string; name: string; timeZone: string; zone: string };
  author: { id: string; name: string };
  title: string;
  body: string;
  variants: Record<string, string>;
  status: Post['status'];
  statusLabel: { id: string; en: string };
  scheduledAt: string;
  scheduledLocal: string;
  scheduledLocalIso: string;
  version: number;
  approvedBy: string | null;
  approvedAt: string | null;
  reviewNote: string | null;
  /** Marked sensitive: two approvals where its unit tree asks for them. */
  sensitive: boolean;
  /** The first of two approvals, given to this version of a post still waiting. */
  firstApproval: { by: string; at: string } | null;
  createdAt: string;
  updatedAt: string;
  channelOptions: Post['channelOptions'];
  targets: Array<
    Omit<PostTarget, 'postId' | 'generation' | 'claimedAt' | 'publishedAt' | 'heldUntil'> & {
      publishedAt: string | null;
      heldUntil: string | null;
      statusLabel: LocalizedText;
      /** Why a held target waits, in both languages. */
      heldMessage: LocalizedText | null;
      /** What went wrong with its last attempt and what to do, in both languages; `lastError` holds the detail. */
      problemMessage: LocalizedText | null;
    }
  >;
  findings?: Finding[];
}

export async function viewPost(db: Kysely<DB> | Db, post: Post, findings?: Finding[]): Promise<PostView> {
  const [views] = await viewPosts(db, [post]);
  return findings ? { ...views!, findings } : views!;
}

export async function viewPosts(db: Kysely<DB> | Db, posts: readonly Post[]): Promise<PostView[]> {
  if (posts.length === 0) return [];
  const unitIds = [...new Set(posts.map((p) => p.unitId))];
  const authorIds = [...new Set(posts.map((p) => p.authorId))];
  const [units, authors, targetsByPost] = await Promise.all([
    db.selectFrom('units').select(['id', 'slug', 'name', 'time_zone']).where('id', 'in', unitIds).execute(),
    db.selectFrom('users').select(['id', 'name']).where('id', 'in', authorIds).execute(),
    targetsOfPosts(db, posts.map((p) => p.id)),
  ]);
  const unitById = new Map(units.map((u) => [u.id, u]));
  const authorById = new Map(authors.map((a) => [a.id, a]));
  return posts.map((post) => toView(post, unitById.get(post.unitId)!, authorById.get(post.authorId)?.name ?? '', targetsByPost.get(post.id) ?? []));
}

/**
 * A post just written, from what was written: no query. Its targets are new (pending, never tried), in the
 * order `targetsOfPosts` gives (channel kind, then id).
 */
export function viewNewPost(
  post: Post,
  unit: UnitFields,
  authorName: string,
  targets: ReadonlyArray<{ id: string; channelId: string; channelKind: PostTarget['channelKind'] }>,
  findings: Finding[],
): PostView {
  const fresh: PostTarget[] = [...targets]
    .sort((a, b) => (a.channelKind === b.channelKind ? (a.id < b.id ? -1 : 1) : a.channelKind < b.channelKind ? -1 : 1))
    .map((t) => ({
      id: t.id,
      postId: post.id,
      channelId: t.channelId,
      channelKind: t.channelKind,
      status: 'pending',
      attempts: 0,
      generation: 1,
      claimedAt: null,
      publishedAt: null,
      externalId: null,
      externalUrl: null,
      externalIds: [],
      lastError: null,
      lastErrorKind: null,
      heldReason: null,
      heldUntil: null,
      retraction: null,
      retractionError: null,
    }));
  return { ...toView(post, unit, authorName, fresh), findings };
}

type UnitFields = Pick<UnitRow, 'id' | 'slug' | 'name' | 'time_zone'>;

function toView(post: Post, unit: UnitFields, authorName: string, targets: readonly PostTarget[]): PostView {
  return {
    id: post.id,
    unit: { id: unit.id, slug: unit.slug, name: unit.name, timeZone: unit.time_zone, zone: zoneLabel(unit.time_zone) },
    author: { id: post.authorId, name: authorName },
    title: post.title,
    body: post.body,
    variants: post.variants,
    channelOptions: post.channelOptions,
    status: post.status,
    statusLabel: POST_STATUS_LABELS[post.status],
    scheduledAt: post.scheduledAt.toISOString(),
    scheduledLocal: formatInZone(post.scheduledAt, unit.time_zone),
    scheduledLocalIso: isoInZone(post.scheduledAt, unit.time_zone),
    version: post.version,
    approvedBy: post.approvedBy,
    approvedAt: post.approvedAt?.toISOString() ?? null,
    sensitive: post.sensitive,
    firstApproval:
      post.status === 'pending_approval' && post.firstApproval?.version === post.version ? { by: post.firstApproval.by, at: post.firstApproval.at.toISOString() } : null,
    reviewNote: post.reviewNote,
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    targets: targets.map((t) => ({
      id: t.id,
      channelId: t.channelId,
      channelKind: t.channelKind,
      status: t.status,
      attempts: t.attempts,
      publishedAt: t.publishedAt?.toISOString() ?? null,
      externalId: t.externalId,
      externalUrl: t.externalUrl,
      externalIds: t.externalIds,
      lastError: t.lastError,
      lastErrorKind: t.lastErrorKind,
      heldReason: t.heldReason,
      heldUntil: t.heldUntil?.toISOString() ?? null,
      statusLabel: TARGET_STATUS_LABELS[t.status],
      heldMessage: holdReasonText(t.heldReason) ?? null,
      problemMessage: t.lastError === null ? null : (deliveryProblemText(t.status, t.lastErrorKind) ?? null),
      retraction: t.retraction,
      retractionError: t.retractionError,
    })),
  };
}
