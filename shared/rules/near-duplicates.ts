// Posts nearly the same as one another: the same press release copied by two Polres, or the same photo.
// Text: the sets of three-word runs (shingles) of two posts, compared by MinHash, whose share of equal minimums
// estimates the sets' Jaccard similarity; its values grouped in bands give keys that nearly-equal texts share
// (locality-sensitive hashing), so the database finds candidates by an index instead of reading every post.
// Photos: a difference hash (dHash) of the photo shrunk to 9×8 grey; nearly the same photo, re-saved, resized or
// lightly edited, differs in few of its 64 bits.
// No I/O and no dependencies.
import { normalize } from './normalize';

/** Minimums kept per text. */
export const MINHASH_SIZE = 60;
/** Bands of ROWS minimums each: texts sharing any band are candidates. 20 × 3 finds Jaccard 0.5 pairs 93% of the time. */
const BANDS = 20;
const ROWS = MINHASH_SIZE / BANDS;
const WORDS_PER_SHINGLE = 3;
/** Texts shorter than this say too little to be called copies of one another. */
export const MIN_WORDS = 12;
/** The estimated Jaccard similarity of shingles from which two texts are "nearly the same". */
export const TEXT_SIMILAR = 0.5;
/** Differing bits (of 64) up to which two photos are "nearly the same". */
export const PHOTO_SIMILAR_BITS = 10;

export interface TextSignature {
  /** MINHASH_SIZE unsigned 32-bit minimums. */
  minhash: number[];
  /** One key per band, as decimal strings of signed 64-bit integers (the band's number in the high half). */
  bands: string[];
}

/** The signature of a post's title and text, or undefined when it is too short to compare. */
export function textSignature(title: string, body: string): TextSignature | undefined {
  const words = wordsOf(`${title} ${body}`);
  if (words.length < MIN_WORDS) return undefined;
  const shingles = new Set<number>();
  for (let i = 0; i + WORDS_PER_SHINGLE <= words.length; i++) shingles.add(fnv1a(words.slice(i, i + WORDS_PER_SHINGLE).join(' ')));
  const minhash = new Array<number>(MINHASH_SIZE).fill(0xffffffff);
  for (const s of shingles) {
    for (let k = 0; k < MINHASH_SIZE; k++) {
      const h = mix32(s ^ SEEDS[k]!);
      if (h < minhash[k]!) minhash[k] = h;
    }
  }
  const bands: string[] = [];
  for (let b = 0; b < BANDS; b++) {
    let h = mix32(b + 0x9e3779b9);
    for (let r = 0; r < ROWS; r++) h = mix32(h ^ minhash[b * ROWS + r]!);
    bands.push(BigInt.asIntN(64, (BigInt(b) << 32n) | BigInt(h)).toString());
  }
  return { minhash, bands };
}

/** The estimated Jaccard similarity (0..1) of the texts of two signatures. */
export function textSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** The words of a text as compared: NFKC, lower case, letters and digits only, in any script. */
export function wordsOf(text: string): string[] {
  return normalize(text).text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

/**
 * The difference hash of a photo from its 9×8 grey pixels (row by row): a bit per pair of neighbours in a row,
 * set when the left one is brighter. A signed 64-bit integer as a decimal string, as the database keeps it.
 */
export function photoHash(grey9x8: Uint8Array): string {
  if (grey9x8.length !== 72) throw new Error(`a photo hash takes 9×8 grey pixels, not ${grey9x8.length} values`);
  let bits = 0n;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) bits = (bits << 1n) | (grey9x8[y * 9 + x]! > grey9x8[y * 9 + x + 1]! ? 1n : 0n);
  }
  return BigInt.asIntN(64, bits).toString();
}

/** How many of the 64 bits of two photo hashes differ. */
export function photoDistance(a: string, b: string): number {
  let x = BigInt.asUintN(64, BigInt(a) ^ BigInt(b));
  let n = 0;
  while (x !== 0n) {
    x &= x - 1n;
    n++;
  }
  return n;
}

/** 32-bit FNV-1a of a string's UTF-16 units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** MurmurHash3's finaliser: each input bit changes about half the output bits. */
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** One seed per minimum, fixed forever: signatures stored by one version must compare with the next's. */
const SEEDS: readonly number[] = Array.from({ length: MINHASH_SIZE }, (_, k) => mix32(Math.imul(k + 1, 0x27d4eb2f)));
