// Everything the rules keep out of what goes out, in one call, and the masked form the history keeps.
import type { Finding } from './finding';
import { normalize } from './normalize';
import { findPersonalData } from './personal-data';
import { findProtectedIdentities } from './protected-identities';

export function findProtectedData(field: string, text: string): Finding[] {
  const n = normalize(text);
  return [...findPersonalData(field, text, n), ...findProtectedIdentities(field, text, n)].sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0));
}

/** Scans texts for protected data; one made by `scanEachTextOnce` remembers what it has read. */
export type ProtectedDataScan = (field: string, text: string) => Finding[];

/**
 * A scan that reads each distinct text once, for one piece of work that both checks a post and masks its
 * history copy (the same title and body twice). Made per request and dropped with it: it never outlives the
 * work, so nothing read for one post answers for another.
 */
export function scanEachTextOnce(): ProtectedDataScan {
  const seen = new Map<string, Finding[]>();
  return (field, text) => {
    let found = seen.get(text);
    if (found === undefined) {
      found = findProtectedData('', text);
      seen.set(text, found);
    }
    return found.map((f) => ({ ...f, field }));
  };
}

export interface MaskedSpan {
  code: string;
  start: number;
  end: number;
}

/**
 * The text with every blocked span replaced by `•` (one per character, so positions hold), and where and
 * what was masked: the history keeps the finding's code and position, never the digits or the name.
 */
export function maskProtected(text: string, scan: ProtectedDataScan = findProtectedData): { text: string; masked: MaskedSpan[] } {
  const masked = scan('', text)
    .filter((f) => f.severity === 'block' && f.span)
    .map((f) => ({ code: f.code, start: f.span!.start, end: f.span!.end }));
  if (masked.length === 0) return { text, masked };
  const chars = text.split('');
  for (const m of masked) for (let i = m.start; i < m.end; i++) chars[i] = '•';
  return { text: chars.join(''), masked };
}
