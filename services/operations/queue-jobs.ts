// Which post a queued job works for, so the queue page links to it: publish and retract jobs carry a
// target's id, render jobs a photo's.
import type { Kysely } from 'kysely';
import type { JobSummary } from '../../workers/queue/queue-inspector';
import type { DB } from '../storage/schema';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const idIn = (data: Record<string, unknown>, key: string) => (typeof data[key] === 'string' && UUID.test(data[key]) ? data[key] : undefined);

export async function postsOfJobs(db: Kysely<DB>, jobs: JobSummary[]): Promise<Array<JobSummary & { postId?: string | undefined }>> {
  const targetIds = jobs.flatMap((j) => idIn(j.data, 'targetId') ?? []);
  const photoIds = jobs.flatMap((j) => idIn(j.data, 'photoId') ?? []);
  const [targets, photos] = await Promise.all([
    targetIds.length ? db.selectFrom('post_targets').select(['id', 'post_id']).where('id', 'in', targetIds).execute() : [],
    photoIds.length ? db.selectFrom('photos').select(['id', 'post_id']).where('id', 'in', photoIds).execute() : [],
  ]);
  const postOf = new Map<string, string | null>([...targets.map((r) => [r.id, r.post_id] as const), ...photos.map((r) => [r.id, r.post_id] as const)]);
  return jobs.map((j) => {
    const subject = idIn(j.data, 'targetId') ?? idIn(j.data, 'photoId');
    return { ...j, postId: (subject && postOf.get(subject)) ?? undefined };
  });
}
