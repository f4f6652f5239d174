import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { AppError } from '../../../shared/errors';
import { type IntakeOptions, receivePhoto } from '../../../services/media/upload-intake';
import { imageEngine } from '../../../workers/media/sharp-engine';
import * as img from './image-fixtures';
import * as hostile from '../../support/hostile-photos';

let tmpDir: string;
let opts: IntakeOptions;

beforeEach(async () => {
  tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'siaran-intake-'));
  opts = { tmpDir, engine: imageEngine, maxBytes: 2 * 1024 * 1024, maxPixels: 60_000_000, decodeBudgetBytes: 400 * 1024 * 1024 };
});
afterEach(async () => {
  await fs.rm(tmpDir, { recursive: true, force: true });
});

/** Sends the bytes in small pieces, as a slow phone connection would. */
function upload(data: Buffer, chunk = 16 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) parts.push(data.subarray(i, i + chunk));
  return Readable.from(parts);
}

async function refusal(data: Buffer, declaredSize?: number): Promise<AppError> {
  const err = await receivePhoto(upload(data), { filename: 'foto.jpg', size: declaredSize }, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  const e = err as AppError;
  expect(e.kind).toBe(e.code === 'media.too_large' ? 'too-large' : 'validation');
  expect(e.text.id.length).toBeGreaterThan(10);
  expect(e.text.en.length).toBeGreaterThan(10);
  // Nothing is left behind by a refusal.
  expect(await fs.readdir(tmpDir)).toEqual([]);
  return e;
}

describe('photo intake', () => {
  test('a sideways phone JPEG is accepted with its upright size, type read from the bytes', async () => {
    const data = await img.sidewaysJpegWithGps(1200, 900);
    const got = await receivePhoto(upload(data), { filename: 'IMG_0001.HEIC', size: data.length }, opts);
    expect(got).toMatchObject({ mime: 'image/jpeg', width: 900, height: 1200, bytes: data.length, hasAlpha: false });
    expect(got.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.compare(await fs.readFile(got.file), data)).toBe(0);
  });

  test('PNG, WebP and AVIF are accepted', async () => {
    const base = sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } });
    for (const [data, mime] of [
      [await base.clone().png().toBuffer(), 'image/png'],
      [await base.clone().webp().toBuffer(), 'image/webp'],
      [await base.clone().avif().toBuffer(), 'image/avif'],
    ] as const) {
      await expect(receivePhoto(upload(data), {}, opts)).resolves.toMatchObject({ mime, width: 64, height: 48 });
    }
  });

  test('a decompression bomb (tiny file, 60000×60000 declared) is refused before decoding', async () => {
    const e = await refusal(img.pngBomb());
    expect(e.code).toBe('media.too_many_pixels');
    expect(e.details).toMatchObject({ width: 60_000, height: 60_000 });
  });

  test('a truncated JPEG is refused as damaged', async () => {
    const data = await img.noisyJpeg(800, 600);
    expect((await refusal(data.subarray(0, Math.floor(data.length * 0.6)))).code).toBe('media.corrupt');
  });

  test('a JPEG with garbage after its header is refused as damaged', async () => {
    const data = await img.noisyJpeg(400, 300);
    const broken = Buffer.concat([data.subarray(0, 200), Buffer.alloc(data.length - 200, 0x41)]);
    expect((await refusal(broken)).code).toBe('media.corrupt');
  });

  test.each([
    ['a PDF named .jpg', img.pdfFile, 'pdf'],
    ['an HTML page named .jpg', img.htmlPage, 'html'],
    ['an SVG with a script', img.svgWithScript, 'svg'],
    ['random bytes', Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), 'unknown'],
  ])('%s is refused as unsupported', async (_what, data, detected) => {
    const e = await refusal(data);
    expect(e.code).toBe('media.unsupported_type');
    expect(e.details).toEqual({ detected });
  });

  test('an animated GIF is refused with its own message', async () => {
    expect((await refusal(await img.animatedGif())).code).toBe('media.animated');
  });

  test('a HEIC this server cannot decode asks for JPEG instead', async () => {
    const fake = Buffer.concat([Buffer.from('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic', 'latin1'), Buffer.alloc(2000, 7)]);
    expect((await refusal(fake)).code).toBe('media.heic_unsupported');
  });

  test('a zero-byte file is refused as empty', async () => {
    expect((await refusal(Buffer.alloc(0))).code).toBe('media.empty');
  });

  test('a file over the size limit is refused while streaming, and from its declared size at once', async () => {
    const big = Buffer.alloc(opts.maxBytes + 1, 0xff);
    const tooLarge = await refusal(big);
    expect(tooLarge.code).toBe('media.too_large');
    expect(tooLarge.text.id).toContain('lalu kirim lagi');
    expect((await refusal(Buffer.alloc(10), opts.maxBytes + 1)).code).toBe('media.too_large');
  });

  test('an upload shorter than its declared length is refused as incomplete', async () => {
    const data = await img.tinyJpeg();
    expect((await refusal(data, data.length + 500)).code).toBe('media.incomplete');
  });
});

