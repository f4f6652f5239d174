// A chain of command for sensitive posts: a unit (or a unit above it) may require that a post marked sensitive
// is approved twice, first by a supervisor in reach, then by one of a unit above the first. The first approval
// holds for the version it saw: any change to the post is a new version, which needs both approvals again.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table units add column two_approvals_for_sensitive boolean not null default false`.execute(db);
  await sql`alter table posts add column sensitive boolean not null default false`.execute(db);
  await sql`alter table posts add column first_approved_by uuid references users (id)`.execute(db);
  // The first approver's unit when they approved: the second must come from above it, wherever they sit later.
  await sql`alter table posts add column first_approved_unit_id uuid references units (id)`.execute(db);
  await sql`alter table posts add column first_approved_at timestamptz`.execute(db);
  await sql`alter table posts add column first_approved_version integer`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table posts drop column first_approved_version, drop column first_approved_at, drop column first_approved_unit_id, drop column first_approved_by, drop column sensitive`.execute(db);
  await sql`alter table units drop column two_approvals_for_sensitive`.execute(db);
}
