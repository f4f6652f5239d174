// Text as the rules read it: what a person wrote, with the tricks that hide a number or an address taken
// out, and a map back to the written text so that each finding points at what the person typed.
// No I/O and no dependencies: this runs in the browser too.

export interface Normalized {
  /** The text to match: NFKC, every script's digits as 0–9, invisible characters gone, dashes as `-`. */
  text: string;
  /** For each UTF-16 unit of `text`, where it came from in the original. */
  from: number[];
}

/** Zero-width, joiners, direction controls, soft hyphen, BOM: they change nothing a reader sees. */
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/;
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/;

/** The code points of digit zero of each script with decimal digits, so that ٣ or ꧓ reads as 3. */
const DIGIT_ZEROS = [
  0x0660, 0x06f0, 0x07c0, 0x0966, 0x09e6, 0x0a66, 0x0ae6, 0x0b66, 0x0be6, 0x0c66, 0x0ce6, 0x0d66, 0x0de6, 0x0e50, 0x0ed0, 0x0f20, 0x1040, 0x1090,
  0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
];

function digitValue(cp: number): number | undefined {
  for (const zero of DIGIT_ZEROS) if (cp >= zero && cp <= zero + 9) return cp - zero;
  return undefined;
}

export function normalize(original: string): Normalized {
  let text = '';
  const from: number[] = [];
  let i = 0;
  while (i < original.length) {
    const at = i;
    const unit = original.charCodeAt(i);
    if (unit < 0x80) {
      // ASCII, most of what is written, is its own NFKC form and holds no invisible character, dash or other
      // script's digit: only whitespace changes. Skipping the general path here makes the rules cheap per request.
      text += unit === 0x20 || (unit >= 0x09 && unit <= 0x0d) ? ' ' : original.charAt(i);
      from.push(at);
      i += 1;
      continue;
    }
    const ch = String.fromCodePoint(original.codePointAt(i)!);
    i += ch.length;
    if (INVISIBLE.test(ch)) continue;
    let out = ch.normalize('NFKC');
    const cp = out.codePointAt(0) ?? 0;
    const digit = out.length <= 2 ? digitValue(cp) : undefined;
    if (digit !== undefined) out = String(digit);
    else if (DASHES.test(out)) out = '-';
    else if (/\s/.test(out)) out = ' ';
    text += out;
    for (let k = 0; k < out.length; k++) from.push(at);
  }
  from.push(original.length);
  return { text, from };
}

/** Maps a span of the normalized text back to the original text. */
export function originalSpan(n: Normalized, start: number, end: number, original: string): { start: number; end: number } {
  const s = n.from[start] ?? original.length;
  // The end is just after the last matched unit's source character.
  const lastSource = n.from[Math.max(start, end - 1)] ?? original.length - 1;
  const cp = original.codePointAt(lastSource);
  const e = end > start ? lastSource + (cp !== undefined && cp > 0xffff ? 2 : 1) : s;
  return { start: s, end: Math.max(s, e) };
}
