/**
 * Calendar arithmetic in a property's IANA time zone, on top of `Intl.DateTimeFormat`.
 * Dates are `YYYY-MM-DD` strings; instants are UTC milliseconds since the epoch.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClockAt(utcMs: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(utcMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Returns whether `timeZone` is an IANA time zone name that this runtime supports. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of the zone from UTC at an instant, in milliseconds (positive east of Greenwich). */
export function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const wall = wallClockAt(utcMs, timeZone);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return wallAsUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * Returns the instant at which the zone's clocks show midnight starting `date`. Where a DST
 * change skips midnight, returns the first instant of that date.
 */
export function startOfLocalDate(date: string, timeZone: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const wallAsUtc = Date.UTC(year, month - 1, day);
  const firstGuess = wallAsUtc - zoneOffsetMs(wallAsUtc, timeZone);
  const offsetAtGuess = zoneOffsetMs(firstGuess, timeZone);
  const candidate = wallAsUtc - offsetAtGuess;
  // Inside a gap the candidate's wall clock falls on the previous date; the date then starts
  // where the offset changes, which is the other guess.
  return localDateOf(candidate, timeZone) === date ? candidate : Math.max(candidate, firstGuess);
}

/** Returns the local calendar date at an instant. */
export function localDateOf(utcMs: number, timeZone: string): string {
  const wall = wallClockAt(utcMs, timeZone);
  return formatDate(wall.year, wall.month, wall.day);
}

/** Formats an instant as ISO 8601 local time with the zone's offset, to the second. */
export function formatLocalIso(utcMs: number, timeZone: string): string {
  const wall = wallClockAt(utcMs, timeZone);
  const offsetMinutes = Math.round(zoneOffsetMs(utcMs, timeZone) / 60_000);
  const isUtcZone = timeZone === 'UTC' || timeZone === 'Etc/UTC';
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  const offset = isUtcZone ? 'Z' : `${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
  return `${formatDate(wall.year, wall.month, wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}${offset}`;
}

export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const shifted = new Date(Date.UTC(year, month - 1, day + days));
  return formatDate(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}

/** Returns the first day of the month `months` months after the month of `date`. */
export function addMonthsToMonthStart(date: string, months: number): string {
  const [year, month] = date.split('-').map(Number) as [number, number];
  const shifted = new Date(Date.UTC(year, month - 1 + months, 1));
  return formatDate(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, 1);
}

export function lastDayOfMonth(date: string): string {
  return addDays(addMonthsToMonthStart(date, 1), -1);
}

/** Monday of the ISO week that contains `date`. */
export function startOfWeek(date: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}

/** Returns whether `text` is a `YYYY-MM-DD` date that exists in the Gregorian calendar. */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const parsed = new Date(Date.UTC(year, month - 1, day));
  return parsed.getUTCFullYear() === year && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day;
}

function formatDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** A stretch of time during which a zone keeps one UTC offset. */
export interface OffsetSegment {
  /** Offset from UTC in milliseconds. */
  offsetMs: number;
  /** First instant (UTC milliseconds) with the next offset, or null for the last segment. */
  untilMs: number | null;
}

const DAY_MS = 86_400_000;

/**
 * Lists the zone's UTC offsets between two instants, in order. Offsets are sampled once a
 * day and each change is located to the second by bisection, so this assumes that a zone
 * changes its offset at most once within any 24 hours, which holds for current tzdata.
 */
export function offsetSegments(startMs: number, endMs: number, timeZone: string): OffsetSegment[] {
  const segments: OffsetSegment[] = [];
  let currentOffset = zoneOffsetMs(startMs, timeZone);
  for (let probe = startMs; probe < endMs; ) {
    const next = Math.min(probe + DAY_MS, endMs);
    const nextOffset = zoneOffsetMs(next, timeZone);
    if (nextOffset !== currentOffset) {
      let before = probe;
      let after = next;
      while (after - before > 1000) {
        const middle = before + Math.floor((after - before) / 2000) * 1000;
        if (zoneOffsetMs(middle, timeZone) === currentOffset) before = middle;
        else after = middle;
      }
      segments.push({ offsetMs: currentOffset, untilMs: after });
      currentOffset = nextOffset;
    }
    probe = next;
  }
  segments.push({ offsetMs: currentOffset, untilMs: null });
  return segments;
}
