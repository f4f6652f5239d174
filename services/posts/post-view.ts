// How a post is shown to API clients: instants in UTC and in the unit's own zone.
import type { Kysely } from 'kysely';
import { TARGET_STATUS_LABELS, holdReasonText } from '../../shared/channels/channel-words';
import type { LocalizedText } from '../../shared/errors';
import { POST_STATUS_LABELS, type Post, type PostTarget } from '../../shared/post';
import type { Finding } from '../../shared/rules/finding';
import { formatInZone, isoInZone, zoneLabel } from '../../shared/time';
import type { DB } from '../storage/schema';
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
  const views: PostView[] = [];
  for (const post of posts) {
    const unit = unitById.get(post.unitId)!;
    const targets = targetsByPost.get(post.id) ?? [];
    views.push({
      id: post.id,
      unit: { id: unit.id, slug: unit.slug, name: unit.name, timeZone: unit.time_zone, zone: zoneLabel(unit.time_zone) },
      author: { id: post.authorId, name: authorById.get(post.authorId)?.name ?? '' },
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
        heldReason: t.heldReason,
        heldUntil: t.heldUntil?.toISOString() ?? null,
        statusLabel: TARGET_STATUS_LABELS[t.status],
        heldMessage: holdReasonText(t.heldReason) ?? null,
        retraction: t.retraction,
        retractionError: t.retractionError,
      })),
    });
  }
  return views;
}
