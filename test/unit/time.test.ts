import { formatInZone, isoInZone, parseInstant } from '../../shared/time';
import { DateTime } from 'luxon';
import fc from 'fast-check';

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
  test('any moment written in the accepted forms reads as the date library reads it', () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    const zone = fc.constantFrom('Asia/Jakarta' as const, 'Asia/Makassar' as const, 'Asia/Jayapura' as const);
    const written = fc.record({
      // From 1970: before 1964 the zones' offsets differed, and the product keeps today's all year round.
      y: fc.integer({ min: 1970, max: 9999 }), mo: fc.integer({ min: 0, max: 13 }), d: fc.integer({ min: 0, max: 32 }),
      h: fc.integer({ min: 0, max: 24 }), mi: fc.integer({ min: 0, max: 60 }), s: fc.option(fc.integer({ min: 0, max: 60 })),
      ms: fc.option(fc.integer({ min: 0, max: 999 })), time: fc.boolean(), space: fc.boolean(),
      off: fc.option(fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 30, 45), fc.boolean()).map(([sg, h, m, colon]) => `${sg}${pad(h)}${colon ? ':' : ''}${pad(m)}`))),
    }).map((w) => {
      const date = `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}`;
      if (!w.time) return date;
      const secs = w.s === null ? '' : `:${pad(w.s)}${w.ms === null ? '' : `.${pad(w.ms, 3)}`}`;
      return `${date}${w.space ? ' ' : 'T'}${pad(w.h)}:${pad(w.mi)}${secs}${w.off ?? ''}`;
    });
    fc.assert(
      fc.property(written, zone, (text, z) => {
        const iso = text.replace(' ', 'T');
        const dt = /(Z|[+-]\d{2}:?\d{2})$/i.test(iso) ? DateTime.fromISO(iso, { setZone: true }) : DateTime.fromISO(iso, { zone: z });
        expect(parseInstant(text, z)?.toISOString()).toBe(dt.isValid ? dt.toJSDate().toISOString() : undefined);
      }),
      { numRuns: 5000 },
    );
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
