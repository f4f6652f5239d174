// What a file is, read from its first bytes: the name and the declared Content-Type are never trusted.

export type ImageType = 'jpeg' | 'png' | 'webp' | 'avif' | 'heic';

export type Sniffed =
  | { kind: 'image'; type: ImageType; mime: string }
  /** Recognised, and refused: the name says what it was, for the message. */
  | { kind: 'refused'; what: 'gif' | 'svg' | 'html' | 'xml' | 'pdf' | 'tiff' | 'bmp' | 'zip' | 'text' }
  | { kind: 'unknown' };

/** Bytes needed to tell every type apart. */
export const SNIFF_BYTES = 512;

const MIME: Record<ImageType, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  heic: 'image/heic',
};

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

function startsWith(head: Uint8Array, bytes: readonly number[], at = 0): boolean {
  if (head.length < at + bytes.length) return false;
  return bytes.every((b, i) => head[at + i] === b);
}

function ascii(head: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...head.subarray(from, Math.min(to, head.length)));
}

export function sniffType(head: Uint8Array): Sniffed {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return image('jpeg');
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return image('png');
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return image('webp');
  if (ascii(head, 4, 8) === 'ftyp') {
    // The major brand and the compatible brands that follow it inside the ftyp box.
    const boxSize = (head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!;
    const end = Math.min(head.length, boxSize > 8 ? boxSize : 32);
    const brands: string[] = [ascii(head, 8, 12)];
    for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(head, at, at + 4));
    if (brands.some((b) => AVIF_BRANDS.has(b))) return image('avif');
    if (brands.some((b) => HEIC_BRANDS.has(b))) return image('heic');
    return { kind: 'unknown' };
  }
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return refused('gif');
  if (ascii(head, 0, 5) === '%PDF-') return refused('pdf');
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return refused('tiff');
  if (ascii(head, 0, 2) === 'BM') return refused('bmp');
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return refused('zip');
  return sniffText(head);
}

function sniffText(head: Uint8Array): Sniffed {
  let text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const lead = text.trimStart().slice(0, 256).toLowerCase();
  if (lead.startsWith('<')) {
    if (lead.includes('<svg')) return refused('svg');
    if (lead.startsWith('<!doctype html') || lead.startsWith('<html') || /<(head|body|script|meta|div|p)\b/.test(lead)) {
      return refused('html');
    }
    return lead.startsWith('<?xml') ? refused('xml') : refused('html');
  }
  // Printable text with no binary bytes: a script, a CSV, a note, never a photo.
  const sample = head.subarray(0, 256);
  if (sample.length > 0 && sample.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128)) {
    return refused('text');
  }
  return { kind: 'unknown' };
}

function image(type: ImageType): Sniffed {
  return { kind: 'image', type, mime: MIME[type] };
}

function refused(what: Extract<Sniffed, { kind: 'refused' }>['what']): Sniffed {
  return { kind: 'refused', what };
}
