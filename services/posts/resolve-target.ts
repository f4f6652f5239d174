// A human settles what the publisher could not: retry a failed target, or say whether an unconfirmed one went out.
import { sql } from 'kysely';
import { AppError } from '../../shared/errors';
import type { Actor } from '../../shared/post';
import { settledPostStatus } from '../../shared/status-machine';
import { TARGET_STATUS_LABELS } from '../../shared/words';
import { approvalRefusal, needsTwoApprovals, refuseApproval, postInReach } from './access';
import type { PostDeps } from './deps';
import { type Db, appendEvent, targetsOf, updatePostRow } from './post.repository';
import { type PostView, viewPost } from './post-view';
import { scheduleQuietly } from './review-post';

export type TargetResolution = 'retry' | 'release' | 'confirm-published' | 'confirm-not-published';

export async function resolveTarget(
  deps: PostDeps,
  actor: Actor,
  postId: string,
  targetId: string,
  input: { action: TargetResolution; externalUrl?: string | undefined },
): Promise<PostView> {
  const now = deps.now();
  const result = await deps.db.transaction().execute(async (trx) => {
    const { post, path } = await postInReach(trx, actor, postId, true);
    if (actor.role !== 'supervisor' || !path.includes(actor.unitId)) {
      throw new AppError('forbidden', 'target.not_supervisor', {
        id: 'Hanya supervisor satuan ini atau satuan di atasnya yang dapat menyelesaikan tujuan terbit.',
        en: 'Only a supervisor of this unit or a unit above may settle a publish target.',
      });
    }
    if (post.status === 'retracted') {
      // A post taken back stays back: nothing of it is sent again or settled as sent.
      throw new AppError('conflict', 'target.post_retracted', {
        id: 'Pos ini sudah ditarik; tujuan terbitnya tidak dapat diubah lagi.',
        en: 'This post has been taken back; its publish targets can no longer be changed.',
      });
    }
    const target = (await targetsOf(trx, post.id)).find((x) => x.id === targetId);
    if (!target) {
      throw new AppError('not-found', 'target.not_found', { id: 'Tujuan terbit tidak ditemukan.', en: 'Publish target not found.' });
    }
    const expected = input.action === 'retry' ? 'failed' : input.action === 'release' ? 'held' : 'unconfirmed';
    if (target.status !== expected || (input.action === 'release' && target.heldReason !== 'post.late')) {
      throw new AppError('conflict', 'target.wrong_status', {
        id: `Tindakan ini hanya untuk tujuan berstatus "${TARGET_STATUS_LABELS[expected].id}".`,
        en: `This action is only for a target whose status is "${TARGET_STATUS_LABELS[expected].en}".`,
      }, { status: target.status });
    }
    if (input.action === 'retry' || input.action === 'release') {
      // Sending it again, or late, is a new go-ahead for what goes out and when: only one who could approve it gives it.
      refuseApproval(await approvalRefusal(trx, actor, post, path, now));
    }
    if (input.action === 'release' && (await needsTwoApprovals(trx, post, path))) {
      // Its time was approved by two people: one cannot move it to "now". A new time goes through both again.
      throw new AppError('conflict', 'target.release_needs_two_approvals', {
        id: 'Pos sensitif ini disetujui oleh dua orang untuk waktunya; untuk terbit terlambat, jadwalkan ulang agar disetujui lagi oleh keduanya.',
        en: 'This sensitive post was approved by two people for its time; to publish it late, reschedule it so both approve again.',
      });
    }
    let slot: { targetId: string; generation: number } | undefined;
    switch (input.action) {
      case 'retry': {
        // A new generation fences off any job still around for the failed one.
        const row = await trx
          .updateTable('post_targets')
          // A step left "sending" was settled by a person (not published): resume after the steps that went out.
          .set({ status: 'scheduled', generation: sql`generation + 1`, attempts: 0, last_error: null, last_error_kind: null, claim_token: null, claimed_at: null, checkpoint: sql`case when jsonb_typeof(checkpoint) = 'object' then checkpoint - 'sending' else checkpoint end`, late_released: true, updated_at: now })
          .where('id', '=', target.id)
          .returning(['id', 'generation'])
          .executeTakeFirstOrThrow();
        slot = { targetId: row.id, generation: row.generation };
        break;
      }
      case 'release': {
        // A supervisor lets a late post go out now, knowing it is late; the window no longer stops it.
        const row = await trx
          .updateTable('post_targets')
          .set({ held_reason: null, held_until: null, late_released: true, generation: sql`generation + 1`, updated_at: now })
          .where('id', '=', target.id)
          .returning(['id', 'generation'])
          .executeTakeFirstOrThrow();
        slot = { targetId: row.id, generation: row.generation };
        break;
      }
      case 'confirm-published':
        await trx
          .updateTable('post_targets')
          .set({ status: 'published', published_at: now, external_url: input.externalUrl ?? target.externalUrl, claim_token: null, updated_at: now })
          .where('id', '=', target.id)
          .execute();
        break;
      case 'confirm-not-published':
        await trx
          .updateTable('post_targets')
          .set({ status: 'failed', last_error: 'confirmed not published by a supervisor', last_error_kind: 'supervisor', claim_token: null, updated_at: now })
          .where('id', '=', target.id)
          .execute();
        break;
    }
    const statuses = await liveStatuses(trx, post.id);
    const status = settledPostStatus(statuses);
    const updated = status === post.status ? post : await updatePostRow(trx, post, { status }, now);
    await appendEvent(trx, {
      postId: post.id,
      actorId: actor.id,
      type: `target.${input.action}`,
      at: now,
      data: { targetId: target.id, channelKind: target.channelKind, statusBefore: target.status, externalUrl: input.externalUrl ?? null },
    });
    return { post: updated, slot };
  });
  if (result.slot) {
    // Due now: the original time has passed, and the supervisor asked for it to go out.
    await scheduleQuietly(deps, [{ ...result.slot, at: now }]);
  }
  return viewPost(deps.db, result.post);
}

async function liveStatuses(db: Db, postId: string) {
  const rows = await db.selectFrom('post_targets').select('status').where('post_id', '=', postId).where('status', '!=', 'cancelled').execute();
  return rows.map((r) => r.status);
}
