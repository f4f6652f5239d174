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
    readonly kind: 'transient' | 'rejected',
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
    ...(s.user ? { auth: { user: s.user, pass: s.password ?? '' } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(mail) {
      try {
        await transport.sendMail({ from: s.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
      } catch (err) {
        const code = (err as { responseCode?: unknown }).responseCode;
        const message = err instanceof Error ? err.message : String(err);
        throw new MailError(typeof code === 'number' && code >= 500 ? 'rejected' : 'transient', message);
      }
    },
    close() {
      transport.close();
    },
  };
}
