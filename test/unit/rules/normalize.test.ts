import fc from 'fast-check';
import { normalize } from '../../../shared/rules/normalize';

/**
 * The rules' reading of a text, one code point at a time with no shortcut: what `normalize` must give for any
 * text, its ASCII shortcut included.
 */
function byCodePoint(original: string): { text: string; from: number[] } {
  const invisible = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/;
  const dashes = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/;
  let text = '';
  const from: number[] = [];
  let i = 0;
  for (const ch of original) {
    const at = i;
    i += ch.length;
    if (invisible.test(ch)) continue;
    let out = ch.normalize('NFKC');
    const cp = out.codePointAt(0) ?? 0;
    const zero = out.length <= 2 ? DIGIT_ZEROS.find((z) => cp >= z && cp <= z + 9) : undefined;
    if (zero !== undefined) out = String(cp - zero);
    else if (dashes.test(out)) out = '-';
    else if (/\s/.test(out)) out = ' ';
    text += out;
    for (let k = 0; k < out.length; k++) from.push(at);
  }
  from.push(original.length);
  return { text, from };
}

/** Digit zero of each script with decimal digits, as the rules know them. */
const DIGIT_ZEROS = [
  0x0660, 0x06f0, 0x07c0, 0x0966, 0x09e6, 0x0a66, 0x0ae6, 0x0b66, 0x0be6, 0x0c66, 0x0ce6, 0x0d66, 0x0de6, 0x0e50, 0x0ed0, 0x0f20, 0x1040, 0x1090,
  0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
];

describe('normalize', () => {
  test('whitespace, invisible characters, dashes and other scripts\u2019 digits', () => {
    const n = normalize('NIK\t٣٢\u200B01\u2013x\u00A0y');
    expect(n.text).toBe('NIK 3201-x y');
    expect(n.from).toEqual([0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13]);
  });

  test('any text reads as it does one code point at a time', () => {
    const mixed = fc.string({ unit: fc.oneof(fc.constantFrom(' ', '\t', '\n', '-', '0', '9', 'a', '\u200B', '\u2013', '\u0663', '\uFF11', 'ﬁ', '\uD83D', '\uDE00', '😀', 'é'), fc.string({ minLength: 1, maxLength: 1 })), maxLength: 60 });
    fc.assert(
      fc.property(fc.oneof(mixed, fc.string({ unit: 'binary', maxLength: 40 })), (s) => {
        expect(normalize(s)).toEqual(byCodePoint(s));
      }),
      { numRuns: 3000 },
    );
  });
});
