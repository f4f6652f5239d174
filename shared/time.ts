// Instants are stored in UTC; people read and type them in their unit's zone, labelled WIB/WITA/WIT.
// No zod here: this module runs in the browser too, where every kilobyte counts.
import { DateTime } from 'luxon';

export const TIME_ZONES = {
  'Asia/Jakarta': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Jayapura': 'WIT',
} as const;
export const TIME_ZONE_IDS = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'] as const;
export type TimeZone = (typeof TIME_ZONE_IDS)[number];

export function isTimeZone(value: string): value is TimeZone {
  return (TIME_ZONE_IDS as readonly string[]).includes(value);
}

export function zoneLabel(zone: TimeZone): string {
  return TIME_ZONES[zone];
}

const OFFSET_SUFFIX = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Reads an instant typed by a person. With an offset (`...Z`, `...+07:00`) it is taken as written;
 * without one it is wall-clock time in the unit's zone. Returns undefined when it is not a valid time.
 */
export function parseInstant(text: string, zone: TimeZone): Date | undefined {
  const trimmed = text.trim().replace(' ', 'T');
  const dt = OFFSET_SUFFIX.test(trimmed)
    ? DateTime.fromISO(trimmed, { setZone: true })
    : DateTime.fromISO(trimmed, { zone });
  return dt.isValid ? dt.toJSDate() : undefined;
}

/** `Senin, 24 Nov 2026 09.00 WIB` (id) or `Mon, 24 Nov 2026 09:00 WIB` (en). */
export function formatInZone(instant: Date, zone: TimeZone, locale: 'id' | 'en' = 'id'): string {
  const dt = DateTime.fromJSDate(instant, { zone }).setLocale(locale === 'id' ? 'id-ID' : 'en-GB');
  const time = locale === 'id' ? dt.toFormat('HH.mm') : dt.toFormat('HH:mm');
  return `${dt.toFormat('ccc, d LLL yyyy')} ${time} ${zoneLabel(zone)}`;
}

/** ISO 8601 with the zone's offset, e.g. 2026-11-24T09:00:00.000+07:00. */
export function isoInZone(instant: Date, zone: TimeZone): string {
  return DateTime.fromJSDate(instant, { zone }).toISO() ?? instant.toISOString();
}
