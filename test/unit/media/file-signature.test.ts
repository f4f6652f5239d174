import { sniffType } from '../../../shared/media/file-signature';
import { htmlPage, pdfFile, svgWithScript } from './image-fixtures';

const bytes = (...b: number[]) => Uint8Array.from(b);
const text = (s: string) => new TextEncoder().encode(s);

describe('file signatures', () => {
  test('JPEG, PNG and WebP are known by their first bytes', () => {
    expect(sniffType(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10))).toMatchObject({ kind: 'image', type: 'jpeg', mime: 'image/jpeg' });
    expect(sniffType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))).toMatchObject({ type: 'png' });
    expect(sniffType(text('RIFF\x10\x00\x00\x00WEBPVP8 '))).toMatchObject({ type: 'webp' });
  });

  test('AVIF and HEIC are told apart by their ftyp brands', () => {
    expect(sniffType(text('\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf'))).toMatchObject({ type: 'avif' });
    expect(sniffType(text('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic'))).toMatchObject({ type: 'heic' });
    expect(sniffType(text('\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic'))).toMatchObject({ type: 'heic' });
    expect(sniffType(text('\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomiso2'))).toEqual({ kind: 'unknown' });
  });

  test('a .jpg that is really a PDF, an HTML page or an SVG is named for what it is', () => {
    expect(sniffType(pdfFile)).toEqual({ kind: 'refused', what: 'pdf' });
    expect(sniffType(htmlPage)).toEqual({ kind: 'refused', what: 'html' });
    expect(sniffType(svgWithScript)).toEqual({ kind: 'refused', what: 'svg' });
    expect(sniffType(text('\uFEFF  <svg xmlns="http://www.w3.org/2000/svg"/>'))).toEqual({ kind: 'refused', what: 'svg' });
  });

  test('GIF, TIFF, ZIP and plain text are refused; random bytes are unknown', () => {
    expect(sniffType(text('GIF89a..'))).toEqual({ kind: 'refused', what: 'gif' });
    expect(sniffType(bytes(0x49, 0x49, 0x2a, 0x00))).toEqual({ kind: 'refused', what: 'tiff' });
    expect(sniffType(bytes(0x50, 0x4b, 0x03, 0x04))).toEqual({ kind: 'refused', what: 'zip' });
    expect(sniffType(text('nik,nama\n3201..., Budi'))).toEqual({ kind: 'refused', what: 'text' });
    expect(sniffType(bytes(0, 1, 2, 3, 4, 5))).toEqual({ kind: 'unknown' });
    expect(sniffType(bytes())).toEqual({ kind: 'unknown' });
  });
});
