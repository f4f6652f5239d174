// Identities the law protects beyond numbers: children in conflict with the law and child victims or
// witnesses (Law 11/2012), victims of sexual violence (Law 12/2022), and the home addresses of private
// people tied to a case. Read sentence by sentence: a name, initials, a school and class or an address
// is a finding only where the sentence ties it to such a person — a school visit or a patrol stays clean.
import type { Finding } from './finding';
import { type Normalized, normalize, originalSpan } from './normalize';

interface Sentence {
  start: number;
  end: number;
  text: string;
}

/** Words whose full stop does not end a sentence: street, number, village, titles, ranks. */
const ABBREVIATIONS = new Set(['jl', 'jln', 'no', 'gg', 'rt', 'rw', 'kec', 'kab', 'kel', 'ds', 'dsn', 'bpk', 'sdr', 'sdri', 'dr', 'drs', 'h', 'hj', 'st', 'an', 'tsb', 'dll', 'dsb', 'km', 'perum', 'ipda', 'iptu', 'akp', 'aiptu', 'aipda', 'bripka', 'brigpol', 'briptu', 'bripda', 'kompol', 'akbp', 'kombes', 'pol']);

/** Sentences of the normalized text: a full stop ends one unless it belongs to initials, an abbreviation or a number. */
function sentences(n: string): Sentence[] {
  const out: Sentence[] = [];
  let start = 0;
  const push = (end: number) => {
    if (n.slice(start, end).trim() !== '') out.push({ start, end, text: n.slice(start, end) });
    start = end;
  };
  for (let i = 0; i < n.length; i++) {
    const c = n[i]!;
    if (c === '\n' || c === '!' || c === '?') push(i + 1);
    else if (c === '.' && endsSentence(n, i)) push(i + 1);
  }
  push(n.length);
  return out;
}

