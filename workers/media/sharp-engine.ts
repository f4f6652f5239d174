// The one door to sharp (libvips). The interfaces list only what Siaran calls, so nothing else
// in the codebase depends on the library, and memory settings are made in one place.
import sharp from 'sharp';
import { Semaphore, SemaphoreFull } from '../../shared/semaphore';

export type Gravity = 'northwest' | 'northeast' | 'southwest' | 'southeast' | 'centre';

export interface OpenOptions {
  /** Refuse images with more pixels than this before decoding them; `false` only to read a header. */
  limitInputPixels: number | false;
  /**
   * `truncated` rejects a file cut short; `warning` also rejects data libjpeg skipped with only a warning
   * (a gap it would fill with grey), and any other warning, harmless or not.
   */
  failOn?: 'none' | 'truncated' | 'error' | 'warning';
  raw?: { width: number; height: number; channels: 3 | 4 };
  /** Read the rows in order once; saves memory when the whole image passes through a single pipeline. */
  sequentialRead?: boolean;
}

export interface ImageHeader {
  format: string | undefined;
  width: number | undefined;
  height: number | undefined;
  /** Width and height once the EXIF orientation is applied. */
  autoOrient: { width: number; height: number } | undefined;
  pages: number | undefined;
  hasAlpha: boolean;
  space: string | undefined;
  channels: number;
  /** Band format: uchar (8 bits), ushort (16 bits), … */
  depth: string | undefined;
  /** Progressive JPEG or interlaced PNG. */
  isProgressive: boolean;
  chromaSubsampling: string | undefined;
}

export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

export interface Encoded {
  data: Buffer;
  width: number;
  height: number;
}

export interface ResizeOptions {
  width: number;
  height?: number;
  fit: 'inside' | 'cover' | 'contain';
  /** For `cover`: where to keep; `attention` is libvips's saliency crop. */
  position?: 'attention' | 'centre';
  background?: { r: number; g: number; b: number; alpha: number };
  withoutEnlargement: boolean;
}

export interface OverlayLayer {
  input: Buffer;
  gravity: Gravity;
}

/** A pipeline: each call returns the same pipeline, like sharp's own chain. */
export interface Pipeline {
  metadata(): Promise<ImageHeader>;
  autoOrient(): Pipeline;
  toColourspace(space: 'srgb'): Pipeline;
  resize(options: ResizeOptions): Pipeline;
  flatten(options: { background: { r: number; g: number; b: number } }): Pipeline;
  ensureAlpha(): Pipeline;
  removeAlpha(): Pipeline;
  extend(options: {
    top: number;
    bottom: number;
    left: number;
    right: number;
    background: { r: number; g: number; b: number; alpha: number };
  }): Pipeline;
  /** Multiplies each band by `a` and adds `b`. */
  linear(a: number[], b: number[]): Pipeline;
  composite(layers: OverlayLayer[]): Pipeline;
  jpeg(options: { quality: number; mozjpeg: boolean; chromaSubsampling?: string }): Pipeline;
  png(options: { compressionLevel: number; palette?: boolean }): Pipeline;
  webp(options: { quality: number; effort: number; alphaQuality?: number }): Pipeline;
  raw(): Pipeline;
  clone(): Pipeline;
  toBuffer(options: { resolveWithObject: true }): Promise<{
    data: Buffer;
    info: { width: number; height: number; channels: number };
  }>;
}

export interface ImageEngine {
  open(input: Buffer | string, options: OpenOptions): Pipeline;
  /**
   * Decodes every pixel once, so truncated or corrupt data fails here rather than in the worker; gives the
   * photo upright, shrunk to 9×8 grey pixels (its difference hash is made of them).
   */
  verifyDecodes(input: Buffer | string, options: OpenOptions): Promise<Uint8Array>;
  /**
   * Runs `work`, which decodes a photo, when one of the process's decode slots is free: uploads and the
   * media worker share them, so memory is bounded by the slots, not by how many photos arrive at once.
   * Throws DecodersBusy when too many are already waiting.
   */
  decoding<T>(work: () => Promise<T>): Promise<T>;
}

/** Too many photos already wait for a decode slot in this process. */
export class DecodersBusy extends Error {
  constructor(readonly waiting: number) {
    super(`${String(waiting)} photos already wait to be decoded`);
    this.name = 'DecodersBusy';
  }
}

/** Photos that may wait for a decode slot; each waits as a temp file on disk, not in memory. */
const DECODES_WAITING = 64;
const decodeSlots = new Semaphore(2, DECODES_WAITING);

export interface EngineSettings {
  /** libvips threads per image. Default 1: many photos at once use the cores better than many threads per photo. */
  threadsPerImage?: number;
  /** libvips operation cache in MB. Default 64. */
  cacheMb?: number;
  /** Photos decoded at once in this process (MEDIA_DECODES). Default: left as it is, 2 at start. */
  decodes?: number;
}

/** Sets libvips's process-wide limits: called once by whoever starts the media work. */
export function configureImageEngine(settings: EngineSettings = {}): void {
  sharp.concurrency(settings.threadsPerImage ?? 1);
  // No open-file cache: an upload's temp file and a removed original must really go away.
  sharp.cache({ memory: settings.cacheMb ?? 64, files: 0, items: 100 });
  if (settings.decodes !== undefined) decodeSlots.resize(settings.decodes);
}

function wrap(s: sharp.Sharp): Pipeline {
  // sharp's overloaded chain (callbacks beside promises) defeats a structural check; the tests
  // exercise every method listed in Pipeline against the real library.
  return s as unknown as Pipeline;
}

export const imageEngine: ImageEngine = {
  open(input, options) {
    const { raw, ...rest } = options;
    return wrap(sharp(input, { ...rest, ...(raw ? { raw } : {}) }));
  },
  async verifyDecodes(input, options) {
    // A tiny output keeps memory low; libvips still reads every byte of the input to make it.
    const { data } = await sharp(input, { ...options, sequentialRead: true })
      .rotate()
      .resize({ width: 9, height: 8, fit: 'fill', fastShrinkOnLoad: true })
      .flatten({ background: '#ffffff' })
      .greyscale()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return new Uint8Array(data);
  },
  async decoding(work) {
    try {
      return await decodeSlots.run(work);
    } catch (e) {
      throw e instanceof SemaphoreFull ? new DecodersBusy(e.waiting) : e;
    }
  },
};
