// Photos in, renditions out: every rendition auto-oriented, in sRGB, stripped of all metadata
// (sharp writes none unless asked), sized per profile and squeezed under the profile's byte limit.
import type { Fit, RenditionSpec } from '../../shared/media/rendition-profiles';
import { type DecodeHeader, decodeCost, longSideWithin } from '../../shared/media/decode-budget';
import { type Box, decodeScaleFor, reshapes, targetBox } from '../../shared/media/photo-geometry';
import { photoHash } from '../../shared/rules/near-duplicates';
import type { Gravity, ImageEngine, Pipeline, RawImage } from './sharp-engine';

export type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

export interface Watermark {
  /** The unit's logo, any format sharp reads; transparency is kept. */
  logo: Buffer;
  corner: Corner;
  /** 0..1 */
  opacity: number;
  /** Logo width as a fraction of the rendition's width. */
  scale: number;
}

export interface RenderedRendition {
  name: string;
  format: 'jpeg' | 'png' | 'webp';
  mime: string;
  data: Buffer;
  width: number;
  height: number;
}

export type Inspection =
  | { ok: true; format: string; width: number; height: number; hasAlpha: boolean; photoHash: string }
  | { ok: false; reason: 'too_many_pixels'; width: number; height: number }
  | { ok: false; reason: 'too_much_memory'; width: number; height: number; neededBytes: number; limitBytes: number; wholeImage: boolean; longSide: number }
  | { ok: false; reason: 'animated'; pages: number }
  | { ok: false; reason: 'corrupt'; detail: string };

const WHITE = { r: 255, g: 255, b: 255 };
const MIME = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;
const GRAVITY: Record<Corner, Gravity> = {
  'top-left': 'northwest',
  'top-right': 'northeast',
  'bottom-left': 'southwest',
  'bottom-right': 'southeast',
};

export interface InspectLimits {
  /** MEDIA_MAX_PIXELS */
  maxPixels: number;
  /** MEDIA_DECODE_MB in bytes: what one photo's decoding may hold (see shared/media/decode-budget.ts). */
  decodeBudgetBytes: number;
}

/**
 * libjpeg's warnings that lose nothing: stray bytes some cameras write between segments, an unknown JFIF
 * revision, scan parameters a sequential JPEG should not carry, a bad ICC or Adobe marker. Every other libjpeg
 * warning ("premature end of data segment" from a file cut short with an end marker put back, a bad Huffman or
 * arithmetic code, a lost restart marker, an inconsistent progression) means pixels were filled with grey.
 */
const HARMLESS_JPEG_WARNING = /extraneous bytes before marker|unknown JFIF revision|Invalid SOS parameters|bad ICC marker|Unknown Adobe color transform/i;

/**
 * Reads the header, checks the pixel limit and the memory budget from it alone, then decodes every pixel in one
 * of the process's decode slots, so a damaged file is refused here and never published grey.
 */
export async function inspectImage(engine: ImageEngine, input: Buffer | string, limits: InspectLimits): Promise<Inspection> {
  let header;
  try {
    header = await engine.open(input, { limitInputPixels: false }).metadata();
  } catch (e) {
    return { ok: false, reason: 'corrupt', detail: message(e) };
  }
  const { width, height } = header;
  if (!width || !height) return { ok: false, reason: 'corrupt', detail: 'no dimensions' };
  if (width * height > limits.maxPixels) return { ok: false, reason: 'too_many_pixels', width, height };
  if ((header.pages ?? 1) > 1) return { ok: false, reason: 'animated', pages: header.pages ?? 1 };
  const h: DecodeHeader = {
    format: header.format,
    width,
    height,
    channels: header.channels,
    depth: header.depth,
    progressive: header.isProgressive,
    chromaSubsampling: header.chromaSubsampling,
  };
  const cost = decodeCost(h, limits.decodeBudgetBytes);
  if (cost.bytes > cost.limit) {
    return {
      ok: false,
      reason: 'too_much_memory',
      width,
      height,
      neededBytes: cost.bytes,
      limitBytes: cost.limit,
      wholeImage: cost.wholeImage,
      longSide: longSideWithin(h, cost),
    };
  }
  const decoded = await engine.decoding(() => verify(engine, input, header.format, limits.maxPixels));
  if ('damage' in decoded) return { ok: false, reason: 'corrupt', detail: decoded.damage };
  const oriented = header.autoOrient ?? { width, height };
  return { ok: true, format: header.format ?? 'unknown', width: oriented.width, height: oriented.height, hasAlpha: header.hasAlpha, photoHash: photoHash(decoded.grey) };
}

