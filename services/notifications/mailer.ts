// The only module that speaks SMTP (nodemailer): the rest of the product sees `Mailer` and a failure's kind.
import nodemailer from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one message; throws MailError. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/**
 * 'transient': the server did not take the message (a 4xx answer, a connection refused or cut before it said yes):
 * trying again later is safe. 'rejected': the server refused it for good (a 5xx answer): trying again would not help.
 */
export class MailError extends Error {
  constructor(
    /** rejected: the server refused it; transient: it was surely not taken; unsure: it may have been delivered. */
    readonly kind: 'transient' | 'rejected' | 'unsure',
    message: string,
  ) {
    super(message);
    this.name = 'MailError';
  }
}

export interface SmtpSettings {
  host: string;
  port?: number | undefined;
  secure: boolean;
  user?: string | undefined;
  password?: string | undefined;
  from: string;
  /** How long one conversation may take before it counts as cut. Default 30000 ms. */
  timeoutMs?: number;
}

export function smtpMailer(s: SmtpSettings): Mailer {
  const timeout = s.timeoutMs ?? 30_000;
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port ?? (s.secure ? 465 : 587),
    secure: s.secure,
    // A password never crosses the network in clear: with a user set and no TLS from the start, STARTTLS is required.
    ...(s.user ? { auth: { user: s.user, pass: s.password ?? '' }, requireTLS: !s.secure } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(mail) {
      try {
        await transport.sendMail({ from: s.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
      } catch (err) {
        throw new MailError(outcomeOf(err), err instanceof Error ? err.message : String(err));
      }
    },
    close() {
      transport.close();
    },
  };
}

/**
 * What a failed send means for sending again. A 4xx answer says "not taken, try later"; a connection that never
 * opened took nothing. Anything else without an answer (a timeout or a dropped connection, which nodemailer
 * reports alike whether it came before or after the message's data) may have delivered it: sending again
 * could send it twice, so it is "unsure".
 */
function outcomeOf(err: unknown): 'rejected' | 'transient' | 'unsure' {
  const e = err as { responseCode?: unknown; code?: unknown; message?: unknown };
  if (typeof e.responseCode === 'number') return e.responseCode >= 500 ? 'rejected' : 'transient';
  const never = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|certificate|self[- ]signed/i;
  return e.code === 'EDNS' || (typeof e.message === 'string' && never.test(e.message)) ? 'transient' : 'unsure';
}
