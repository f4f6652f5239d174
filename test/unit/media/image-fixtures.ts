// Photos made on the spot, like the ones operators send: nothing is read from disk or the network.
import sharp from 'sharp';

/** A phone photo held sideways: stored landscape with EXIF orientation 6, camera details and GPS. */
export async function sidewaysJpegWithGps(width = 1200, height = 900): Promise<Buffer> {
  return sharp(gradient(width, height), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .withExifMerge({
      IFD0: { Make: 'PhoneMaker', Model: 'Model 12', Software: 'Camera 1.0' },
      IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '5/1 25/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '105/1 15/1 0/1' },
    })
    .toBuffer();
}

/** Left half red, right half blue: tells which way up a rendition is. */
function gradient(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const left = x < width / 2;
      data[i] = left ? 220 : 20;
      data[i + 1] = Math.round((y / height) * 120);
      data[i + 2] = left ? 20 : 220;
    }
  }
  return data;
}

export async function noisyJpeg(width: number, height: number, quality = 92): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .jpeg({ quality })
    .toBuffer();
}

export async function solidPng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 30, g: 120, b: 60 } } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

export async function tinyJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 16, height: 12, channels: 3, background: '#336699' } }).jpeg().toBuffer();
}

/** Opaque square in the middle of a fully transparent field. */
export async function transparentPng(width = 800, height = 600): Promise<Buffer> {
  const square = await sharp({ create: { width: width / 2, height: height / 2, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([{ input: square, gravity: 'centre' }])
    .png()
    .toBuffer();
}

export async function cmykJpeg(width = 640, height = 480): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#3366cc' } })
    .toColourspace('cmyk')
    .jpeg()
    .toBuffer();
}

export async function animatedGif(): Promise<Buffer> {
  const frames = await Promise.all(
    ['#ff0000', '#00ff00', '#0000ff'].map((c) =>
      sharp({ create: { width: 40, height: 40, channels: 3, background: c } }).png().toBuffer(),
    ),
  );
  return sharp(frames, { join: { animated: true } }).gif().toBuffer();
}

export async function logoPng(): Promise<Buffer> {
  return sharp({ create: { width: 200, height: 200, channels: 4, background: { r: 255, g: 255, b: 0, alpha: 1 } } })
    .png()
    .toBuffer();
}

/** A PNG header announcing 60000×60000 pixels around a few bytes of data: a decompression bomb's shape. */
export function pngBomb(width = 60_000, height = 60_000): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
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

export const svgWithScript = Buffer.from(
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">' +
    '<script>fetch("/api/v1/me")</script><rect width="100" height="100" fill="red"/></svg>',
);

export const htmlPage = Buffer.from('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>');

export const pdfFile = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** Whether an EXIF block (as sharp's metadata gives it) holds a GPS sub-directory (tag 0x8825). */
export function exifHasGps(exif: Buffer): boolean {
  const tiff = exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? exif.subarray(6) : exif;
  const le = tiff.subarray(0, 2).toString('latin1') === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const ifd0 = u32(4);
  const count = u16(ifd0);
  for (let i = 0; i < count; i++) if (u16(ifd0 + 2 + i * 12) === 0x8825) return true;
  return false;
}
