// How much memory decoding a photo takes, from its header alone, so that a photo too costly to open is refused
// before any pixel is decoded. A baseline JPEG, a plain PNG or a WebP is read line by line (and a JPEG or WebP
// shrunk while decoding), so its full decoded size is an upper bound. A progressive JPEG or an interlaced PNG
// cannot be: every pass touches the whole picture, so libvips (libjpeg's coefficient buffer, libspng's
// de-interlacing) holds all of it at once, and so does the HEIF decoder for AVIF and HEIC.

export interface DecodeHeader {
  /** sharp's format name: jpeg, png, webp, heif, … */
  format: string | undefined;
  width: number;
  height: number;
  channels: number;
  /** sharp's band format: uchar, ushort, float, … */
  depth: string | undefined;
  /** Progressive JPEG or interlaced (Adam7) PNG. */
  progressive: boolean;
  /** JPEG only: 4:2:0, 4:4:4, … */
  chromaSubsampling: string | undefined;
}

export interface DecodeCost {
  /** Bytes held while decoding. */
  bytes: number;
  /** Whether the decoder holds the whole picture (the stricter limit applies). */
  wholeImage: boolean;
  /** Bytes this photo may hold: the budget, or a quarter of it for a whole-image decode. */
  limit: number;
}

/** A whole-image decode may use this fraction of the budget: it cannot be shrunk while decoding, and it is done twice (check, render). */
export const WHOLE_IMAGE_SHARE = 4;

const BYTES_PER_SAMPLE: Record<string, number> = { uchar: 1, char: 1, ushort: 2, short: 2, uint: 4, int: 4, float: 4, double: 8 };

/** JPEG samples per pixel after chroma subsampling: 4:2:0 keeps a quarter of each of the two colour planes. */
const JPEG_SAMPLES: Record<string, number> = { '4:2:0': 1.5, '4:2:2': 2, '4:4:0': 2, '4:4:4': 3, '4:2:0:4': 2.5, '4:2:2:4': 3, '4:4:4:4': 4 };

export function decodeCost(h: DecodeHeader, budgetBytes: number): DecodeCost {
  const pixels = h.width * h.height;
  const decoded = pixels * h.channels * (BYTES_PER_SAMPLE[h.depth ?? 'uchar'] ?? 1);
  const whole = { limit: Math.floor(budgetBytes / WHOLE_IMAGE_SHARE), wholeImage: true };
  if (h.format === 'jpeg' && h.progressive) {
    // libjpeg keeps every DCT coefficient, 2 bytes each, for every sample left after subsampling.
    const samples = (h.chromaSubsampling && JPEG_SAMPLES[h.chromaSubsampling]) || h.channels;
    return { bytes: pixels * samples * 2, ...whole };
  }
  if ((h.format === 'png' && h.progressive) || h.format === 'heif') return { bytes: decoded, ...whole };
  return { bytes: decoded, wholeImage: false, limit: budgetBytes };
}

/** The longest side, rounded down to 100 px, at which the same photo would fit its limit. */
export function longSideWithin(h: DecodeHeader, cost: DecodeCost): number {
  const scale = Math.sqrt(cost.limit / cost.bytes);
  return Math.max(100, Math.floor((Math.max(h.width, h.height) * scale) / 100) * 100);
}
