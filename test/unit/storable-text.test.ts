import fc from 'fast-check';
import { findUnstorable, storableText, unstorableIn } from '../../shared/storable-text';

describe('text the database can store', () => {
  test('a NUL, or a surrogate without its other half, is named; a whole pair (an emoji) is fine', () => {
    expect(unstorableIn('Patroli \u0000 malam')).toBe('nul');
    expect(unstorableIn('a\ud800')).toBe('lone-surrogate');
    expect(unstorableIn('\udc00a')).toBe('lone-surrogate');
    expect(unstorableIn('\udc00\ud800')).toBe('lone-surrogate');
    expect(unstorableIn('Polri 👮 \u2028 ✓')).toBeUndefined();
  });
  test('the first bad text of a request is found with its path, in values and in keys', () => {
    expect(findUnstorable({ title: 'ok', variants: { a: 'ok', b: 'x\u0000' } })).toEqual({ path: 'variants.b', what: 'nul' });
    expect(findUnstorable({ photos: [{ altText: 'ok' }, { altText: '\ud83d' }] })).toEqual({ path: 'photos.1.altText', what: 'lone-surrogate' });
    expect(findUnstorable({ ['k\u0000']: 1 })).toEqual({ path: 'k\ufffd', what: 'nul' });
    expect(findUnstorable({ n: 1, b: true, z: null, s: 'ok' })).toBeUndefined();
  });
  test('cleaning leaves nothing unstorable, and leaves storable text as it was', () => {
    const piece = fc.oneof(fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '😀', 'é'), fc.string({ unit: 'binary', maxLength: 5 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }).map((p) => p.join('')), (text) => {
        const clean = storableText(text);
        expect(unstorableIn(clean)).toBeUndefined();
        expect(clean.length).toBe(text.length);
        if (unstorableIn(text) === undefined) expect(clean).toBe(text);
      }),
    );
  });
});
