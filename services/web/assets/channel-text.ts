// How long a post's text is on each platform, counted the way that platform counts.
import parseTweet from 'twitter-text/dist/esm/parseTweet';
import type { ChannelKind } from '../../../shared/post';

/** Undefined limit: the channel takes any length (the news page, a webhook). */
const LIMITS: Record<ChannelKind, number | undefined> = {
  x: 280,
  facebook: 63_206,
  instagram: 2_200,
  telegram: 4_096,
  news_page: undefined,
  webhook: undefined,
};

export interface TextCount {
  used: number;
  limit: number | undefined;
  over: boolean;
}

export function countFor(kind: ChannelKind, text: string): TextCount {
  // X weighs URLs as 23 and CJK or emoji as 2: only its own library gets that right.
  const used = kind === 'x' ? parseTweet(text).weightedLength : Array.from(text).length;
  const limit = LIMITS[kind];
  return { used, limit, over: limit !== undefined && used > limit };
}