describe('photo intake: memory and damage', () => {
  test('a JPEG cut at 40% with its end marker put back is refused as damaged, not published grey', async () => {
    const data = await hostile.cameraLikeJpeg(1200, 900);
    const e = await refusal(hostile.cutWithEndMarker(data, 0.4));
    expect(e.code).toBe('media.corrupt');
    expect(e.text.en).toMatch(/damaged/);
  });

  test('camera-like photos, baseline and progressive, with EXIF or a trailing archive, are accepted', async () => {
    const baseline = await hostile.cameraLikeJpeg(1600, 1200);
    for (const data of [
      baseline,
      await hostile.cameraLikeJpeg(1600, 1200, { progressive: true }),
      await img.sidewaysJpegWithGps(1200, 900),
      await img.noisyJpeg(800, 600),
      await img.cmykJpeg(),
      // Some phones write a motion clip or padding after the end marker.
      Buffer.concat([baseline, Buffer.alloc(4096, 0)]),
    ]) {
      await expect(receivePhoto(upload(data), {}, opts)).resolves.toMatchObject({ mime: 'image/jpeg' });
    }
  });

  test('a JPEG with a harmless libjpeg warning (stray bytes before its scan, as some cameras write) is still accepted', async () => {
    const data = await img.noisyJpeg(800, 600);
    let at = 2;
    while (data[at + 1] !== 0xda) at += 2 + data.readUInt16BE(at + 2);
    // libjpeg warns "3 extraneous bytes before marker 0xda" and loses nothing.
    const stray = Buffer.concat([data.subarray(0, at), Buffer.from([1, 2, 3]), data.subarray(at)]);
    await expect(receivePhoto(upload(stray), {}, opts)).resolves.toMatchObject({ width: 800, height: 600 });
  });

  test.each([
    ['a 10000×10000 progressive JPEG', () => hostile.withJpegSize(tinyProgressive, 10_000, 10_000)],
    ['a 10000×10000 interlaced 16-bit PNG', () => hostile.pngHeaderOnly(10_000, 10_000, { bitDepth: 16, interlaced: true })],
    ['a 9000×9000 plain 16-bit PNG', () => hostile.pngHeaderOnly(9_000, 9_000, { bitDepth: 16 })],
  ])('%s, under the pixel limit, is refused from its header for the memory it needs', async (_what, make) => {
    // The headers sit on a few bytes of data: decoding them would say "damaged", so this answer came before any decoding.
    opts.maxPixels = 100_000_000;
    const e = await refusal(make());
    expect(e.code).toBe('media.too_much_memory');
    expect(e.text.en).toMatch(/too much memory/);
    expect(e.details).toMatchObject({ longSide: expect.any(Number) as number });
    // One thing to do, with its number: the longest side that opens.
    expect(e.text.en).toContain(`Make its longest side at most ${String((e.details as { longSide: number }).longSide)} pixels and send it again.`);
  });

  test('a progressive photo and an interlaced PNG of ordinary size are accepted', async () => {
    const png = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#446688' } }).png({ progressive: true }).toBuffer();
    await expect(receivePhoto(upload(png), {}, opts)).resolves.toMatchObject({ mime: 'image/png', width: 2000 });
    const jpeg = await hostile.cameraLikeJpeg(4000, 3000, { progressive: true });
    await expect(receivePhoto(upload(jpeg), {}, { ...opts, maxBytes: 20 * 1024 * 1024 })).resolves.toMatchObject({ width: 3000, height: 4000 });
  });

  test('sent all at once, every hostile file still gets its own answer (libvips error texts are process-wide)', async () => {
    opts.maxPixels = 100_000_000;
    const set = (await hostile.hostilePhotoSet(opts.maxBytes)).filter((p) => p.status !== 413);
    const answers = await Promise.all(
      set.map((p) =>
        receivePhoto(upload(p.data), {}, opts).then(
          async (got) => (await fs.rm(got.file), `${p.name}: ok`),
          (e: unknown) => `${p.name}: ${e instanceof AppError ? e.code : String(e)}`,
        ),
      ),
    );
    expect(answers).toEqual(set.map((p) => `${p.name}: ${p.code ?? 'ok'}`));
    expect(await fs.readdir(tmpDir)).toEqual([]);
  });
});

let tinyProgressive: Buffer;
beforeAll(async () => {
  tinyProgressive = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#336699' } }).jpeg({ progressive: true }).toBuffer();
});
