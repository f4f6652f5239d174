import type { LocalizedText } from '../errors';

export type Severity = 'block' | 'warn';

export interface Finding {
  code: string;
  severity: Severity;
  message: LocalizedText;
  /** Which field of the post, e.g. `title`, `body`, `variants.<channelId>`, `scheduledAt`. */
  field?: string;
  /** Offending characters in that field, [start, end) in UTF-16 code units. */
  span?: { start: number; end: number };
}

export const blocks = (findings: readonly Finding[]): Finding[] =>
  findings.filter((f) => f.severity === 'block');
