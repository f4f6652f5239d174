// Text PostgreSQL can store. It refuses the NUL character in every text, and a lone UTF-16 surrogate (half of
// an emoji, which JSON may spell as "\ud800") in every JSON value; in a plain text column the driver's UTF-8
// turns it into U+FFFD unasked. Either would fail the statement: people's input is refused before it gets
// there (services/http/storable-input.ts), and text from elsewhere (platforms' answers) is cleaned with
// storableText before it is written.

/** A NUL, a high surrogate with no low one after it, or a low surrogate with no high one before it. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

export type Unstorable = 'nul' | 'lone-surrogate';

/** What in the text cannot be stored, or undefined when all of it can. */
export function unstorableIn(text: string): Unstorable | undefined {
  const m = UNSTORABLE.exec(text);
  if (!m) return undefined;
  return m[0] === '\u0000' ? 'nul' : 'lone-surrogate';
}

/** The text with each character PostgreSQL cannot store replaced by U+FFFD, the replacement character. */
export function storableText(text: string): string {
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE_ALL, '\uFFFD') : text;
}

/**
 * The first place inside a parsed request value (JSON, form fields, a query) whose text, or key, cannot be
 * stored: its path (`variants.<id>`, `photos.0.altText`) and what is wrong there.
 */
export function findUnstorable(value: unknown, path: string[] = [], depth = 0): { path: string; what: Unstorable } | undefined {
  if (typeof value === 'string') {
    const what = unstorableIn(value);
    return what ? { path: path.join('.'), what } : undefined;
  }
  // Deeper than any field of ours (every schema refuses such a body anyway): the walk stops before the stack would.
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  for (const [key, v] of entries) {
    const inKey = unstorableIn(key);
    if (inKey) return { path: [...path, storableText(key)].join('.'), what: inKey };
    const found = findUnstorable(v, [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}
