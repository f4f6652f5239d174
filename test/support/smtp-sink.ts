// A real SMTP server on 127.0.0.1 (smtp-server), keeping what arrives; it can say "later" or close on demand.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ArrivedMail {
  to: string[];
  subject: string;
  /** The whole message, headers unfolded and quoted-printable decoded: enough to look for a title or a link. */
  text: string;
}

/** 'drop': takes the whole message, then cuts the connection before answering (did it arrive? the client cannot know). */
export type SinkBehaviour = 'ok' | { code: number; times: number } | 'hang' | 'drop';

export interface SmtpSink {
  port: number;
  mails: ArrivedMail[];
  /** Conversations that reached DATA, whatever became of them. */
  attempts: number;
  behave(b: SinkBehaviour): void;
  close(): Promise<void>;
}

function decode(raw: string): string {
  const unfolded = raw.replace(/\r?\n[ \t]+/g, ' ');
  return unfolded.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function decodeWords(header: string): string {
  // RFC 2047 words, as nodemailer writes a subject with characters beyond ASCII.
  return header.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (__, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  );
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: ArrivedMail[] = [];
  let behaviour: SinkBehaviour = 'ok';
  const sink = { attempts: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        sink.attempts += 1;
        if (behaviour === 'hang') return;
        if (behaviour === 'drop') {
          // smtp-server keeps its open conversations in `connections`; each has its socket.
          for (const c of (server as unknown as { connections: Set<{ _socket: { destroy(): void } }> }).connections) c._socket.destroy();
          return;
        }
        if (typeof behaviour === 'object' && behaviour.times > 0) {
          behaviour.times -= 1;
          const err = Object.assign(new Error('try again later'), { responseCode: behaviour.code });
          return callback(err);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const text = decode(raw);
        const subject = decodeWords(/^Subject: (.*)$/im.exec(raw.replace(/\r?\n[ \t]+/g, ' '))?.[1] ?? '');
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject, text });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    get attempts() {
      return sink.attempts;
    },
    behave(b) {
      behaviour = b;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
