import sharp from 'sharp';
import { RENDITIONS, type RenditionSpec } from '../../../shared/media/rendition-profiles';
import { type RenderedRendition, type Watermark, decodeBase, renderRenditions } from '../../../workers/media/image-processor';
import { configureImageEngine, imageEngine } from '../../../workers/media/sharp-engine';
import * as img from './image-fixtures';

const MAX_PIXELS = 100_000_000;

beforeAll(() => configureImageEngine({ threadsPerImage: 1, cacheMb: 16 }));

async function renderAll(input: Buffer, fit: 'crop' | 'pad' = 'crop', specs: readonly RenditionSpec[] = RENDITIONS, watermark?: Watermark) {
  const base = await decodeBase(imageEngine, input, specs, fit, MAX_PIXELS);
  const out = await renderRenditions(imageEngine, base, specs, fit, watermark);
  return new Map(out.map((r) => [r.name, r]));
}

async function expectClean(r: RenderedRendition) {
  const m = await sharp(r.data).metadata();
  expect(m.format).toBe(r.format);
  expect([m.width, m.height]).toEqual([r.width, r.height]);
  expect(r.data.length).toBeLessThanOrEqual(RENDITIONS.find((s) => s.name === r.name)!.maxBytes);
  expect(m.exif).toBeUndefined();
  expect(m.xmp).toBeUndefined();
  expect(m.iptc).toBeUndefined();
  expect(m.icc).toBeUndefined();
  expect(m.orientation).toBeUndefined();
  expect(m.space).toBe('srgb');
  return m;
}

describe('renditions of a sideways phone photo with GPS inside', () => {
  let out: Map<string, RenderedRendition>;
  beforeAll(async () => {
    const input = await img.sidewaysJpegWithGps(1200, 900);
    const m = await sharp(input).metadata();
    // The fixture really carries what a phone writes.
    expect(m.orientation).toBe(6);
    expect(img.exifHasGps(m.exif!)).toBe(true);
    out = await renderAll(input);
  });

  test('every profile is made, upright, with no EXIF, GPS, XMP or ICC left', async () => {
    expect([...out.keys()].sort()).toEqual(RENDITIONS.map((r) => r.name).sort());
    for (const r of out.values()) await expectClean(r);
    // Stored 1200×900 with orientation 6: upright it is 900 wide and 1200 tall.
    expect([out.get('x')!.width, out.get('x')!.height]).toEqual([900, 1200]);
  });

  test('the photo is turned the right way: red ends on top after a 90° clockwise turn', async () => {
    const { data, info } = await sharp(out.get('facebook')!.data).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    const top = px(Math.floor(info.width / 2), 10);
    const bottom = px(Math.floor(info.width / 2), info.height - 10);
    expect(top[0]).toBeGreaterThan(150); // red
    expect(bottom[2]).toBeGreaterThan(150); // blue
  });

  test('Instagram gets 1080 wide inside 4:5..1.91:1; a 3:4 portrait is cropped to 4:5', () => {
    const ig = out.get('instagram')!;
    expect(ig.format).toBe('jpeg');
    expect([ig.width, ig.height]).toEqual([1080, 1350]);
  });

  test('the news page gets WebP and JPEG at each width, never enlarged', () => {
    expect(out.get('news-480-webp')).toMatchObject({ format: 'webp', width: 480, height: 640 });
    expect(out.get('news-480-jpeg')).toMatchObject({ format: 'jpeg', width: 480, height: 640 });
    expect(out.get('news-1600-webp')).toMatchObject({ width: 900, height: 1200 });
  });
});

describe('other photos operators send', () => {
  test('a 50-megapixel PNG comes down to each profile’s size', async () => {
    const out = await renderAll(await img.solidPng(8660, 5774), 'crop', RENDITIONS.filter((r) => ['x', 'facebook', 'instagram'].includes(r.name)));
    expect(out.get('x')).toMatchObject({ width: 4096, height: 2731 });
    expect(out.get('facebook')).toMatchObject({ width: 2048, height: 1366 });
    expect(out.get('instagram')).toMatchObject({ width: 1080, height: 720 });
    for (const r of out.values()) await expectClean(r);
  });

  test('a tiny image is enlarged only for Instagram, which requires 1080 wide', async () => {
    const out = await renderAll(await img.tinyJpeg());
    expect(out.get('x')).toMatchObject({ width: 16, height: 12 });
    expect(out.get('news-960-jpeg')).toMatchObject({ width: 16, height: 12 });
    expect(out.get('instagram')).toMatchObject({ width: 1080, height: 810 });
  });

  test('a transparent PNG stays PNG with alpha for X and WebP, and is laid on white for JPEG', async () => {
    const out = await renderAll(await img.transparentPng());
    expect(out.get('x')!.format).toBe('png');
    expect((await expectClean(out.get('x')!)).hasAlpha).toBe(true);
    expect((await sharp(out.get('news-960-webp')!.data).metadata()).hasAlpha).toBe(true);
    const fb = out.get('facebook')!;
    expect(fb.format).toBe('jpeg');
    const { data } = await sharp(fb.data).raw().toBuffer({ resolveWithObject: true });
    expect(Array.from(data.subarray(0, 3))).toEqual([255, 255, 255]);
  });

  test('a CMYK JPEG comes out as 3-channel sRGB', async () => {
    const out = await renderAll(await img.cmykJpeg(), 'crop', RENDITIONS.filter((r) => r.name === 'telegram' || r.name === 'news-480-webp'));
    for (const r of out.values()) {
      const m = await expectClean(r);
      expect(m.channels).toBe(3);
    }
  });
});

