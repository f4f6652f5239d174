// Marking a post sensitive: where the unit tree asks for it, such a post is approved twice (review-post.ts).
// The mark is part of what is approved, so setting or lifting it is a change to the post, in its history.
import { AppError } from '../../shared/errors';
import type { Actor } from '../../shared/post';
import { UNDER_REVIEW } from '../../shared/status-machine';
import { assertExpectedVersion, assertMayAuthor, firstApprovalStanding, postInReach } from './access';
import type { PostDeps } from './deps';
import { appendEvent, updatePostRow } from './post.repository';
import { type PostView, viewPost } from './post-view';

export async function setSensitive(deps: PostDeps, actor: Actor, postId: string, input: { sensitive: boolean; expectedVersion?: number | undefined }): Promise<PostView> {
  const now = deps.now();
  const post = await deps.db.transaction().execute(async (trx) => {
    const { post, path } = await postInReach(trx, actor, postId, true);
    assertMayAuthor(actor, path);
    assertExpectedVersion(post, input.expectedVersion);
    if (post.sensitive === input.sensitive) return post;
    if (!UNDER_REVIEW.includes(post.status)) {
      throw new AppError('conflict', 'post.sensitivity_settled', {
        id: 'Pos ini sudah disetujui atau sudah terbit; tanda sensitif hanya dapat diubah sebelum disetujui.',
        en: 'This post is approved or already out; the sensitive mark can only change before approval.',
      });
    }
    // Lifting the mark would lift the second approval: only a supervisor above the post's own unit may, and doing so
    // counts as a change to the post (CONTENT_EVENTS), so the one who lifted it cannot also approve it alone.
    if (!input.sensitive && !(actor.role === 'supervisor' && path.slice(0, -1).includes(actor.unitId))) {
      throw new AppError('forbidden', 'post.sensitivity_unmark_forbidden', {
        id: 'Hanya supervisor satuan di atas satuan pos ini yang dapat mencabut tanda sensitif.',
        en: "Only a supervisor of a unit above the post's unit may lift the sensitive mark.",
      });
    }
    if (!input.sensitive && (await firstApprovalStanding(trx, post, path))) {
      throw new AppError('conflict', 'post.sensitivity_first_approved', {
        id: 'Pos ini sudah mendapat persetujuan pertama; tanda sensitif tidak dapat dicabut sekarang. Tolak pos bila tanda itu keliru.',
        en: 'This post has its first approval; the sensitive mark cannot be lifted now. Reject the post if the mark is wrong.',
      });
    }
    const updated = await updatePostRow(trx, post, { sensitive: input.sensitive }, now);
    await appendEvent(trx, { postId: post.id, actorId: actor.id, type: input.sensitive ? 'marked_sensitive' : 'unmarked_sensitive', at: now, data: { version: post.version } });
    return updated;
  });
  return viewPost(deps.db, post);
}