type Decoded = { grey: Uint8Array } | { damage: string };

/** Decodes every pixel: the photo's 9×8 grey pixels, or the reason the file is damaged. */
async function verify(engine: ImageEngine, input: Buffer | string, format: string | undefined, maxPixels: number): Promise<Decoded> {
  // PNG, WebP and AVIF decoders fail on a cut-off file by themselves; their warnings are about metadata.
  if (format === 'jpeg') {
    // libvips's error text is process-wide: a decode failing beside this one can blank or swap it. A text that
    // is neither clearly harmless nor missing is read once more before the photo is called damaged.
    for (let attempt = 0; ; attempt++) {
      const strict = await decode(engine, input, maxPixels, 'warning');
      if ('grey' in strict) return strict;
      if (HARMLESS_JPEG_WARNING.test(strict.damage)) break;
      if (attempt === 1) return strict;
    }
  }
  // Harmless warnings are common on phone photos: such a file is decoded again, refusing only data cut short.
  return decode(engine, input, maxPixels, 'truncated');
}

/** One decode; with `warning`, libvips stops at the first warning: most photos have none, so it is the rule. */
async function decode(engine: ImageEngine, input: Buffer | string, maxPixels: number, failOn: 'warning' | 'truncated'): Promise<Decoded> {
  try {
    return { grey: await engine.verifyDecodes(input, { limitInputPixels: maxPixels, failOn }) };
  } catch (e) {
    return { damage: message(e) };
  }
}

/**
 * Decodes the photo once, upright and in sRGB, at the smallest size every wanted rendition can be made
 * from without loss; each rendition then starts from these pixels instead of decoding the file again.
 */
export async function decodeBase(
  engine: ImageEngine,
  input: Buffer | string,
  specs: readonly RenditionSpec[],
  fit: Fit,
  maxPixels: number,
): Promise<RawImage> {
  return engine.decoding(() => decodeBaseNow(engine, input, specs, fit, maxPixels));
}

async function decodeBaseNow(
  engine: ImageEngine,
  input: Buffer | string,
  specs: readonly RenditionSpec[],
  fit: Fit,
  maxPixels: number,
): Promise<RawImage> {
  const source = engine.open(input, { limitInputPixels: maxPixels, failOn: 'truncated' });
  const header = await source.metadata();
  const src: Box = header.autoOrient ?? { width: header.width ?? 1, height: header.height ?? 1 };
  const scale = Math.max(...specs.map((s) => decodeScaleFor(src, s.size, fit)));
  const width = Math.max(1, Math.round(src.width * scale));
  const height = Math.max(1, Math.round(src.height * scale));
  let pipeline = source.autoOrient().toColourspace('srgb');
  if (width < src.width) pipeline = pipeline.resize({ width, height, fit: 'inside', withoutEnlargement: true });
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels === 4 ? 4 : 3 };
}

export async function renderRenditions(
  engine: ImageEngine,
  base: RawImage,
  specs: readonly RenditionSpec[],
  fit: Fit,
  watermark?: Watermark,
): Promise<RenderedRendition[]> {
  const out: RenderedRendition[] = [];
  // One at a time per photo: parallelism comes from several photos at once, which keeps memory predictable.
  for (const spec of specs) out.push(await renderOne(engine, base, spec, fit, watermark));
  return out;
}

