import { decodeScaleFor, fixedWidthBox, targetBox } from '../../../shared/media/photo-geometry';
import {
  INSTAGRAM_MAX_ASPECT,
  INSTAGRAM_MIN_ASPECT,
  RENDITIONS,
  primaryRenditionName,
  profilesFor,
  renditionsFor,
} from '../../../shared/media/rendition-profiles';

describe('rendition profiles', () => {
  test('a post on X and Instagram needs exactly their two renditions', () => {
    expect(renditionsFor(profilesFor(['x', 'instagram'])).map((r) => r.name)).toEqual(['x', 'instagram']);
  });

  test('the news page and a webhook both get the responsive WebP and JPEG set', () => {
    const names = renditionsFor(profilesFor(['webhook'])).map((r) => r.name);
    expect(names).toEqual(renditionsFor(profilesFor(['news_page'])).map((r) => r.name));
    expect(names).toEqual(expect.arrayContaining(['news-480-webp', 'news-480-jpeg', 'news-1600-webp', 'news-1600-jpeg']));
  });

  test('each channel kind has a primary rendition that exists in the table', () => {
    for (const kind of ['news_page', 'webhook', 'x', 'facebook', 'instagram', 'telegram'] as const) {
      expect(RENDITIONS.map((r) => r.name)).toContain(primaryRenditionName(kind));
    }
  });

  test('the platform byte limits are the published ones', () => {
    const limit = (name: string) => RENDITIONS.find((r) => r.name === name)?.maxBytes;
    expect(limit('x')).toBe(5 * 1024 * 1024);
    expect(limit('instagram')).toBe(8 * 1024 * 1024);
    expect(limit('facebook')).toBe(10 * 1024 * 1024);
    expect(limit('telegram')).toBe(10 * 1024 * 1024);
  });
});

describe('photo geometry', () => {
  const ig = { kind: 'fixed-width', width: 1080, minAspect: INSTAGRAM_MIN_ASPECT, maxAspect: INSTAGRAM_MAX_ASPECT } as const;

  test('a 12-megapixel landscape photo fits X at 4096 on its long side', () => {
    expect(targetBox({ width: 4000, height: 3000 }, { kind: 'long-side', max: 4096 })).toEqual({ width: 4000, height: 3000 });
    expect(targetBox({ width: 8000, height: 6000 }, { kind: 'long-side', max: 4096 })).toEqual({ width: 4096, height: 3072 });
  });

  test('a small photo is never enlarged for a long-side or max-width profile', () => {
    expect(targetBox({ width: 16, height: 12 }, { kind: 'max-width', width: 960 })).toEqual({ width: 16, height: 12 });
  });

  test('Instagram keeps an aspect already inside 4:5..1.91:1', () => {
    expect(fixedWidthBox({ width: 4000, height: 3000 }, 1080, 0.8, 1.91)).toEqual({ width: 1080, height: 810 });
  });

  test('Instagram clamps a tall photo to 4:5 and a panorama to 1.91:1', () => {
    expect(targetBox({ width: 1000, height: 3000 }, ig)).toEqual({ width: 1080, height: 1350 });
    const wide = targetBox({ width: 6000, height: 1000 }, ig);
    expect(wide.width).toBe(1080);
    expect(wide.width / wide.height).toBeLessThanOrEqual(INSTAGRAM_MAX_ASPECT);
    expect(wide.width / wide.height).toBeGreaterThan(1.88);
  });

  test('a crop needs more source pixels than a pad', () => {
    const tall = { width: 1000, height: 3000 };
    expect(decodeScaleFor(tall, ig, 'crop')).toBe(1); // 1080 wide from 1000: never below full size
    expect(decodeScaleFor({ width: 4000, height: 12000 }, ig, 'crop')).toBeCloseTo(0.27, 2);
    expect(decodeScaleFor({ width: 4000, height: 12000 }, ig, 'pad')).toBeCloseTo(0.1125, 3);
  });
});
