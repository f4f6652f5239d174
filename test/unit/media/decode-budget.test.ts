import { type DecodeHeader, decodeCost } from '../../../shared/media/decode-budget';

const MB = 1024 * 1024;
const BUDGET = 400 * MB;
const h = (over: Partial<DecodeHeader>): DecodeHeader => ({ format: 'jpeg', width: 4000, height: 3000, channels: 3, depth: 'uchar', progressive: false, chromaSubsampling: '4:2:0', ...over });

describe('memory to decode a photo, from its header', () => {
  test('a 100-megapixel baseline JPEG, read line by line, fits', () => {
    const c = decodeCost(h({ width: 10_000, height: 10_000 }), BUDGET);
    expect(c).toMatchObject({ wholeImage: false, bytes: 300_000_000 });
    expect(c.bytes).toBeLessThanOrEqual(c.limit);
  });

  test('a progressive JPEG holds 2 bytes per coefficient of every sample left after subsampling, against a quarter of the budget', () => {
    expect(decodeCost(h({ width: 10_000, height: 10_000, progressive: true, chromaSubsampling: '4:4:4' }), BUDGET)).toEqual({ bytes: 600_000_000, wholeImage: true, limit: 100 * MB });
    expect(decodeCost(h({ width: 10_000, height: 10_000, progressive: true }), BUDGET).bytes).toBe(300_000_000);
    // A 12-megapixel phone photo saved progressive is welcome.
    const phone = decodeCost(h({ progressive: true }), BUDGET);
    expect(phone.bytes).toBeLessThanOrEqual(phone.limit);
  });

  test('an interlaced 16-bit PNG is held whole at 2 bytes a sample; a plain one only needs to fit the budget', () => {
    expect(decodeCost(h({ format: 'png', width: 10_000, height: 10_000, depth: 'ushort', progressive: true, chromaSubsampling: undefined }), BUDGET)).toMatchObject({ bytes: 600_000_000, wholeImage: true });
    expect(decodeCost(h({ format: 'png', depth: 'ushort', chromaSubsampling: undefined }), BUDGET)).toMatchObject({ bytes: 72_000_000, wholeImage: false, limit: BUDGET });
  });
});
