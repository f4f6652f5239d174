import { formatInZone, isoInZone, parseInstant } from '../../shared/time';
import { DateTime } from 'luxon';

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

describe('wall-clock formatting without a time-zone database per post', () => {
  // What the earlier luxon-based formatting gave, for comparison over many instants.
  const viaLuxon = (instant: Date, zone: 'Asia/Jakarta' | 'Asia/Makassar' | 'Asia/Jayapura', locale: 'id' | 'en') => {
    const dt = DateTime.fromJSDate(instant, { zone }).setLocale(locale === 'id' ? 'id-ID' : 'en-GB');
    const label = { 'Asia/Jakarta': 'WIB', 'Asia/Makassar': 'WITA', 'Asia/Jayapura': 'WIT' }[zone];
    return `${dt.toFormat('ccc, d LLL yyyy')} ${locale === 'id' ? dt.toFormat('HH.mm') : dt.toFormat('HH:mm')} ${label}`;
  };
  test('gives what luxon gives, in every zone and both languages, over years of instants', () => {
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 3000; i++) {
      const instant = new Date(Date.UTC(2020, 0, 1) + (next() % (10 * 366 * 24 * 60)) * 60_000 + (next() % 60_000));
      for (const zone of ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'] as const) {
        expect(isoInZone(instant, zone)).toBe(DateTime.fromJSDate(instant, { zone }).toISO());
        for (const locale of ['id', 'en'] as const) expect(formatInZone(instant, zone, locale)).toBe(viaLuxon(instant, zone, locale));
      }
    }
  });
});
