// Which post a queued job works for, so the queue page links to it: publish and retract jobs carry a
// target's id, render jobs a photo's.
import type { Kysely } from 'kysely';
import type { JobSummary } from '../../workers/queue/queue-inspector';
import type { DB } from '../storage/schema';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const idIn = (data: Record<string, unknown>, key: string) => (typeof data[key] === 'string' && UUID.test(data[key]) ? data[key] : undefined);

export type JobWithPost = JobSummary & { postId?: string | undefined; unitId?: string | undefined };

export async function postsOfJobs(db: Kysely<DB>, jobs: JobSummary[]): Promise<JobWithPost[]> {
  const targetIds = jobs.flatMap((j) => idIn(j.data, 'targetId') ?? []);
  const photoIds = jobs.flatMap((j) => idIn(j.data, 'photoId') ?? []);
  const [targets, photos] = await Promise.all([
    targetIds.length
      ? db.selectFrom('post_targets').innerJoin('posts', 'posts.id', 'post_targets.post_id').select(['post_targets.id', 'post_targets.post_id', 'posts.unit_id']).where('post_targets.id', 'in', targetIds).execute()
      : [],
    photoIds.length ? db.selectFrom('photos').select(['id', 'post_id', 'unit_id']).where('id', 'in', photoIds).execute() : [],
  ]);
  const owner = new Map<string, { postId: string | null; unitId: string }>(
    [...targets, ...photos].map((r) => [r.id, { postId: r.post_id, unitId: r.unit_id }] as const),
  );
  return jobs.map((j) => {
    const subject = idIn(j.data, 'targetId') ?? idIn(j.data, 'photoId');
    const o = subject ? owner.get(subject) : undefined;
    return { ...j, postId: o?.postId ?? undefined, unitId: o?.unitId };
  });
}

/** A job that works for a target or a photo: it belongs to that post's unit even once the row is gone. */
export function isUnitJob(job: JobSummary): boolean {
  return idIn(job.data, 'targetId') !== undefined || idIn(job.data, 'photoId') !== undefined;
}