function endsSentence(n: string, dot: number): boolean {
  // Looks only at the neighbourhood of the stop, so that a long text with many stops stays linear.
  let k = dot + 1;
  while (k < n.length && /\s/.test(n[k]!)) k++;
  if (k >= n.length) return true;
  const after = n[k]!;
  // "No. 12", "R.A., melapor", "1.250", "kelas V. siswa": what follows does not start a sentence.
  if (!/[A-Z"'(\[]/.test(after)) return false;
  let w = dot;
  while (w > 0 && dot - w < 30 && /[A-Za-z]/.test(n[w - 1]!)) w--;
  const word = n.slice(w, dot);
  if (ABBREVIATIONS.has(word.toLowerCase())) return false;
  // Initials: a single capital letter before the stop (R. A. or R.A.).
  if (/^[A-Z]$/.test(word)) return false;
  return true;
}

// —— What ties a sentence to a case
const CASE_ROLE = /\b(tersangka|pelaku|terduga|diduga|terlapor|korban|saksi|abh|anak berhadapan dengan hukum|anak yang berkonflik dengan hukum|ditangkap|diamankan|diringkus|dibekuk|ditahan|dilaporkan|tawuran|mencuri|pencurian|menganiaya|penganiayaan|pengeroyokan|membegal|pembegalan|senjata tajam|sajam)\b/i;
const MINOR_WORD = /\b(anak|bocah|remaja|pelajar|siswa|siswi|murid|santri|di bawah umur|bawah umur|masih sekolah|duduk di bangku|abh|diversi)\b/i;
const SCHOOL = /\b(?:SDN?|SMPN?|SMAN?|SMKN?|MTsN?|MAN?|MIN?|SLB)\b(?:\s*(?:Negeri|Swasta|IT|Islam|Muhammadiyah|PGRI))?\s*\d{0,3}(?:\s+[A-Z][A-Za-z]+){0,3}|\b(?:SD|SMP|SMA|SMK)\s+Negeri\s+\d{1,3}(?:\s+[A-Z][A-Za-z]+){0,3}/;
const CLASS = /\bkelas\s+(?:[IVX]{1,4}|\d{1,2})\b/i;
const AGE = /\b(?:usia|umur|berusia|berumur)\s*(\d{1,2})\b|\b(\d{1,2})\s*(?:tahun|thn|th)\b|\(\s*(\d{1,2})\s*(?:th|thn|tahun)?\s*\)/gi;
/** Initials as the press writes them: `AS`, `A.S.`, `RA (15)`, `berinisial MR`. */
const INITIALS = /\b(?:berinisial|inisial|insial|initial)\s+([A-Z](?:\.?[A-Z]){0,3}\.?)|\b([A-Z](?:\.[A-Z]){1,3}\.?)(?=[\s,)]|$)|\b([A-Z]{2,4})(?=\s*\(\s*\d{1,2})/g;
/** A person's name where the text introduces one: `bernama Budi Santoso`, `Siti Aminah (15)`, `korban, Dewi,`. */
const NAMED = /\b(?:bernama|atas nama|a\.n\.?|yakni|yaitu|adalah)\s+((?:[A-Z][a-z]+)(?:\s+[A-Z][a-z]+){0,3})|\b((?:[A-Z][a-z]+)(?:\s+[A-Z][a-z]+){0,3})(?=\s*\(\s*\d{1,2}\s*(?:th|thn|tahun)?\s*\))/g;

/** Words that look like initials but are not a person: units, bodies, places. */
const NOT_INITIALS = new Set(['POLRI', 'POLDA', 'POLRES', 'POLSEK', 'TNI', 'SPKT', 'RT', 'RW', 'SD', 'SMP', 'SMA', 'SMK', 'MTS', 'MA', 'MI', 'SLB', 'KUHP', 'UU', 'TKP', 'WIB', 'WITA', 'WIT', 'ABH', 'PPA', 'UPPA', 'BB', 'RI', 'NKRI', 'PT', 'CV', 'ATM', 'HP', 'KTP', 'NIK', 'KK', 'SIM', 'STNK', 'BPKB', 'DPO', 'LP', 'BAP', 'P21', 'OTT', 'TPKS', 'KDRT', 'ODGJ', 'RS', 'RSUD', 'PKS', 'IRT', 'ASN', 'PNS', 'SPBU', 'JL', 'NO', 'SSB', 'TK', 'PAUD', 'OSIS', 'BNN', 'BPBD', 'SAR', 'AKP', 'IPTU', 'IPDA', 'AKBP', 'KOMPOL', 'BRIPKA', 'BRIGPOL', 'BRIPTU', 'BRIPDA', 'AIPTU', 'AIPDA', 'KBO', 'KASAT', 'KASI', 'KANIT', 'KAPOLRES', 'KAPOLSEK', 'KAPOLDA', 'SATRESKRIM', 'SATLANTAS', 'SATNARKOBA', 'SABHARA', 'HUMAS', 'PID', 'DIY', 'NTB', 'NTT', 'DKI', 'SMS', 'WA', 'COVID', 'PT.', 'II', 'III', 'IV', 'VI', 'VII', 'VIII', 'IX', 'XI', 'XII']);

interface Mention {
  start: number;
  end: number;
  kind: 'initials' | 'name' | 'school';
}

/** Whoever stands before a child's age in brackets — `budi santoso (15)`, `RIZKY (15)` — whatever the case of the letters. */
const BEFORE_YOUNG_AGE = /((?:[A-Za-z][A-Za-z.'-]*\s+){0,2}[A-Za-z][A-Za-z.'-]*)\s*\(\s*(\d{1,2})\s*(?:th|thn|tahun)?\s*\)/g;

function identities(s: Sentence): Mention[] {
  const out: Mention[] = [];
  for (const m of s.text.matchAll(BEFORE_YOUNG_AGE)) {
    if (Number(m[2]) >= 18) continue;
    const words = m[1]!.split(/\s+/);
    // Keep the name-like tail: drop leading lowercase function words ("karena", "oleh").
    while (words.length > 1 && /^(dan|atau|oleh|karena|yakni|yaitu|bernama|berinisial|inisial|korban|tersangka|pelaku|saksi|pelajar|siswa|siswi|anak|bocah|remaja|seorang|si)$/i.test(words[0]!)) words.shift();
    // With a capitalised name in it, the lowercase words before the name are not part of it.
    if (words.some((w) => /^[A-Z]/.test(w))) while (words.length > 1 && /^[a-z]/.test(words[0]!)) words.shift();
    const name = words.join(' ');
    const at = m.index + (m[1]!.length - name.length);
    out.push({ start: s.start + at, end: s.start + at + name.length, kind: 'name' });
  }
  for (const m of s.text.matchAll(INITIALS)) {
    const token = (m[1] ?? m[2] ?? m[3] ?? '').replace(/\./g, '');
    if (!token || NOT_INITIALS.has(token.toUpperCase())) continue;
    const at = m.index + m[0].lastIndexOf(m[1] ?? m[2] ?? m[3] ?? '');
    out.push({ start: s.start + at, end: s.start + at + (m[1] ?? m[2] ?? m[3] ?? '').length, kind: 'initials' });
  }
  for (const m of s.text.matchAll(NAMED)) {
    const name = m[1] ?? m[2] ?? '';
    if (!name || /^(Polres|Polsek|Polda|Kapolres|Kapolsek|Kasat|Kanit|Desa|Kecamatan|Kabupaten|Jalan|Sekolah|Tim|Satreskrim|Unit|Bapak|Ibu|Saudara)\b/.test(name)) continue;
    const at = m.index + m[0].lastIndexOf(name);
    out.push({ start: s.start + at, end: s.start + at + name.length, kind: 'name' });
  }
  return out;
}

function lastIndex(text: string, re: RegExp): number {
  let at = -1;
  for (const m of text.matchAll(re)) at = m.index;
  return at;
}

function ageUnder18(text: string): boolean {
  for (const m of text.matchAll(AGE)) {
    const age = Number(m[1] ?? m[2] ?? m[3]);
    if (Number.isFinite(age) && age > 0 && age < 18) return true;
  }
  return false;
}

function finding(code: string, field: string, span: { start: number; end: number }, message: { id: string; en: string }): Finding {
  return { code, severity: 'block', field, span, message };
}

// —— Children (Law 11/2012 on the juvenile justice system)
function children(field: string, original: string, n: Normalized, s: Sentence): Finding[] {
  if (!CASE_ROLE.test(s.text)) return [];
  const minor = ageUnder18(s.text) || MINOR_WORD.test(s.text) || (SCHOOL.test(s.text) && CLASS.test(s.text));
  if (!minor) return [];
  // An adult's age in the sentence does not make the child mentioned in it less a child; but a sentence
  // whose only person is an adult is not about a child.
  const adultOnly = !MINOR_WORD.test(s.text) && !ageUnder18(s.text) && !CLASS.test(s.text);
  if (adultOnly) return [];
  const mentions: Mention[] = identities(s);
  const school = SCHOOL.exec(s.text);
  if (school && CLASS.test(s.text)) mentions.push({ start: s.start + school.index, end: s.start + school.index + school[0].length, kind: 'school' });
  // A person written with an adult's age — `AS (40)`, `Budi Santoso, 35 tahun` — is not the child.
  const adult = (m: Mention) => {
    const after = n.text.slice(m.end, Math.min(s.end, m.end + 16));
    const age = /^\s*(?:\(\s*|,\s*)(\d{1,3})\s*(?:th|thn|tahun)?/.exec(after);
    return age !== null && Number(age[1]) >= 18;
  };
  return mentions.filter((m) => !adult(m)).map((m) =>
    finding('child.identity', field, originalSpan(n, m.start, m.end, original), {
      id: 'Identitas anak yang berhadapan dengan hukum, korban atau saksi (nama, inisial, sekolah) tidak boleh diterbitkan (UU 11/2012). Hapus atau samarkan.',
      en: 'The identity of a child in conflict with the law, a child victim or a witness (name, initials, school) must not be published (Law 11/2012). Remove it.',
    }),
  );
}

// —— Victims of sexual violence (Law 12/2022)
const SEXUAL_VIOLENCE = /(pencabulan|cabul|mencabuli|dicabuli|melecehkan|pemerkosaan|perkosaan|memperkosa|diperkosa|rudapaksa|kekerasan seksual|pelecehan seksual|dilecehkan|persetubuhan|menyetubuhi|disetubuhi|asusila|tpks|eksploitasi seksual|pornografi anak)/i;
const VICTIM = /\b(korban(?:nya)?|pelapor|penyintas|terhadap|mencabuli|memperkosa|menyetubuhi|melecehkan|merudapaksa)\b/i;
/** A name right after the victim is named as such: `korban, Dewi,`, `penyintas …, Indah Permata`, `terhadap Siti`. */
const VICTIM_NAME = /\b(?:[Kk]orban(?:nya)?|[Pp]enyintas|[Pp]elapor)\b[^.;:]{0,40}?(?:,\s*|\s+(?:bernama|yakni|yaitu|atas nama)\s+)([A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,3}|[A-Z]{2,3}\b)|\b(?:[Tt]erhadap|[Kk]orban|mencabuli|memperkosa|menyetubuhi|melecehkan|merudapaksa)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,3}|[A-Z]{2,3}\b)|\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,3})\s+(?:menjadi|sebagai)\s+korban/g;
const NOT_NAMES = /^(Unit|Polres|Polsek|Polda|Satreskrim|UPTD|PPA|LPSK|Dinas|Rumah|RSUD|Desa|Kecamatan|Kabupaten|Jalan|Tim|Kapolres|Kapolsek|Ipda|Iptu|Bripka|Polwan)\b/;

