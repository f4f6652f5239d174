// How long a post's text is on each platform, counted the way that platform counts, and how an
// over-long X text splits into a thread. Runs in the browser and on the server alike.
import parseTweet from 'twitter-text/dist/parseTweet';
import type { ChannelKind } from '../post';
import { CHANNEL_RULES } from './channel-rules';

export interface TextCount {
  used: number;
  limit: number | undefined;
  over: boolean;
}

export function textLength(kind: ChannelKind, text: string): number {
  switch (CHANNEL_RULES[kind].counting) {
    case 'x-weighted':
      return parseTweet(text).weightedLength;
    case 'utf16':
      return text.length;
  }
}

export function countFor(kind: ChannelKind, text: string): TextCount {
  const used = textLength(kind, text);
  const limit = CHANNEL_RULES[kind].textLimit;
  return { used, limit, over: limit !== undefined && used > limit };
}

/**
 * Splits a text into thread parts that each fit `kind`'s limit with a ` (i/n)` counter, breaking
 * between paragraphs, then sentences, then words; a single word longer than a part is cut.
 * A text that fits is one part without a counter.
 */
export function splitThread(kind: ChannelKind, text: string): string[] {
  const limit = CHANNEL_RULES[kind].textLimit;
  const trimmed = text.trim();
  if (limit === undefined || textLength(kind, trimmed) <= limit) return [trimmed];
  // The counter's own length depends on the number of parts: try with room for "(9/9)", then "(99/99)".
  for (const digits of [1, 2, 3]) {
    const room = limit - textLength(kind, ` (${'9'.repeat(digits)}/${'9'.repeat(digits)})`);
    const parts = pack(kind, trimmed, room);
    if (String(parts.length).length <= digits) return parts.map((p, i) => `${p} (${i + 1}/${parts.length})`);
  }
  return [trimmed];
}

function pack(kind: ChannelKind, text: string, room: number): string[] {
  const pieces = text
    .split(/\n\s*\n/)
    .flatMap((paragraph, i, all) => {
      const sentences = paragraph.match(/[^.!?]+[.!?]+["')\]]*\s*|[^.!?]+$/g) ?? [paragraph];
      // A paragraph break is kept as such when two paragraphs share a part.
      return sentences.map((s, j) => (j === sentences.length - 1 && i < all.length - 1 ? `${s.trim()}\n\n` : s));
    });
  const parts: string[] = [];
  let current = '';
  const flush = () => {
    if (current.trim() !== '') parts.push(current.trim());
    current = '';
  };
  const fits = (s: string) => textLength(kind, s.trim()) <= room;
  for (const piece of pieces) {
    if (fits(current + piece)) {
      current += piece;
      continue;
    }
    flush();
    if (fits(piece)) {
      current = piece;
      continue;
    }
    for (const word of piece.split(/(?<=\s)/)) {
      if (fits(current + word)) {
        current += word;
        continue;
      }
      flush();
      let rest = word;
      while (!fits(rest)) {
        let cut = rest.length;
        while (cut > 1 && !fits(rest.slice(0, cut))) cut = Math.floor(cut * 0.9);
        parts.push(rest.slice(0, cut).trim());
        rest = rest.slice(cut);
      }
      current = rest;
    }
  }
  flush();
  return parts;
}
