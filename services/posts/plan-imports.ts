// A large posting plan's import, run by the import job: the kept file is checked row by row with the rules of
// importPosts (its progress written as it goes), then either every draft is made, in one transaction with the
// import's end, or none and each problem is kept to be shown. Run again after a crash, it starts over: nothing was
// written before the end's transaction, and an import that ended is not run again.
import { AppError, isAppError } from '../../shared/errors';
import type { Actor } from '../../shared/post';
import type { TimeZone } from '../../shared/time';
import type { PlanImportStatus } from '../storage/schema';
import { emailQuietly } from '../notifications/deps';
import { notifyUsers } from '../notifications/notification.repository';
import type { PostDeps } from './deps';
import { type ImportProblem, checkedDrafts, planProblemsOf, readRows, writeDrafts } from './import-posts';

export interface PlanImportView {
  id: string;
  fileName: string;
  status: PlanImportStatus;
  /** Rows in the file, and how many the job has checked so far. */
  rows: number;
  checked: number;
  imported: number;
  /** The drafts made, in the file's order (once done). */
  postIds: string[];
  /** Each problem by row and column (once refused). */
  problems: ImportProblem[];
  /** Why it was refused or failed, in both languages. */
  message: { id: string; en: string } | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** Runs of one import begun before it is given up (each run is counted when it starts, so a crash counts too). */
const MAX_RUNS = 3;

/** Runs one kept import to its end; `progress` hears the rows checked. Returns the import's status after the run. */
export async function runPlanImport(deps: PostDeps, importId: string, progress: (checked: number, rows: number) => Promise<void>): Promise<PlanImportStatus> {
  const stored = async () => (await deps.db.selectFrom('plan_imports').select('status').where('id', '=', importId).executeTakeFirst())?.status ?? 'failed';
  // Every step writes only to an import not yet ended: a second run of it must not turn an end back into progress.
  const unfinished = () => deps.db.updateTable('plan_imports').where('id', '=', importId).where('finished_at', 'is', null);
  const begun = await unfinished().set((eb) => ({ runs: eb('runs', '+', 1), status: 'checking', checked: 0, updated_at: deps.now() })).returning(['runs', 'rows', 'file', 'user_id', 'file_name']).executeTakeFirst();
  if (!begun) return stored();
  if (begun.runs > MAX_RUNS || begun.file === null) {
    // A file that stopped its worker every time (or that is gone) is not run again.
    await failPlanImport(deps, importId);
    return stored();
  }
  const user = await deps.db.selectFrom('users').select(['id', 'role', 'unit_id', 'disabled']).where('id', '=', begun.user_id).executeTakeFirst();
  if (!user || user.disabled) {
    await end(deps, importId, 'refused', { message: { id: 'Akun pengunggah dinonaktifkan sebelum rencana diimpor; tidak ada yang diimpor.', en: "The uploader's account was disabled before the plan was imported; nothing was imported." } });
    return stored();
  }
  // The author as they are now: a role or unit changed since the upload is what counts.
  const actor: Actor = { id: user.id, role: user.role, unitId: user.unit_id };
  const rows = begun.rows;
  const report = async (checked: number) => {
    await unfinished().set({ checked, updated_at: deps.now() }).execute();
    await progress(checked, rows);
  };
  try {
    const drafts = await checkedDrafts(deps, actor, readRows(begun.file), report);
    await unfinished().set({ status: 'importing', checked: rows, updated_at: deps.now() }).execute();
    await progress(rows, rows);
    // Ended first, under the row's lock: a second run of the same import waits here, then finds it ended and writes
    // nothing. The drafts and the end commit together, so a crash leaves either both or neither.
    const wrote = await deps.db.transaction().execute(async (trx) => {
      const ended = await trx
        .updateTable('plan_imports')
        .set({ status: 'done', checked: rows, imported: drafts.length, post_ids: JSON.stringify(drafts.map((d) => d.post.id)), file: null, updated_at: deps.now(), finished_at: deps.now() })
        .where('id', '=', importId)
        .where('finished_at', 'is', null)
        .executeTakeFirst();
      if (Number(ended.numUpdatedRows) === 0) return undefined;
      await writeDrafts(trx, drafts, rows);
      // Told beside the end it tells of: its author may have left the page long ago.
      return notifyUsers(trx, [actor.id], { kind: 'plan.imported', eventKey: importId, data: { importId, file: begun.file_name, imported: String(drafts.length) } }, deps.now());
    });
    if (wrote !== undefined) {
      deps.log.info({ actorId: actor.id, importId, imported: drafts.length }, 'posting plan imported by the job');
      await emailQuietly(deps.emails, deps.log, wrote);
    }
  } catch (err) {
    if (!isAppError(err) || (err.kind !== 'validation' && err.kind !== 'too-large')) throw err;
    await end(deps, importId, 'refused', { message: err.text, problems: planProblemsOf(err).problems });
  }
  return stored();
}

/** Marks an import that cannot go on: the job gave up on it after its attempts (the database kept failing). */
export async function failPlanImport(deps: PostDeps, importId: string): Promise<void> {
  await end(deps, importId, 'failed', {
    message: { id: 'Impor terhenti karena gangguan server; tidak ada yang diimpor. Unggah lagi berkasnya.', en: 'The import stopped on a server fault; nothing was imported. Upload the file again.' },
  });
}

async function end(deps: PostDeps, importId: string, status: 'refused' | 'failed', o: { message: { id: string; en: string }; problems?: ImportProblem[] }): Promise<void> {
  const owed = await deps.db.transaction().execute(async (trx) => {
    const ended = await trx
      .updateTable('plan_imports')
      .set({ status, message: JSON.stringify(o.message), problems: o.problems ? JSON.stringify(o.problems) : null, file: null, updated_at: deps.now(), finished_at: deps.now() })
      .where('id', '=', importId)
      .where('finished_at', 'is', null)
      .returning(['user_id', 'file_name'])
      .executeTakeFirst();
    if (!ended) return [];
    return notifyUsers(trx, [ended.user_id], { kind: 'plan.refused', eventKey: importId, data: { importId, file: ended.file_name, message: o.message } }, deps.now());
  });
  await emailQuietly(deps.emails, deps.log, owed);
}

/** An import as its author follows it; anyone else's is not found. */
export async function planImportFor(deps: Pick<PostDeps, 'db'>, actor: Actor, importId: string): Promise<PlanImportView> {
  const row = await deps.db
    .selectFrom('plan_imports')
    .select(['id', 'file_name', 'status', 'rows', 'checked', 'imported', 'post_ids', 'problems', 'message', 'created_at', 'finished_at'])
    .where('id', '=', importId)
    .where('user_id', '=', actor.id)
    .executeTakeFirst();
  if (!row) throw new AppError('not-found', 'import.not_found', { id: 'Impor rencana tidak ditemukan.', en: 'Plan import not found.' });
  return {
    id: row.id,
    fileName: row.file_name,
    status: row.status,
    rows: row.rows,
    checked: row.checked,
    imported: row.imported,
    postIds: row.post_ids ?? [],
    problems: (row.problems as ImportProblem[] | null) ?? [],
    message: row.message,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

/** Imports not ended and untouched since `before`: their job was lost (Redis emptied) and is queued again. */
export async function stalledPlanImports(deps: Pick<PostDeps, 'db'>, before: Date): Promise<string[]> {
  const rows = await deps.db.selectFrom('plan_imports').select('id').where('finished_at', 'is', null).where('updated_at', '<', before).limit(100).execute();
  return rows.map((r) => r.id);
}

/** Imports ended before `before` are forgotten: their drafts are posts of their own by then. */
export async function forgetEndedPlanImports(deps: Pick<PostDeps, 'db'>, before: Date): Promise<number> {
  const r = await deps.db.deleteFrom('plan_imports').where('finished_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export interface PlanImportSummary {
  id: string;
  fileName: string;
  status: PlanImportStatus;
  rows: number;
  imported: number;
  createdAt: Date;
  /** The person's unit's zone, in which the time is shown. */
  zone: TimeZone;
}

/** The person's latest imports, newest first: where the drafts of an earlier plan are found again. */
export async function recentPlanImports(deps: Pick<PostDeps, 'db'>, actor: Actor, limit = 10): Promise<PlanImportSummary[]> {
  const rows = await deps.db
    .selectFrom('plan_imports as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .innerJoin('units as n', 'n.id', 'u.unit_id')
    .select(['i.id', 'i.file_name', 'i.status', 'i.rows', 'i.imported', 'i.created_at', 'n.time_zone'])
    .where('i.user_id', '=', actor.id)
    .orderBy('i.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, fileName: r.file_name, status: r.status, rows: r.rows, imported: r.imported, createdAt: r.created_at, zone: r.time_zone }));
}
