// The notification rows: written beside the state change they tell of, read by their person, claimed for e-mail.
import { type Kysely, type Transaction, sql } from 'kysely';
import type { DB, EmailState } from '../storage/schema';

type Db = Kysely<DB> | Transaction<DB>;

export const NOTIFICATION_KINDS = [
  'post.submitted',
  'post.expiring',
  'post.approved',
  'post.rejected',
  'post.published',
  'post.failed',
  'post.unconfirmed',
  'channel.needs_reconnect',
  'account.invite_existing',
  'plan.imported',
  'plan.refused',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NewNotification {
  kind: NotificationKind;
  postId?: string | undefined;
  channelId?: string | undefined;
  /** With the user and kind, what makes it one: the same event never notifies the same person twice. */
  eventKey: string;
  data: Record<string, unknown>;
}

export interface Notification {
  id: string;
  kind: NotificationKind;
  postId: string | null;
  channelId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
  readAt: Date | null;
  email: EmailState;
}

/**
 * Writes one notification for each of these people (their e-mail owed or not by their own setting); returns the
 * ids of those whose e-mail is owed. A person already told of this event is skipped.
 */
export async function notifyUsers(db: Db, userIds: readonly string[], n: NewNotification, at: Date): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .insertInto('notifications')
    .columns(['user_id', 'kind', 'post_id', 'channel_id', 'event_key', 'data', 'created_at', 'email'])
    .expression((eb) =>
      eb
        .selectFrom('users')
        .select([
          'id',
          sql.lit(n.kind).as('kind'),
          sql<string | null>`${n.postId ?? null}::uuid`.as('post_id'),
          sql<string | null>`${n.channelId ?? null}::uuid`.as('channel_id'),
          sql.val(n.eventKey).as('event_key'),
          sql`${JSON.stringify(n.data)}::jsonb`.as('data'),
          sql`${at}::timestamptz`.as('created_at'),
          sql<EmailState>`case when email_notifications then 'pending' else 'off' end`.as('email'),
        ])
        .where('id', 'in', [...userIds])
        .where('disabled', '=', false),
    )
    .onConflict((oc) => oc.constraint('notifications_once').doNothing())
    .returning(['id', 'email'])
    .execute();
  return rows.filter((r) => r.email === 'pending').map((r) => r.id);
}

/** Supervisors who may approve a post of this unit (theirs or a unit below it), less those named. */
export async function supervisorsOver(db: Db, unitPath: readonly string[], except: readonly string[]): Promise<string[]> {
  let q = db.selectFrom('users').select('id').where('role', '=', 'supervisor').where('disabled', '=', false).where('unit_id', 'in', [...unitPath]);
  if (except.length > 0) q = q.where('id', 'not in', [...except]);
  return (await q.execute()).map((r) => r.id);
}

/** Admins of this unit or of a unit above it: those who may reconnect its channels. */
export async function adminsOver(db: Db, unitPath: readonly string[]): Promise<string[]> {
  const rows = await db.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled', '=', false).where('unit_id', 'in', [...unitPath]).execute();
  return rows.map((r) => r.id);
}

export async function listForUser(db: Db, userId: string, limit: number): Promise<Notification[]> {
  const rows = await db
    .selectFrom('notifications')
    .select(['id', 'kind', 'post_id', 'channel_id', 'data', 'created_at', 'read_at', 'email'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind as NotificationKind, postId: r.post_id, channelId: r.channel_id, data: r.data, createdAt: r.created_at, readAt: r.read_at, email: r.email }));
}

