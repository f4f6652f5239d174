// Personal data that Law 27/2022 keeps out of public posts, found in free text: national ID (NIK) and
// family card (KK) numbers, mobile numbers, e-mail addresses. Matched on the normalized text (full-width
// and other scripts' digits, invisible characters, separator runs), reported at what the person typed.
import type { Finding } from './finding';
import { type Normalized, normalize, originalSpan } from './normalize';

/** Province codes that open a NIK or KK number: 11 (Aceh) up to 96 (the newest Papua provinces). */
const PROVINCE = /^(1[1-9]|21|3[1-6]|5[1-3]|6[1-5]|7[1-6]|8[1-2]|9[1-6])/;
/**
 * What may stand between the digits of one number: a run of up to four spaces, dots, dashes, underscores or
 * brackets, or a bare slash (`3201/2345`). A slash with spaces around it (` / `) separates two numbers.
 */
const SEP = '(?:[ .\\-_()]{0,4}|/)';
const ID_NUMBER = new RegExp(`(?<!\\d${SEP})\\d(?:${SEP}\\d){15}(?!${SEP}\\d)`, 'g');
/** Sixteen digits written together are a candidate whatever numbers stand near them. */
const ID_NUMBER_WHOLE = /(?<!\d)\d{16}(?!\d)/g;
const FAMILY_CARD = /(?:\bkk\b|kartu\s*keluarga)[^0-9]{0,20}$/i;
/**
 * Mobile numbers: 08xx, 628xx, +62 8xx, (+62) 8xx, (08xx); 10 to 13 digits with the leading 0. The second
 * digit after 8 is never 0 (0800 is a toll-free line), so office lines and hotlines stay clean.
 */
const MOBILE = new RegExp(`(?<![\\d+])\\(?(?:\\+\\s?62|0{0,2}62|0)\\)?[ .\\-_]{0,3}\\(?8[1-9]\\d\\)?(?:${SEP}\\d){6,9}(?!${SEP}\\d)`, 'g');
/**
 * E-mail addresses, also spelled out: `nama [at] gmail [dot] com`, `nama @ gmail.com`, `nama at gmail dot com`.
 * Parts are bounded (64 characters, as mail allows) and a match starts only where a word starts, so a
 * long run of letters costs one pass, not one per letter. A spelled-out or spaced form must end in a domain
 * ending people use, so that `@akun.instagram` or "tim at Polres dot Tubaba" are not taken for an address.
 */
const AT = String.raw`(?:\s*@\s*|\s*[\[({<]\s*(?:at|et)\s*[\])}>]\s*|\s+(?:at|et)\s+)`;
const DOT = String.raw`(?:\s*\.\s*|\s*[\[({<]\s*(?:dot|titik)\s*[\])}>]\s*|\s+(?:dot|titik)\s+)`;
const TLD = '(?:com|id|net|org|co|info|biz|me|io|edu|gov|mil|int|us|uk|my|sg|au|app|dev|xyz|online|site|mail)';
const EMAIL = new RegExp(String.raw`(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}(?:@(?:[A-Za-z0-9-]{1,63}\.){1,4}[A-Za-z]{2,24}\b|${AT}(?:[A-Za-z0-9-]{1,63}${DOT}){1,4}${TLD}\b)`, 'gi');
/** What every e-mail address above holds: an `@`, or `at`/`et` between spaces or brackets. */
const MAY_HOLD_EMAIL = /@|(?:^|[\s[({<])(?:at|et)(?:$|[\s\])}>])/i;
/** The fewest digits a mobile number above has: `0`, `8`, two more, then at least six. */
const MOBILE_MIN_DIGITS = 10;

/** ASCII digits in a normalized text (normalize() has turned other scripts' digits into these). */
function digitCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** Official addresses of government bodies are public contact points, not personal data. */
const OFFICIAL_DOMAIN = /@([a-z0-9-]+\.)*go\.id$/i;

/** An e-mail address as written, put back into its plain form. */
function canonicalEmail(written: string): string {
  return written
    .replace(new RegExp(AT, 'i'), '@')
    .replace(new RegExp(DOT, 'gi'), '.')
    .toLowerCase();
}

export function findPersonalData(field: string, text: string, normalized: Normalized = normalize(text)): Finding[] {
  const findings: Finding[] = [];
  const taken: Array<[number, number]> = [];
  const overlaps = (start: number, end: number) => taken.some(([s, e]) => start < e && s < end);
  const n = normalized.text;
  const span = (start: number, end: number) => originalSpan(normalized, start, end, text);

  // Most texts hold no number long enough and no "@": the patterns, which try at every digit and every word, are
  // skipped for them (each is run on every create, edit and submit).
  const digitsInText = digitCount(n);
  const idNumbers = digitsInText < 16 ? [] : [...n.matchAll(ID_NUMBER), ...n.matchAll(ID_NUMBER_WHOLE)];
  for (const m of idNumbers) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length !== 16 || !PROVINCE.test(digits) || overlaps(m.index, m.index + m[0].length)) continue;
    taken.push([m.index, m.index + m[0].length]);
    const familyCard = FAMILY_CARD.test(n.slice(Math.max(0, m.index - 40), m.index));
    findings.push({
      code: familyCard ? 'personal_data.kk' : 'personal_data.nik',
      severity: 'block',
      field,
      span: span(m.index, m.index + m[0].length),
      message: familyCard
        ? { id: 'Teks memuat nomor Kartu Keluarga (16 digit). Hapus data pribadi ini.', en: 'The text contains a family card (KK) number (16 digits). Remove this personal data.' }
        : {
            id: 'Teks memuat nomor yang tampak seperti NIK (16 digit). Hapus data pribadi ini.',
            en: 'The text contains what looks like a national ID number (NIK, 16 digits). Remove this personal data.',
          },
    });
  }
  for (const m of digitsInText < MOBILE_MIN_DIGITS ? [] : n.matchAll(MOBILE)) {
    const start = m.index;
    const end = start + m[0].length;
    if (overlaps(start, end)) continue;
    taken.push([start, end]);
    findings.push({
      code: 'personal_data.phone',
      severity: 'block',
      field,
      span: span(start, end),
      message: {
        id: 'Teks memuat nomor telepon seluler. Nomor pribadi tidak boleh diterbitkan.',
        en: 'The text contains a mobile phone number. Private numbers must not be published.',
      },
    });
  }
  for (const m of MAY_HOLD_EMAIL.test(n) ? n.matchAll(EMAIL) : []) {
    const start = m.index;
    const end = start + m[0].length;
    if (overlaps(start, end)) continue;
    const official = OFFICIAL_DOMAIN.test(canonicalEmail(m[0]));
    findings.push({
      code: official ? 'personal_data.email_official' : 'personal_data.email',
      severity: official ? 'warn' : 'block',
      field,
      span: span(start, end),
      message: official
        ? {
            id: 'Teks memuat alamat e-mail instansi. Pastikan memang untuk umum.',
            en: 'The text contains an official e-mail address. Make sure it is meant for the public.',
          }
        : {
            id: 'Teks memuat alamat e-mail. Alamat pribadi tidak boleh diterbitkan.',
            en: 'The text contains an e-mail address. Personal addresses must not be published.',
          },
    });
  }
  return findings.sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0));
}
