// Files an attacker, a broken phone or a confused operator sends as "a photo", made on the spot (nothing large is
// committed): bombs whose header promises far more pixels than the file holds, progressive and interlaced giants,
// cut-off files, polyglots, wrong types. Shared by the hostile-photo test and `npm run bench -- media-hostile`.
import sharp from 'sharp';

export interface HostilePhoto {
  name: string;
  data: Buffer;
  /** The answer expected: a status and, for a refusal, the error's machine code. */
  status: number;
  code?: string;
}

const MB = 1024 * 1024;

/** Noise over a gradient, so the file is as large and as costly to decode as a camera's. */
export async function cameraLikeJpeg(width: number, height: number, options: { progressive?: boolean; seed?: number } = {}): Promise<Buffer> {
  const noise = await sharp({ create: { width, height, channels: 3, background: '#7f7f7f', noise: { type: 'gaussian', mean: 128, sigma: 30 } } })
    .raw()
    .toBuffer();
  const seed = options.seed ?? 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * 3;
      noise[i] = (noise[i]! + (x * 160) / width + seed * 17) & 0xff;
      noise[i + 2] = (noise[i + 2]! + (y * 160) / height) & 0xff;
    }
  }
  return sharp(noise, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 88, progressive: options.progressive ?? false })
    .withMetadata({ orientation: 6 })
    .withExifMerge({ IFD0: { Make: 'PhoneMaker', Model: 'Model 12' } })
    .toBuffer();
}

/** The JPEG with its frame header (SOF) rewritten to claim another size; the pixel data stays what it was. */
export function withJpegSize(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  let at = 2;
  while (at + 9 < out.length && out[at] === 0xff) {
    const marker = out[at + 1]!;
    const length = out.readUInt16BE(at + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      out.writeUInt16BE(height, at + 5);
      out.writeUInt16BE(width, at + 7);
      return out;
    }
    at += 2 + length;
  }
  throw new Error('no frame header in this JPEG');
}

