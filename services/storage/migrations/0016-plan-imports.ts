// A large posting plan is imported by a job, not in the request: the file waits here with its author, the job
// writes its progress (rows checked) here as it goes, and its end: the drafts made, or each problem by row and
// column. The file is dropped once the import has ended.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('plan_imports')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('file', 'text')
    .addColumn('rows', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'checking', 'importing', 'done', 'refused', 'failed')`))
    .addColumn('checked', 'integer', (c) => c.notNull().defaultTo(0))
    // Runs begun: a file that kills its worker every time is given up after a few, not run forever.
    .addColumn('runs', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('imported', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('post_ids', 'jsonb')
    .addColumn('problems', 'jsonb')
    // Why the file was refused or the import failed, in both languages ({id, en}).
    .addColumn('message', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await sql`create index plan_imports_unfinished_idx on plan_imports (updated_at) where finished_at is null`.execute(db);
}
