// Only X's length rule is bundled, not the whole of twitter-text.
declare module 'twitter-text/dist/esm/parseTweet' {
  import type { ParsedTweet } from 'twitter-text';
  export default function parseTweet(text: string): ParsedTweet;
}
