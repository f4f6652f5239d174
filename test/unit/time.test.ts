import { formatInZone, isoInZone, parseInstant } from '../../shared/time';

describe('time zones', () => {
  test('a time typed without an offset is wall-clock time in the unit zone', () => {
    expect(parseInstant('2026-11-24T09:00', 'Asia/Jakarta')!.toISOString()).toBe('2026-11-24T02:00:00.000Z');
    expect(parseInstant('2026-11-24T09:00', 'Asia/Makassar')!.toISOString()).toBe('2026-11-24T01:00:00.000Z');
    expect(parseInstant('2026-11-24 09:00', 'Asia/Jayapura')!.toISOString()).toBe('2026-11-24T00:00:00.000Z');
  });
  test('a time with an offset is taken as written', () => {
    expect(parseInstant('2026-11-24T09:00:00+09:00', 'Asia/Jakarta')!.toISOString()).toBe('2026-11-24T00:00:00.000Z');
    expect(parseInstant('2026-11-24T02:00:00Z', 'Asia/Jayapura')!.toISOString()).toBe('2026-11-24T02:00:00.000Z');
  });
  test('nonsense is undefined, not a guess', () => {
    expect(parseInstant('besok', 'Asia/Jakarta')).toBeUndefined();
    expect(parseInstant('2026-02-30T10:00', 'Asia/Jakarta')).toBeUndefined();
  });
  test('instants are shown labelled WIB/WITA/WIT, in Indonesian by default', () => {
    const at = new Date('2026-11-24T02:00:00Z');
    expect(formatInZone(at, 'Asia/Jakarta')).toMatch(/24 Nov 2026 09\.00 WIB$/);
    expect(formatInZone(at, 'Asia/Makassar', 'en')).toMatch(/24 Nov 2026 10:00 WITA$/);
    expect(formatInZone(at, 'Asia/Jayapura')).toMatch(/11\.00 WIT$/);
    expect(isoInZone(at, 'Asia/Jayapura')).toBe('2026-11-24T11:00:00.000+09:00');
  });
});
