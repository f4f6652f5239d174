// Personal data that Law 27/2022 keeps out of public posts, found in free text.
import type { Finding } from './finding';

/** Province codes that open a NIK: 11 (Aceh) up to 96 (the newest Papua provinces). */
const PROVINCE = /^(1[1-9]|2[1]|3[1-6]|5[1-3]|6[1-5]|7[1-6]|8[1-2]|9[1-6])/;

// 16 digits, written whole or in groups separated by one space, dot or dash.
const NIK_CANDIDATE = /(?<![\d+])\d(?:[ .-]?\d){15}(?![\d])/g;
// Mobile numbers: 08…, 628…, +62 8…; 10 to 13 digits once the leading 0 / 62 is counted.
const MOBILE = /(?<![\d+])(?:\+62|62|0)[ .-]?8\d(?:[ .-]?\d){6,10}(?!\d)/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// Official addresses of government bodies are public contact points, not personal data.
const OFFICIAL_DOMAIN = /@([a-z0-9-]+\.)*go\.id$/i;

function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

export function findPersonalData(field: string, text: string): Finding[] {
  const findings: Finding[] = [];
  const taken: Array<[number, number]> = [];
  const overlaps = (start: number, end: number) => taken.some(([s, e]) => start < e && s < end);

  for (const m of text.matchAll(NIK_CANDIDATE)) {
    const digits = digitsOf(m[0]);
    if (digits.length !== 16 || !PROVINCE.test(digits)) continue;
    const start = m.index;
    const end = start + m[0].length;
    taken.push([start, end]);
    findings.push({
      code: 'personal_data.nik',
      severity: 'block',
      field,
      span: { start, end },
      message: {
        id: 'Teks memuat nomor yang tampak seperti NIK (16 digit). Hapus data pribadi ini.',
        en: 'The text contains what looks like a national ID number (NIK, 16 digits). Remove this personal data.',
      },
    });
  }
  for (const m of text.matchAll(MOBILE)) {
    const start = m.index;
    const end = start + m[0].length;
    if (overlaps(start, end)) continue;
    taken.push([start, end]);
    findings.push({
      code: 'personal_data.phone',
      severity: 'block',
      field,
      span: { start, end },
      message: {
        id: 'Teks memuat nomor telepon seluler. Nomor pribadi tidak boleh diterbitkan.',
        en: 'The text contains a mobile phone number. Private numbers must not be published.',
      },
    });
  }
  for (const m of text.matchAll(EMAIL)) {
    const start = m.index;
    const end = start + m[0].length;
    const official = OFFICIAL_DOMAIN.test(m[0]);
    findings.push({
      code: official ? 'personal_data.email_official' : 'personal_data.email',
      severity: official ? 'warn' : 'block',
      field,
      span: { start, end },
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