/** JPEG/WebP quality steps tried, best first, until the rendition fits its byte limit. */
const QUALITIES = [82, 74, 66, 58, 50, 42];
/** When the lowest quality is still too big, the box shrinks by this factor and the steps start again. */
const SHRINK = 0.85;

export async function renderOne(
  engine: ImageEngine,
  base: RawImage,
  spec: RenditionSpec,
  fit: Fit,
  watermark?: Watermark,
): Promise<RenderedRendition> {
  let box = targetBox(base, spec.size);
  const alpha = base.channels === 4;
  for (let round = 0; round < 8; round++) {
    if (spec.format === 'jpeg-or-png' && alpha) {
      const png = await encode(engine, base, spec, box, fit, 'png', 0, watermark);
      if (png.data.length <= spec.maxBytes) return png;
    }
    const format = spec.format === 'webp' ? 'webp' : 'jpeg';
    for (const quality of QUALITIES) {
      const r = await encode(engine, base, spec, box, fit, format, quality, watermark);
      if (r.data.length <= spec.maxBytes) return r;
    }
    box = { width: Math.max(1, Math.round(box.width * SHRINK)), height: Math.max(1, Math.round(box.height * SHRINK)) };
  }
  throw new Error(`rendition ${spec.name} does not fit in ${spec.maxBytes} bytes`);
}

async function encode(
  engine: ImageEngine,
  base: RawImage,
  spec: RenditionSpec,
  box: Box,
  fit: Fit,
  format: 'jpeg' | 'png' | 'webp',
  quality: number,
  watermark: Watermark | undefined,
): Promise<RenderedRendition> {
  let p = engine.open(base.data, {
    limitInputPixels: false,
    raw: { width: base.width, height: base.height, channels: base.channels },
  });
  if (format === 'jpeg' && base.channels === 4) p = p.flatten({ background: WHITE });
  p = resizeTo(p, reshapes(base, spec.size), box, fit, format !== 'jpeg' && base.channels === 4);
  if (watermark) p = p.composite([{ input: await watermarkLayer(engine, watermark, box), gravity: GRAVITY[watermark.corner] }]);
  switch (format) {
    case 'jpeg':
      p = p.jpeg({ quality, mozjpeg: false, chromaSubsampling: '4:2:0' });
      break;
    case 'webp':
      p = p.webp({ quality, effort: 2 });
      break;
    case 'png':
      p = p.png({ compressionLevel: 6 });
      break;
  }
  const { data, info } = await p.toBuffer({ resolveWithObject: true });
  return { name: spec.name, format, mime: MIME[format], data, width: info.width, height: info.height };
}

function resizeTo(p: Pipeline, reshape: boolean, box: Box, fit: Fit, keepAlpha: boolean): Pipeline {
  if (reshape) {
    return p.resize({
      width: box.width,
      height: box.height,
      fit: fit === 'crop' ? 'cover' : 'contain',
      position: 'attention',
      background: keepAlpha ? { r: 0, g: 0, b: 0, alpha: 0 } : { ...WHITE, alpha: 1 },
      withoutEnlargement: false,
    });
  }
  return p.resize({ width: box.width, height: box.height, fit: 'inside', withoutEnlargement: true });
}

async function watermarkLayer(engine: ImageEngine, w: Watermark, box: Box): Promise<Buffer> {
  const margin = Math.round(Math.min(box.width, box.height) * 0.02);
  const maxW = Math.max(1, Math.min(Math.round(box.width * w.scale), box.width - 2 * margin));
  const maxH = Math.max(1, Math.round(box.height * 0.3));
  const { data } = await engine
    .open(w.logo, { limitInputPixels: 25_000_000 })
    .resize({ width: maxW, height: maxH, fit: 'inside', withoutEnlargement: false })
    .ensureAlpha()
    .linear([1, 1, 1, w.opacity], [0, 0, 0, 0])
    .extend({ top: margin, bottom: margin, left: margin, right: margin, background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png({ compressionLevel: 1 })
    .toBuffer({ resolveWithObject: true });
  return data;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
