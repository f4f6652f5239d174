// Why a target's last attempt went wrong, as a kind the pages explain in the reader's language; `last_error` keeps
// the words (the platform's, or the worker's) for the API, the logs and support.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('post_targets').addColumn('last_error_kind', 'text').execute();
}
