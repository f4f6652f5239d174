// The rules against a labelled corpus of Indonesian sentences written in the style of Humas posts:
// per category, how many protected mentions are found (recall) and how many clean sentences are flagged.
import fs from 'node:fs';
import path from 'node:path';
import { findProtectedData, scanEachTextOnce } from '../../../shared/rules/protected-data';

interface Case {
  category: string;
  expected: string;
  text: string;
}

const cases: Case[] = fs
  .readFileSync(path.join(__dirname, 'protected-data.corpus.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => {
    const [category, expected, text] = l.split('\t');
    return { category: category!, expected: expected!, text: text! };
  });

const results = new Map<string, { positives: number; found: number; clean: number; flagged: number; misses: string[]; falses: string[] }>();
for (const c of cases) {
  const r = results.get(c.category) ?? { positives: 0, found: 0, clean: 0, flagged: 0, misses: [], falses: [] };
  const codes = findProtectedData('body', c.text).map((f) => f.code);
  if (c.expected === 'clean') {
    r.clean += 1;
    if (codes.length > 0) {
      r.flagged += 1;
      r.falses.push(`${c.text} → ${codes.join(', ')}`);
    }
  } else {
    r.positives += 1;
    if (codes.includes(c.expected)) r.found += 1;
    else r.misses.push(`${c.text} → ${codes.join(', ') || 'nothing'}`);
  }
  results.set(c.category, r);
}

test('the corpus holds at least 200 cases, positive and clean, in every category', () => {
  expect(cases.length).toBeGreaterThanOrEqual(200);
  for (const category of ['nik', 'phone', 'email', 'child', 'sexual_violence', 'address']) {
    expect(results.get(category)?.positives).toBeGreaterThanOrEqual(15);
    expect(results.get(category)?.clean).toBeGreaterThanOrEqual(15);
  }
});

test.each([...results.keys()])('%s: recall ≥ 95%, false findings ≤ 5%', (category) => {
  const r = results.get(category)!;
  const recall = r.found / r.positives;
  const falseRate = r.flagged / r.clean;
  // Printed in every run, so that the figures are in `npm test`'s output.
  console.log(
    `protected data corpus — ${category.padEnd(16)} recall ${(recall * 100).toFixed(1)}% (${r.found}/${r.positives})  false findings ${(falseRate * 100).toFixed(1)}% (${r.flagged}/${r.clean})` +
      (r.misses.length + r.falses.length > 0 ? `\n  missed: ${r.misses.join('\n          ')}\n  flagged: ${r.falses.join('\n           ')}` : ''),
  );
  expect(recall).toBeGreaterThanOrEqual(0.95);
  expect(falseRate).toBeLessThanOrEqual(0.05);
});

test('a scan shared by the findings and the masked history finds what a fresh scan finds, under each field', () => {
  const scan = scanEachTextOnce();
  for (const c of cases) {
    expect(scan('title', c.text)).toEqual(findProtectedData('title', c.text));
    // The second reading of the same text is remembered, and named for the field that asks.
    expect(scan('variants.x', c.text)).toEqual(findProtectedData('variants.x', c.text));
  }
});
