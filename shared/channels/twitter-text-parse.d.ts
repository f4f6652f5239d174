// Only X's length rule is needed, not the whole of twitter-text: the browser bundle maps this path to the ES build.
declare module 'twitter-text/dist/parseTweet' {
  import type { ParsedTweet } from 'twitter-text';
  export default function parseTweet(text: string): ParsedTweet;
}
