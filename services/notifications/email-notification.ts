// E-mailing one notification, at most once: the claim is written before the SMTP server is called, so a retried
// job, or a job redelivered after its worker died mid-send, finds it and never sends again blindly.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../storage/schema';
import { html } from '../web/html';
import { MailError, type Mail, type Mailer } from './mailer';
import { describe } from './notification-words';
import { type ClaimedEmail, claimEmail, finishEmail } from './notification.repository';

export interface EmailDeps {
  db: Kysely<DB>;
  mailer: Mailer;
  log: Logger;
  now: () => Date;
  /** PUBLIC_BASE_URL: the e-mail's link to the post. */
  baseUrl: () => string;
  /** EMAIL_ATTEMPTS */
  maxAttempts: number;
}

/**
 * sent; not-owed (sent already, turned off, failed); unconfirmed (a claim left by a worker that stopped mid-send:
 * the message may or may not have arrived, and it is not sent again); retry (the server said "later"); failed.
 */
export type EmailOutcome = 'sent' | 'not-owed' | 'unconfirmed' | 'retry' | 'failed';

export async function emailNotification(deps: EmailDeps, notificationId: string): Promise<EmailOutcome> {
  const taken = await claimEmail(deps.db, notificationId, deps.now());
  if (!('claimed' in taken)) {
    if (taken.state !== 'sending') return 'not-owed';
    // This job holds the notification's only job id, and BullMQ hands a job to a second worker only once the first
    // stopped renewing its lock: the claim is a dead worker's, which may have sent it. A person told twice is worse
    // than one told "unconfirmed" on their notification page (the in-app row is there either way).
    await finishEmail(deps.db, notificationId, 'unconfirmed', deps.now(), 'the worker stopped while sending; the e-mail may or may not have arrived');
    deps.log.warn({ notificationId }, 'notification e-mail left mid-send by a stopped worker: marked unconfirmed, not sent again');
    return 'unconfirmed';
  }
  const claim = taken.claimed;
  try {
    await deps.mailer.send(composeEmail(claim, deps.baseUrl()));
  } catch (err) {
    // Only a mailer's own verdict may let it go again; anything else may have reached the server.
    const kind = err instanceof MailError ? err.kind : 'unsure';
    const reason = err instanceof Error ? err.message : String(err);
    if (kind === 'unsure') {
      await finishEmail(deps.db, claim.id, 'unconfirmed', deps.now(), reason.slice(0, 500));
      deps.log.warn({ notificationId: claim.id, err }, 'notification e-mail may or may not have arrived: marked unconfirmed, not sent again');
      return 'unconfirmed';
    }
    if (kind === 'rejected' || claim.attempts >= deps.maxAttempts) {
      await finishEmail(deps.db, claim.id, 'failed', deps.now(), reason.slice(0, 500));
      deps.log.warn({ notificationId: claim.id, err }, 'notification e-mail failed for good');
      return 'failed';
    }
    // The server did not take it: giving the claim back is safe, and the job tries again after its backoff.
    await finishEmail(deps.db, claim.id, 'pending', deps.now(), reason.slice(0, 500));
    return 'retry';
  }
  await finishEmail(deps.db, claim.id, 'sent', deps.now());
  return 'sent';
}

/** Bahasa Indonesia first, English below; plain text and a simple HTML twin. */
export function composeEmail(n: Pick<ClaimedEmail, 'kind' | 'postId' | 'data' | 'to' | 'name'>, baseUrl: string): Mail {
  const told = describe(n.kind, n, 'email');
  const link = `${baseUrl.replace(/\/+$/, '')}${told.path}`;
  const text = [
    `Yth. ${n.name},`,
    '',
    told.headline.id,
    ...told.details.map((d) => d.id),
    '',
    `Buka: ${link}`,
    '',
    '---',
    '',
    `Dear ${n.name},`,
    '',
    told.headline.en,
    ...told.details.map((d) => d.en),
    '',
    `Open: ${link}`,
    '',
    '-- ',
    'Siaran · Humas',
    'Anda dapat mematikan e-mail pemberitahuan di halaman Akun. / You can turn notification e-mails off on the Account page.',
  ].join('\n');
  const body = html`<!doctype html><html><body style="font-family:sans-serif">
<p>Yth. ${n.name},</p><p><strong>${told.headline.id}</strong></p>${told.details.map((d) => html`<p>${d.id}</p>`)}
<p><a href="${link}">Buka di Siaran</a></p><hr>
<p lang="en">Dear ${n.name},</p><p lang="en"><strong>${told.headline.en}</strong></p>${told.details.map((d) => html`<p lang="en">${d.en}</p>`)}
<p lang="en"><a href="${link}">Open in Siaran</a></p>
<p style="color:#666;font-size:small">Anda dapat mematikan e-mail pemberitahuan di halaman Akun. / You can turn notification e-mails off on the Account page.</p>
</body></html>`.value;
  return { to: n.to, subject: `[Siaran] ${told.headline.id} / ${told.headline.en}`, text, html: body };
}
