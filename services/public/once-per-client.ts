// One count per client, post and kind a day, without keeping who the client is: a keyed hash of the address,
// in this process's memory only, with a key made anew each day and never stored. A reload, a second tap or a
// script on one address does not count again here; the database keeps counts only.
import { createHmac, randomBytes } from 'node:crypto';

export class OncePerClient {
  private day = '';
  private key = randomBytes(32);
  private readonly seen = new Set<string>();

  /** At most this many clients are remembered a day; past it, counting starts afresh (never blocks one). */
  constructor(private readonly max = 200_000) {}

  first(address: string, subject: string, now: Date): boolean {
    const day = now.toISOString().slice(0, 10);
    if (day !== this.day || this.seen.size >= this.max) {
      this.day = day;
      this.key = randomBytes(32);
      this.seen.clear();
    }
    const mark = createHmac('sha256', this.key).update(`${address}\n${subject}`).digest('base64url').slice(0, 22);
    if (this.seen.has(mark)) return false;
    this.seen.add(mark);
    return true;
  }
}

/** Link previews and crawlers: they fetch a permalink, but nobody read it. */
export const NOT_A_READER = /bot|crawl|spider|slurp|preview|facebookexternalhit|whatsapp|telegram|twitter|discord|skype|curl|wget|python|headless/i;
