// Nearly the same, measured: MinHash's estimate against the exact Jaccard similarity of shingle sets, the bands
// that find candidates, and the photo hash's distance.
import fc from 'fast-check';
import { MIN_WORDS, photoDistance, photoHash, textSignature, textSimilarity, wordsOf } from '../../../shared/rules/near-duplicates';

const WORDS = ['polres', 'warga', 'patroli', 'kegiatan', 'desa', 'jumat', 'curhat', 'narkoba', 'lalu', 'lintas', 'bakti', 'sosial', 'kapolres', 'masyarakat', 'keamanan', 'sekolah', 'pasar', 'malam', 'pagi', 'bersama'];

function shingles(text: string): Set<string> {
  const w = wordsOf(text);
  const out = new Set<string>();
  for (let i = 0; i + 3 <= w.length; i++) out.add(w.slice(i, i + 3).join(' '));
  return out;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let both = 0;
  for (const x of a) if (b.has(x)) both++;
  return both / (a.size + b.size - both);
}

test("MinHash's estimate stays near the exact Jaccard similarity of the texts' three-word runs", () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...WORDS), { minLength: 40, maxLength: 120 }),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(...WORDS)), { maxLength: 40 }),
      (words, edits) => {
        const a = words.join(' ');
        const changed = [...words];
        for (const [at, word] of edits) changed[at % changed.length] = word;
        const b = changed.join(' ');
        const exact = jaccard(shingles(a), shingles(b));
        const estimate = textSimilarity(textSignature('', a)!.minhash, textSignature('', b)!.minhash);
        // 60 minimums: the estimate's standard deviation is at most 0.065; 0.3 is over four of them.
        expect(Math.abs(estimate - exact)).toBeLessThan(0.3);
      },
    ),
    { numRuns: 300 },
  );
});

test('the same text in another case, spacing and punctuation has the same signature; a short text has none', () => {
  const text = 'Polres Tulangbawang Barat melaksanakan kegiatan Jumat Curhat bersama warga di balai desa Tiyuh Mulya.';
  const same = textSignature('', text.toUpperCase().replace(/ /g, '  ').replace('.', ' !'));
  expect(same).toEqual(textSignature('', text));
  expect(textSignature('Judul', 'terlalu pendek untuk dibandingkan')).toBeUndefined();
  expect(wordsOf('satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas dua-belas').length).toBe(MIN_WORDS + 1);
});

test('texts nearly the same share a band; unrelated texts do not', () => {
  const base = Array.from({ length: 80 }, (_, i) => WORDS[(i * 7) % WORDS.length]).join(' ') + ' akhir';
  const near = base.replace('polres', 'polsek');
  const far = Array.from({ length: 80 }, (_, i) => `kata${i}`).join(' ');
  const bands = (t: string) => new Set(textSignature('', t)!.bands);
  expect([...bands(near)].some((b) => bands(base).has(b))).toBe(true);
  expect([...bands(far)].some((b) => bands(base).has(b))).toBe(false);
});

test('the photo hash compares neighbours of each row; its distance counts differing bits', () => {
  const grey = new Uint8Array(72).map((_, i) => (i % 9) * 20);
  expect(photoHash(grey)).toBe('0');
  const inverted = grey.map((v) => 255 - v);
  expect(photoDistance(photoHash(inverted), photoHash(grey))).toBe(64);
  const oneFlip = new Uint8Array(grey);
  oneFlip[0] = 250;
  expect(photoDistance(photoHash(oneFlip), photoHash(grey))).toBe(1);
  expect(() => photoHash(new Uint8Array(64))).toThrow();
});