/** A comment segment right after the start marker: the same picture, different bytes (or a payload inside). */
export function withJpegComment(jpeg: Buffer, text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const header = Buffer.from([0xff, 0xfe, 0, 0]);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, body, jpeg.subarray(2)]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG header for any size, depth and interlacing around a few bytes of data. */
export function pngHeaderOnly(width: number, height: number, options: { bitDepth?: 8 | 16; interlaced?: boolean } = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = options.bitDepth ?? 8;
  ihdr[9] = 2; // RGB
  ihdr[12] = options.interlaced ? 1 : 0; // Adam7
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01])),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** A lossless WebP whose header says 16383×16383 (WebP's largest) around 16×16 pixels of data. */
export async function webpBomb(): Promise<Buffer> {
  const webp = Buffer.from(await sharp({ create: { width: 16, height: 16, channels: 3, background: '#336699' } }).webp({ lossless: true }).toBuffer());
  if (webp.toString('latin1', 12, 16) !== 'VP8L') throw new Error('expected a simple lossless WebP');
  // After the 0x2f signature: 14 bits width − 1, 14 bits height − 1, then alpha and version bits.
  const bits = webp.readUInt32LE(21);
  webp.writeUInt32LE(((bits & ~0x0fffffff) | 16382 | (16382 << 14)) >>> 0, 21);
  return webp;
}

/** The first `fraction` of the file, with an end-of-image marker put back, as a broken transfer leaves it. */
export function cutWithEndMarker(jpeg: Buffer, fraction: number): Buffer {
  return Buffer.concat([jpeg.subarray(0, Math.floor(jpeg.length * fraction)), Buffer.from([0xff, 0xd9])]);
}

/** A one-file ZIP archive (stored, not compressed) holding `name`. */
export function zipOf(name: string, content: Buffer): Buffer {
  const fileName = Buffer.from(name, 'latin1');
  const crc = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(10, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  const localPart = Buffer.concat([local, fileName, content]);
  const centralPart = Buffer.concat([central, fileName]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralPart.length, 12);
  end.writeUInt32LE(localPart.length, 16);
  return Buffer.concat([localPart, centralPart, end]);
}

const HTML = '<!DOCTYPE html><html><body><script>fetch("/api/v1/me").then(r=>r.text()).then(alert)</script></body></html>';

/**
 * The set every upload path must answer clearly: a 4xx naming the problem, or 201 for what is a real photo after all.
 * `maxBytes` is the server's MEDIA_MAX_UPLOAD_BYTES, for the one file just over it.
 */
export async function hostilePhotoSet(maxBytes: number): Promise<HostilePhoto[]> {
  const phone = await cameraLikeJpeg(1200, 900);
  const tinyBaseline = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#336699' } }).jpeg().toBuffer();
  const tinyProgressive = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#336699' } }).jpeg({ progressive: true, chromaSubsampling: '4:4:4' }).toBuffer();
  const gif = await sharp(
    await Promise.all(['#ff0000', '#0000ff'].map((c) => sharp({ create: { width: 40, height: 40, channels: 3, background: c } }).png().toBuffer())),
    { join: { animated: true } },
  )
    .gif()
    .toBuffer();
  return [
    { name: 'an ordinary phone photo (sideways, with EXIF)', data: phone, status: 201 },
    { name: 'a small progressive JPEG', data: await sharp(phone).jpeg({ progressive: true }).toBuffer(), status: 201 },
    { name: 'a PNG bomb (60000×60000 in a few bytes)', data: pngHeaderOnly(60_000, 60_000), status: 422, code: 'media.too_many_pixels' },
    { name: 'a JPEG bomb (60000×60000 in a few bytes)', data: withJpegSize(tinyBaseline, 60_000, 60_000), status: 422, code: 'media.too_many_pixels' },
    { name: 'a WebP bomb (16383×16383 in a few bytes)', data: await webpBomb(), status: 422, code: 'media.too_many_pixels' },
    // Under the pixel limit, but libvips must hold either one whole while decoding it.
    { name: 'a progressive JPEG giant (10000×10000)', data: withJpegSize(tinyProgressive, 10_000, 10_000), status: 422, code: 'media.too_much_memory' },
    { name: 'an interlaced 16-bit PNG giant (10000×10000)', data: pngHeaderOnly(10_000, 10_000, { bitDepth: 16, interlaced: true }), status: 422, code: 'media.too_much_memory' },
    { name: 'a JPEG cut short', data: phone.subarray(0, Math.floor(phone.length * 0.6)), status: 422, code: 'media.corrupt' },
    { name: 'a JPEG cut at 40% with its end marker put back', data: cutWithEndMarker(phone, 0.4), status: 422, code: 'media.corrupt' },
    // A valid JPEG carrying other things: the original is never served and renditions are new files, so it is a photo.
    { name: 'a JPEG that is also a ZIP archive', data: Buffer.concat([phone, zipOf('a.html', Buffer.from(HTML))]), status: 201 },
    { name: 'a JPEG with an HTML page in a comment', data: withJpegComment(phone, HTML), status: 201 },
    { name: 'an HTML page with a JPEG inside', data: Buffer.concat([Buffer.from(HTML), phone]), status: 422, code: 'media.unsupported_type' },
    { name: 'a ZIP archive holding a JPEG', data: zipOf('foto.jpg', phone), status: 422, code: 'media.unsupported_type' },
    {
      name: 'an SVG with a script',
      data: Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'),
      status: 422,
      code: 'media.unsupported_type',
    },
    { name: 'a PDF named .jpg', data: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'), status: 422, code: 'media.unsupported_type' },
    { name: 'an HTML page named .jpg', data: Buffer.from(HTML), status: 422, code: 'media.unsupported_type' },
    { name: 'an animated GIF', data: gif, status: 422, code: 'media.animated' },
    { name: 'a zero-byte file', data: Buffer.alloc(0), status: 422, code: 'media.empty' },
    { name: 'a file one byte over the size limit', data: Buffer.concat([phone, Buffer.alloc(Math.max(0, maxBytes + 1 - phone.length), 0)]), status: 413, code: 'media.too_large' },
  ];
}

/**
 * Real giants for the memory benchmark: three 10000×10000 progressive JPEGs of about 1 MB (the same picture,
 * different bytes), one interlaced 16-bit PNG and one baseline JPEG of that size. Takes half a minute to make.
 */
export async function realGiants(): Promise<HostilePhoto[]> {
  const size = 10_000;
  const plain = () => sharp({ create: { width: size, height: size, channels: 3, background: '#808080' } });
  const progressive = await plain().jpeg({ quality: 80, progressive: true, chromaSubsampling: '4:4:4' }).toBuffer();
  return [
    ...[1, 2, 3].map((n) => ({ name: `progressive JPEG giant ${n} (${(progressive.length / MB).toFixed(1)} MB)`, data: withJpegComment(progressive, `copy ${n}`), status: 422, code: 'media.too_much_memory' })),
    {
      name: 'interlaced 16-bit PNG giant',
      data: await plain().toColourspace('rgb16').png({ progressive: true, compressionLevel: 9 }).toBuffer(),
      status: 422,
      code: 'media.too_much_memory',
    },
    // Read line by line and shrunk while decoding: a real 100-megapixel photo is still welcome.
    { name: 'baseline JPEG giant (100 megapixels)', data: await plain().jpeg({ quality: 80 }).toBuffer(), status: 201 },
  ];
}