export async function unreadCount(db: Db, userId: string): Promise<number> {
  const r = await db.selectFrom('notifications').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', userId).where('read_at', 'is', null).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Only the person's own: another's id changes nothing. */
export async function markRead(db: Db, userId: string, id: string, at: Date): Promise<void> {
  await db.updateTable('notifications').set({ read_at: at }).where('id', '=', id).where('user_id', '=', userId).where('read_at', 'is', null).execute();
}

export async function markAllRead(db: Db, userId: string, at: Date): Promise<void> {
  await db.updateTable('notifications').set({ read_at: at }).where('user_id', '=', userId).where('read_at', 'is', null).execute();
}

export async function setEmailPreference(db: Db, userId: string, on: boolean): Promise<void> {
  await db.updateTable('users').set({ email_notifications: on }).where('id', '=', userId).execute();
}

export async function emailPreference(db: Db, userId: string): Promise<boolean> {
  const r = await db.selectFrom('users').select('email_notifications').where('id', '=', userId).executeTakeFirst();
  return r?.email_notifications ?? true;
}

/** What an e-mail needs of its notification, read as the claim is taken. */
export interface ClaimedEmail {
  id: string;
  kind: NotificationKind;
  postId: string | null;
  data: Record<string, unknown>;
  attempts: number;
  to: string;
  name: string;
}

/**
 * Takes the e-mail of this notification for sending: `pending` becomes `sending`, before the SMTP server is
 * called. Undefined when it is not owed (sent, off, failed) or another worker holds it; `state` tells which.
 * A person who turned e-mail off since the notification was written is not e-mailed either.
 */
export async function claimEmail(db: Kysely<DB>, id: string, now: Date): Promise<{ claimed: ClaimedEmail } | { state: EmailState | undefined }> {
  const row = await db
    .updateTable('notifications as n')
    .from('users as u')
    .set({ email: 'sending', email_at: now, email_attempts: sql`n.email_attempts + 1` })
    .whereRef('u.id', '=', 'n.user_id')
    .where('n.id', '=', id)
    .where('n.email', '=', 'pending')
    .where('u.email_notifications', '=', true)
    .where('u.disabled', '=', false)
    .returning(['n.id', 'n.kind', 'n.post_id', 'n.data', 'n.email_attempts', 'u.email as to', 'u.name'])
    .executeTakeFirst();
  if (row) return { claimed: { id: row.id, kind: row.kind as NotificationKind, postId: row.post_id, data: row.data, attempts: row.email_attempts, to: row.to, name: row.name } };
  // Owed to someone who no longer wants it (or whose account is closed): it is not owed any more.
  await db
    .updateTable('notifications')
    .set({ email: 'off' })
    .where('id', '=', id)
    .where('email', '=', 'pending')
    .where('user_id', 'in', (eb) => eb.selectFrom('users').select('id').where((w) => w.or([w('email_notifications', '=', false), w('disabled', '=', true)])))
    .execute();
  const now2 = await db.selectFrom('notifications').select('email').where('id', '=', id).executeTakeFirst();
  return { state: now2?.email };
}

/** Ends a claim: sent, failed, back to pending for a later try, or unconfirmed. Only a `sending` claim moves. */
export async function finishEmail(db: Kysely<DB>, id: string, to: Exclude<EmailState, 'off' | 'sending'>, now: Date, error: string | null = null): Promise<boolean> {
  const r = await db.updateTable('notifications').set({ email: to, email_at: now, email_error: error }).where('id', '=', id).where('email', '=', 'sending').executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** E-mails owed (pending) written since `since`, oldest first, for the sweep to queue again. */
export async function owedEmails(db: Kysely<DB>, since: Date, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('notifications').select('id').where('email', '=', 'pending').where('created_at', '>=', since).orderBy('created_at').limit(limit).execute();
  return rows.map((r) => r.id);
}

/**
 * Claims that nobody finished for longer than `staleMs`: their worker stopped while talking to the SMTP server, so
 * the e-mail may or may not have gone. They are marked unconfirmed, never sent again blindly.
 */
export async function abandonedClaims(db: Kysely<DB>, before: Date, now: Date): Promise<number> {
  const r = await db
    .updateTable('notifications')
    .set({ email: 'unconfirmed', email_at: now, email_error: 'the worker stopped while sending; the e-mail may or may not have arrived' })
    .where('email', '=', 'sending')
    .where('email_at', '<', before)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * A post no longer waits for approval (approved, rejected, cancelled, expired): the "waiting for you" notices about
 * it are settled for everyone, so a supervisor's unread count holds only what still asks something of them.
 */
export async function settleWaitingNotices(db: Db, postId: string, at: Date): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ read_at: at })
    .where('post_id', '=', postId)
    .where('kind', 'in', ['post.submitted', 'post.expiring'])
    .where('read_at', 'is', null)
    .execute();
}

/** The reader opened the post: what they were told about it is read. */
export async function markPostRead(db: Db, userId: string, postId: string, at: Date): Promise<void> {
  await db.updateTable('notifications').set({ read_at: at }).where('user_id', '=', userId).where('post_id', '=', postId).where('read_at', 'is', null).execute();
}
