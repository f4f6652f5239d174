// Sizing arithmetic shared by the preview and the worker, so both agree on every rendition's box.
import type { RenditionSize } from './rendition-profiles';

export interface Box {
  width: number;
  height: number;
}

/** Scale factor that brings the box within `max` on its longer side; never enlarges. */
export function fitLongSide(src: Box, max: number): Box {
  const scale = Math.min(1, max / Math.max(src.width, src.height));
  return scaled(src, scale);
}

export function fitMaxWidth(src: Box, width: number): Box {
  return scaled(src, Math.min(1, width / src.width));
}

function scaled(src: Box, scale: number): Box {
  return {
    width: Math.max(1, Math.round(src.width * scale)),
    height: Math.max(1, Math.round(src.height * scale)),
  };
}

/** The aspect (width ÷ height) nearest to the photo's own inside [min, max]. */
export function clampAspect(src: Box, min: number, max: number): number {
  const aspect = src.width / src.height;
  return Math.min(max, Math.max(min, aspect));
}

/** The output box for a fixed width: height follows the clamped aspect, so crop or pad fills the difference. */
export function fixedWidthBox(src: Box, width: number, minAspect: number, maxAspect: number): Box {
  const aspect = clampAspect(src, minAspect, maxAspect);
  let height = Math.round(width / aspect);
  // Rounding must not push the aspect back outside the allowed range.
  if (width / height > maxAspect) height += 1;
  if (width / height < minAspect) height -= 1;
  return { width, height: Math.max(1, height) };
}

/** Whether the rendition changes the photo's aspect, so that its fit (crop or pad) fills the difference. */
export function reshapes(src: Box, size: RenditionSize): boolean {
  switch (size.kind) {
    case 'fixed-width':
      return true;
    case 'long-side':
      return size.maxAspect !== undefined && Math.max(src.width, src.height) / Math.min(src.width, src.height) > size.maxAspect;
    case 'max-width':
      return false;
  }
}

export function targetBox(src: Box, size: RenditionSize): Box {
  switch (size.kind) {
    case 'long-side': {
      const box = fitLongSide(src, size.max);
      if (!reshapes(src, size)) return box;
      // The short side grows to the allowed aspect; crop or pad fills it.
      const short = Math.ceil(Math.max(box.width, box.height) / size.maxAspect!);
      return box.width >= box.height ? { width: box.width, height: short } : { width: short, height: box.height };
    }
    case 'max-width':
      return fitMaxWidth(src, size.width);
    case 'fixed-width':
      return fixedWidthBox(src, size.width, size.minAspect, size.maxAspect);
  }
}


/**
 * The scale (≤ 1) at which the photo must be decoded so that this rendition loses nothing:
 * a crop needs both sides to cover the box, a pad or a plain fit only the limiting one.
 */
export function decodeScaleFor(src: Box, size: RenditionSize, fit: 'crop' | 'pad'): number {
  const out = targetBox(src, size);
  const sx = out.width / src.width;
  const sy = out.height / src.height;
  const scale = reshapes(src, size) && fit === 'crop' ? Math.max(sx, sy) : Math.min(sx, sy);
  return Math.min(1, scale);
}
