// Taking a published post back: the supervisor's decision is recorded at once; each channel's retraction
// (the news page's 410, the feed, a signed notice to webhooks, deletion on the platforms) follows as a job.
import { AppError } from '../../shared/errors';
import type { Actor } from '../../shared/post';
import { postInReach } from './access';
import type { PostDeps } from './deps';
import { appendEvent, masked, retargetLive, updatePostRow } from './post.repository';
import { type PostView, viewPost } from './post-view';
import { unscheduleQuietly } from './write-post';

/** Statuses of a post some of whose targets may have gone out. */
const RETRACTABLE = ['published', 'failed', 'unconfirmed', 'publishing'] as const;

export async function retractPost(deps: PostDeps, actor: Actor, postId: string, input: { reason: string }): Promise<PostView> {
  const now = deps.now();
  const result = await deps.db.transaction().execute(async (trx) => {
    const { post, path } = await postInReach(trx, actor, postId, true);
    if (actor.role !== 'supervisor' || !path.includes(actor.unitId)) {
      throw new AppError('forbidden', 'retract.not_supervisor', {
        id: 'Hanya supervisor satuan ini atau satuan di atasnya yang dapat menarik pos yang sudah terbit.',
        en: 'Only a supervisor of this unit or a unit above may take back a published post.',
      });
    }
    if (!(RETRACTABLE as readonly string[]).includes(post.status)) {
      throw new AppError('conflict', 'retract.not_published', {
        id: 'Pos ini belum terbit; batalkan saja bila tidak jadi diterbitkan.',
        en: 'This post has not gone out; cancel it instead if it should not.',
      }, { status: post.status });
    }
    // Whatever has not gone out yet never will; what went out is taken back, channel by channel.
    const stopped = await retargetLive(trx, post.id, 'cancelled', now);
    const out = await trx
      .updateTable('post_targets')
      .set({ retraction: 'pending', retraction_error: null, updated_at: now })
      .where('post_id', '=', post.id)
      .where('status', 'in', ['published', 'unconfirmed'])
      .where('retraction', 'is', null)
      .returning('id')
      .execute();
    const updated = await updatePostRow(trx, post, { status: 'retracted' }, now);
    await appendEvent(trx, { postId: post.id, actorId: actor.id, type: 'retracted', at: now, data: { reason: masked(input.reason), statusBefore: post.status, targets: out.length } });
    return { post: updated, stale: stopped.before, targets: out.map((t) => t.id) };
  });
  await unscheduleQuietly(deps, result.stale);
  try {
    await deps.scheduler.retract(result.targets);
  } catch (err) {
    deps.log.warn({ err, postId }, 'could not queue the retractions now; the reconciler will');
  }
  return viewPost(deps.db, result.post);
}