function sexualViolence(field: string, original: string, n: Normalized, s: Sentence): Finding[] {
  if (!SEXUAL_VIOLENCE.test(s.text) || !VICTIM.test(s.text)) return [];
  const mentions = identities(s);
  for (const m of s.text.matchAll(VICTIM_NAME)) {
    const name = m[1] ?? m[2] ?? m[3] ?? '';
    if (!name || NOT_NAMES.test(name) || NOT_INITIALS.has(name)) continue;
    const at = m.index + m[0].lastIndexOf(name);
    if (!mentions.some((x) => x.start === s.start + at)) mentions.push({ start: s.start + at, end: s.start + at + name.length, kind: 'name' });
  }
  // The victim's name or initials: after "korban" or "terhadap" in the same clause; a suspect's stay.
  const out: Finding[] = [];
  for (const m of mentions) {
    const before = n.text.slice(Math.max(s.start, m.start - 60), m.start);
    const after = n.text.slice(m.end, Math.min(s.end, m.end + 40));
    // Whichever role is named last before the mention is the mention's.
    const victimAt = lastIndex(before, /\b(korban(?:nya)?|pelapor|penyintas|terhadap|mencabuli|memperkosa|menyetubuhi|melecehkan|merudapaksa)\b/gi);
    const suspectAt = lastIndex(before, /\b(tersangka|pelaku|terduga|terlapor|oknum)\b/gi);
    const isVictim = (victimAt >= 0 && victimAt > suspectAt) || (suspectAt < 0 && /^[^,;.]*\b(menjadi korban|sebagai korban|melapor|mengalami)\b/i.test(after));
    const isSuspect = !isVictim;
    if (!isVictim || isSuspect) continue;
    out.push(
      finding('sexual_violence.victim', field, originalSpan(n, m.start, m.end, original), {
        id: 'Nama atau inisial korban kekerasan seksual tidak boleh diterbitkan (UU 12/2022). Hapus.',
        en: 'The name or initials of a victim of sexual violence must not be published (Law 12/2022). Remove them.',
      }),
    );
  }
  return out;
}

