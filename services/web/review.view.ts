// What a supervisor needs to judge a post: findings, photos as rendered, and what changed since the last review.
import type { Actor, Post } from '../../shared/post';
import type { Finding } from '../../shared/rules/finding';
import type { MediaDeps } from '../media/deps';
import type { PhotoView } from '../media/photo-view';
import { listPostPhotos } from '../media/read-photos';
import type { PostDeps } from '../posts/deps';
import { approvalRefusal, firstApprovalStanding, needsTwoApprovals } from '../posts/access';
import { eventsOf, listPosts } from '../posts/post.repository';
import { type PostView, viewPosts } from '../posts/post-view';
import { type SimilarPost, similarPosts } from '../posts/similar-posts';
import { findingsOf } from '../posts/write-post';
import { getUnit, unitAndDescendants, unitPath } from '../units/unit.repository';
import { type ChannelView, channelViews } from '../channels/manage-channels';

export interface Change {
  field: string;
  before: unknown;
  after: unknown;
}

export interface ReviewItem {
  post: PostView;
  findings: Finding[];
  photos: PhotoView[];
  /** Undefined when nobody reviewed the post before. */
  changes: Change[] | undefined;
  /** The channels of the post's unit, with their health. */
  channels: ChannelView[];
  /** Why this reader may not approve it (four eyes, reach, a password just handed over), shown in place of the buttons. */
  approvalDenied: Finding[];
  /** Marked sensitive under a unit that asks for two approvals. */
  twoApprovals: boolean;
  /** The first of the two, while it stands, and the unit whose supervisors may give the second. */
  firstApproval: { name: string; at: string; nextUnit: string } | undefined;
  /** Whether this reader may lift the sensitive mark now (a supervisor above the post's unit, no first approval). */
  mayLiftSensitive: boolean;
  /** Posts of its Polda nearly the same, as of its last submission (none for a draft). */
  similar: SimilarPost[];
}

export async function reviewItem(posts: PostDeps, media: MediaDeps, actor: Actor, post: Post, view: PostView): Promise<ReviewItem> {
  const unit = await getUnit(posts.db, post.unitId);
  const findings = await findingsOf(posts.db, post, unit.time_zone, posts.now(), { ...posts, minLeadSeconds: 0 });
  const photos = await listPostPhotos(media, actor, post.id);
  const events = await eventsOf(posts.db, post.id);
  const lastReview = events.map((e) => e.type).lastIndexOf('rejected');
  const lastApproval = events.map((e) => e.type).lastIndexOf('approved');
  const since = Math.max(lastReview, lastApproval);
  let changes: Change[] | undefined;
  if (since >= 0) {
    const merged = new Map<string, Change>();
    const note = (key: string, field: string, before: unknown, after: unknown) => {
      const first = merged.get(key);
      merged.set(key, { field, before: first ? first.before : before, after });
    };
    for (const e of events.slice(since + 1)) {
      const data = e.data as { changes?: Record<string, { before: unknown; after: unknown }>; photoId?: string; altText?: string; before?: string; after?: string };
      switch (e.type) {
        case 'edited':
        case 'submitted':
          for (const [field, v] of Object.entries(data.changes ?? {})) note(field, field, v.before, v.after);
          break;
        case 'rescheduled':
          note('scheduledAt', 'scheduledAt', data.before, data.after);
          break;
        // Photos are part of what is approved: each added, changed or removed one is listed.
        case 'photo_added':
          note(`photo:${data.photoId ?? ''}`, 'photo', null, data.altText ?? '');
          break;
        case 'photo_removed':
          note(`photo:${data.photoId ?? ''}`, 'photo', data.altText ?? '', null);
          break;
        case 'photo_changed':
          for (const [field, v] of Object.entries(data.changes ?? {})) note(`photo:${data.photoId ?? ''}:${field}`, `photo.${field}`, v.before, v.after);
          break;
      }
    }
    changes = [...merged.values()];
  }
  const channels = await channelViews(posts.db, [post.unitId], posts.now(), actor);
  const path = await unitPath(posts.db, post.unitId);
  const approvalDenied = await approvalRefusal(posts.db, actor, post, path, posts.now());
  const twoApprovals = await needsTwoApprovals(posts.db, post, path);
  const first = await firstApprovalStanding(posts.db, post, path);
  let firstApproval: ReviewItem['firstApproval'];
  if (first) {
    const name = (await posts.db.selectFrom('users').select('name').where('id', '=', first.by).executeTakeFirstOrThrow()).name;
    // The second comes from the unit above the first approver's (or theirs, at the top of the tree).
    const approverPath = await unitPath(posts.db, first.unitId);
    const next = await getUnit(posts.db, approverPath.length > 1 ? approverPath[approverPath.length - 2]! : first.unitId);
    firstApproval = { name, at: first.at.toISOString(), nextUnit: next.name };
  }
  const mayLiftSensitive = post.sensitive && !first && actor.role === 'supervisor' && path.slice(0, -1).includes(actor.unitId);
  // A draft's last submission is not what it says now.
  const similar = post.status === 'draft' ? [] : await similarPosts(posts.db, actor, post.id, posts.now());
  return { post: view, findings, photos, changes, channels, approvalDenied, twoApprovals, firstApproval, mayLiftSensitive, similar };
}

/** Channels in the actor's reach that cannot publish until an admin acts. */
export async function troubledChannels(posts: PostDeps, reader: Actor, unitIds: readonly string[]): Promise<ChannelView[]> {
  return (await channelViews(posts.db, unitIds, posts.now(), reader)).filter((c) => c.state === 'needs_reconnect' || (c.state === 'disabled' && c.heldPosts > 0));
}

/** Posts awaiting the supervisor's decision, in their unit and below, the nearest publish time first. */
export async function approvalInbox(posts: PostDeps, media: MediaDeps, actor: Actor): Promise<ReviewItem[]> {
  const unitIds = await unitAndDescendants(posts.db, actor.unitId);
  const waiting = (await listPosts(posts.db, { unitIds, statuses: ['pending_approval'], limit: 200, offset: 0 })).sort(
    (a, b) => a.scheduledAt.getTime() - b.scheduledAt.getTime(),
  );
  const views = await viewPosts(posts.db, waiting);
  const items: ReviewItem[] = [];
  for (const [i, post] of waiting.entries()) items.push(await reviewItem(posts, media, actor, post, views[i]!));
  return items;
}
