// The text personnel forward to WhatsApp groups (which have no publishing API): bold title, a short text cut at a
// sentence or word, the permalink, and the post's hashtags (or the programme's own). WhatsApp's own markup: *bold*.
// No I/O: the share page and its tests read the same.

/** Characters of the post's text kept: a forwarded message is read on a phone, between others. */
export const SHARE_TEXT_MAX = 320;
/** The hashtag of the programme the units are ranked on, when the post names none of its own. */
export const DEFAULT_HASHTAGS = ['#PolriPresisi'] as const;

export function whatsappText(post: { title: string; body: string }, permalink: string): string {
  const short = shortText(post.body);
  const hashtags = hashtagsOf(post.body);
  // The post's own hashtags once: those the short text already carries are not repeated below it.
  const below = hashtags.length > 0 ? hashtags.filter((h) => !hashtagsOf(short).includes(h)) : [...DEFAULT_HASHTAGS];
  return [`*${post.title.replace(/\*/g, '')}*`, short, `Selengkapnya: ${permalink}`, ...(below.length > 0 ? [below.join(' ')] : [])].join('\n\n');
}

/** The text up to SHARE_TEXT_MAX characters, ending at a sentence where one ends late enough, else at a word, with "…". */
export function shortText(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  if (text.length <= SHARE_TEXT_MAX) return text;
  const head = text.slice(0, SHARE_TEXT_MAX);
  const sentence = Math.max(head.lastIndexOf('. '), head.lastIndexOf('! '), head.lastIndexOf('? '));
  if (sentence >= SHARE_TEXT_MAX / 2) return head.slice(0, sentence + 1);
  const word = head.lastIndexOf(' ');
  return `${(word > 0 ? head.slice(0, word) : head).replace(/[\s,;:]+$/, '')}…`;
}

/** The hashtags the text carries, each once, in their order. */
export function hashtagsOf(body: string): string[] {
  return [...new Set(body.match(/#[\p{L}\p{N}_]+/gu) ?? [])];
}