// —— Home addresses of private people tied to a case
const ADDRESS = /\b(?:jl|jln|jalan)\.?\s+[A-Za-z0-9' .-]{2,40}?\s+(?:no|nomor|nmr)\.?\s*\d+[a-z]?\b|\b(?:jl|jln|jalan)\.?\s+(?:(?!km\b)[a-z][a-z'.-]+\s+){1,4}\d{1,4}[a-z]?\b(?!\s*(?:km|m|meter|menit|jam)\b)|\brt\.?\s*0*\d{1,3}\s*(?:\/|,|\s)\s*rw\.?\s*0*\d{1,3}\b|\brt\.?\s*0*\d{1,3}\b|\bblok\s+[a-z]{1,2}\s*[-./]?\s*\d{1,3}\b|\b(?:gg|gang)\.?\s+[A-Za-z]+(?:\s+[A-Za-z]+)?\s+(?:no|nomor)\.?\s*\d+\b|\bperum(?:ahan)?\s+[A-Z][A-Za-z ]{2,30}\s+blok\s+[A-Z0-9-]+/gi;
const PRIVATE_PERSON = /\b(korban|tersangka|pelaku|terduga|terlapor|pelapor|saksi|rumah (?:milik|korban|tersangka|pelaku|pelapor|warga|saudara|sdr|bapak|ibu)|kediaman|tempat tinggal|tinggal di|bertempat tinggal|beralamat|berdomisili|alamat rumah|rumahnya)\b/i;
const PUBLIC_PLACE = /\b(mapolres|mapolsek|mapolda|polres|polsek|polda|kantor|masjid|musala|mushola|gereja|pura|vihara|pasar|sekolah|balai|puskesmas|rsud|rumah sakit|terminal|alun-alun|lapangan|gedung|mako|pos polisi|pospol|pos pam|aula|stadion|spbu|bank|toko|warung|minimarket|kafe|hotel|kampus|universitas|stasiun|pelabuhan|bandara|patroli|berpatroli|sambang|ronda|siskamling|posko)\b/i;

