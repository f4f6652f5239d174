// Instants are stored in UTC; people read and type them in their unit's zone, labelled WIB/WITA/WIT.
// No zod here: this module runs in the browser too, where every kilobyte counts.

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

/**
 * ISO 8601 as people and API clients write a moment: a date, a time to the minute (seconds and fractions
 * optional), and an offset (`Z`, `+07:00`, `+0700`) only after a time. A space may stand for the `T`.
 */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Reads an instant typed by a person. With an offset (`...Z`, `...+07:00`) it is taken as written;
 * without one it is wall-clock time in the unit's zone. Returns undefined when it is not a valid time.
 * Read by hand rather than by a date library: the compose page runs this in the browser, and a library
 * for one format weighed more than the rest of the page's script.
 */
export function parseInstant(text: string, zone: TimeZone): Date | undefined {
  const m = ISO_INSTANT.exec(text.trim().replace(' ', 'T'));
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const millis = Number(`${m[7] ?? ''}000`.slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || minute > 59 || second > 59) return undefined;
  // 24:00 is the end of the day, as ISO 8601 allows (the next day's 00:00); nothing later.
  if (hour > 24 || (hour === 24 && (minute > 0 || second > 0 || millis > 0))) return undefined;
  const offset = offsetMinutes(m[8], zone);
  if (offset === undefined) return undefined;
  const at = new Date(0);
  // setUTCFullYear, not Date.UTC: the latter reads years below 100 as 19xx.
  at.setUTCFullYear(year, month - 1, day);
  at.setUTCHours(hour, minute, second, millis);
  return new Date(at.getTime() - offset * 60_000);
}

function daysIn(year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Minutes east of UTC: as written, or the unit zone's when nothing is written. */
function offsetMinutes(written: string | undefined, zone: TimeZone): number | undefined {
  if (written === undefined) return OFFSET_MINUTES[zone];
  if (written.toUpperCase() === 'Z') return 0;
  const digits = written.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return undefined;
  return (written.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * Indonesia's three zones keep one offset all year (no daylight saving since 1964), so wall-clock time is
 * the instant shifted by it: a list or calendar of thousands of posts needs no time-zone database per post.
 */
const OFFSET_MINUTES: Record<TimeZone, number> = { 'Asia/Jakarta': 7 * 60, 'Asia/Makassar': 8 * 60, 'Asia/Jayapura': 9 * 60 };

/** The instant as a UTC Date whose fields read as the zone's wall clock. */
function wallClock(instant: Date, zone: TimeZone): Date {
  return new Date(instant.getTime() + OFFSET_MINUTES[zone] * 60_000);
}

const names = new Map<string, string>();
/**
 * Weekday and month names as Intl gives them alone (as luxon's `ccc` and `LLL` do), each asked of Intl once per
 * locale: there are seven and twelve of them, and every post shown formats its time. Both locales count in the
 * Gregorian calendar, where a name depends on the weekday or the month alone.
 */
function nameOf(field: 'weekday' | 'month', locale: 'id-ID' | 'en-GB', wall: Date): string {
  const key = `${field}:${locale}:${String(field === 'weekday' ? wall.getUTCDay() : wall.getUTCMonth())}`;
  let name = names.get(key);
  if (name === undefined) {
    name = new Intl.DateTimeFormat(locale, { [field]: 'short', timeZone: 'UTC' }).format(wall);
    names.set(key, name);
  }
  return name;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `Senin, 24 Nov 2026 09.00 WIB` (id) or `Mon, 24 Nov 2026 09:00 WIB` (en). */
export function formatInZone(instant: Date, zone: TimeZone, locale: 'id' | 'en' = 'id'): string {
  const wall = wallClock(instant, zone);
  const loc = locale === 'id' ? 'id-ID' : 'en-GB';
  return `${nameOf('weekday', loc, wall)}, ${String(wall.getUTCDate())} ${nameOf('month', loc, wall)} ${pad(wall.getUTCFullYear(), 4)} ${timeInZone(instant, zone, locale)}`;
}

/** The time of day alone, e.g. "14.05 WIB" (Indonesian) or "14:05 WIB": for stamps such as "saved at". */
export function timeInZone(instant: Date, zone: TimeZone, locale: 'id' | 'en' = 'id'): string {
  return `${clockInZone(instant, zone, locale)} ${zoneLabel(zone)}`;
}

/** The time of day without the zone's name, "14.05" (Indonesian) or "14:05": where the zone is said once nearby. */
export function clockInZone(instant: Date, zone: TimeZone, locale: 'id' | 'en' = 'id'): string {
  const wall = wallClock(instant, zone);
  return `${pad(wall.getUTCHours())}${locale === 'id' ? '.' : ':'}${pad(wall.getUTCMinutes())}`;
}

/** ISO 8601 with the zone's offset, e.g. 2026-11-24T09:00:00.000+07:00. */
export function isoInZone(instant: Date, zone: TimeZone): string {
  if (Number.isNaN(instant.getTime())) return instant.toISOString();
  const offset = OFFSET_MINUTES[zone];
  return `${wallClock(instant, zone).toISOString().slice(0, -1)}+${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`;
}

/** The earliest and latest instants a search range is read as: every post lies between, and the database holds both. */
export const SEARCH_FLOOR = new Date(Date.UTC(1970, 0, 1));
export const SEARCH_CEILING = new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999));

/** The instant brought within SEARCH_FLOOR and SEARCH_CEILING: a range "from year 1" or "to 9999" means "all". */
export function withinSearchRange(instant: Date): Date {
  return instant < SEARCH_FLOOR ? SEARCH_FLOOR : instant > SEARCH_CEILING ? SEARCH_CEILING : instant;
}