describe('Instagram aspect by the operator’s choice', () => {
  const ig = RENDITIONS.filter((r) => r.name === 'instagram');

  test('a panorama is smart-cropped or padded to 1.91:1', async () => {
    const pano = await img.noisyJpeg(3000, 600, 80);
    for (const fit of ['crop', 'pad'] as const) {
      const r = (await renderAll(pano, fit, ig)).get('instagram')!;
      expect(r.width).toBe(1080);
      expect(r.width / r.height).toBeLessThanOrEqual(1.91);
      expect(r.width / r.height).toBeGreaterThan(1.88);
    }
  });

  test('padding keeps the whole photo and fills the bars with white', async () => {
    const tall = await sharp({ create: { width: 400, height: 1200, channels: 3, background: '#000000' } }).jpeg().toBuffer();
    const r = (await renderAll(tall, 'pad', ig)).get('instagram')!;
    expect([r.width, r.height]).toEqual([1080, 1350]);
    const { data, info } = await sharp(r.data).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => data[(y * info.width + x) * 3]!;
    expect(at(5, 675)).toBeGreaterThan(240); // white bar
    expect(at(540, 675)).toBeLessThan(15); // the photo
  });
});

describe('byte limits and watermark', () => {
  test('a rendition over its byte limit is re-encoded down until it fits', async () => {
    const spec: RenditionSpec = { name: 'tight', profile: 'x', format: 'jpeg', maxBytes: 150_000, size: { kind: 'long-side', max: 4096 } };
    const out = await renderAll(await img.noisyJpeg(1600, 1200), 'crop', [spec]);
    const r = out.get('tight')!;
    expect(r.data.length).toBeLessThanOrEqual(150_000);
    expect(r.width).toBeGreaterThan(0);
  });

  test('the unit logo lands in the chosen corner', async () => {
    const photo = await sharp({ create: { width: 1000, height: 800, channels: 3, background: '#000000' } }).jpeg().toBuffer();
    const watermark: Watermark = { logo: await img.logoPng(), corner: 'bottom-right', opacity: 1, scale: 0.2 };
    const r = (await renderAll(photo, 'crop', RENDITIONS.filter((s) => s.name === 'facebook'), watermark)).get('facebook')!;
    const { data, info } = await sharp(r.data).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    expect(px(info.width - 60, info.height - 60)[0]).toBeGreaterThan(200); // yellow logo
    expect(px(60, 60)[0]).toBeLessThan(20); // untouched corner
  });
});

describe("Telegram's photo rules", () => {
  const tg = RENDITIONS.filter((r) => r.name === 'telegram');

  test('a strip longer than 20:1 is cropped or padded to 20:1, and width + height stay under 10,000', async () => {
    const strip = await img.noisyJpeg(6000, 200, 80);
    for (const fit of ['crop', 'pad'] as const) {
      const r = (await renderAll(strip, fit, tg)).get('telegram')!;
      expect(Math.max(r.width, r.height) / Math.min(r.width, r.height)).toBeLessThanOrEqual(20);
      expect(r.width + r.height).toBeLessThanOrEqual(10_000);
      // Decoding at a reduced scale may leave the long side a few pixels short of 2560, never over.
      expect(r.width).toBeGreaterThan(2500);
      expect(r.width).toBeLessThanOrEqual(2560);
      await expectClean(r);
    }
  });

  test('an ordinary photo keeps its own aspect', async () => {
    const r = (await renderAll(await img.noisyJpeg(3000, 2000, 80), 'crop', tg)).get('telegram')!;
    expect([r.width, r.height]).toEqual([2560, 1707]);
  });
});