function homeAddresses(field: string, original: string, n: Normalized, s: Sentence): Finding[] {
  if (!PRIVATE_PERSON.test(s.text)) return [];
  const out: Finding[] = [];
  for (const m of s.text.matchAll(ADDRESS)) {
    // A public place's address, or a patrol in a neighbourhood, is not someone's home.
    const lead = s.text.slice(Math.max(0, m.index - 40), m.index);
    if (PUBLIC_PLACE.test(lead)) continue;
    const start = s.start + m.index;
    out.push(
      finding('address.private', field, originalSpan(n, start, start + m[0].length, original), {
        id: 'Alamat rumah orang yang terkait perkara (korban, tersangka, pelapor, saksi) tidak boleh diterbitkan. Cukup sebut desa atau kecamatan.',
        en: 'The home address of a person in a case (victim, suspect, reporter, witness) must not be published. Name the village or district only.',
      }),
    );
  }
  return out;
}

export function findProtectedIdentities(field: string, text: string, normalized: Normalized = normalize(text)): Finding[] {
  const out: Finding[] = [];
  for (const s of sentences(normalized.text)) {
    // A child victim of sexual violence is named first as a victim of sexual violence.
    out.push(...sexualViolence(field, text, normalized, s), ...children(field, text, normalized, s), ...homeAddresses(field, text, normalized, s));
  }
  // One mention found by two rules is shown once, by the first.
  const seen = new Set<string>();
  return out.filter((f) => {
    const key = `${f.span?.start ?? 0}-${f.span?.end ?? 0}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
