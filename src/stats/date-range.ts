import {
  addDays,
  addMonthsToMonthStart,
  formatLocalIso,
  isCalendarDate,
  lastDayOfMonth,
  localDateOf,
  startOfLocalDate,
} from './time-zone.js';

/** Period names accepted as `date_range`, besides `<N>d` and explicit pairs. */
export const DATE_RANGE_PERIODS = ['day', 'month', 'year', 'all'] as const;
/** Largest N accepted in `<N>d`, as Plausible. */
export const MAX_DAYS_IN_PERIOD = 5000;
/**
 * First and last dates an explicit `date_range` may cover. The edge stamps events when it
 * receives them, so none predate 1970, and the window bounds the time-zone arithmetic, which
 * costs time per day of the range.
 */
export const EARLIEST_DATE = '1970-01-01';
export const LATEST_DATE = '2199-12-31';
/** Maximum length of an explicit `date_range`, in days: 100 years of 365.25 days. */
export const MAX_RANGE_DAYS = 36_525;

const DAY_MS = 86_400_000;

/**
 * A `date_range` that passed validation, before it is placed on the calendar. Resolving `all`
 * needs the date of the property's first event, so validation and resolution are separate.
 */
export type DateRangeSpec =
  | { kind: 'period'; period: (typeof DATE_RANGE_PERIODS)[number] }
  | { kind: 'last-days'; days: number }
  | { kind: 'dates'; first: string; last: string }
  | { kind: 'instants'; startMs: number; endMs: number };

/** A date range placed in the property's time zone. */
export interface ResolvedDateRange {
  /** First local date of the range. */
  firstDate: string;
  /** Last local date of the range (inclusive). */
  lastDate: string;
  /** First instant in the range, UTC milliseconds. */
  startMs: number;
  /** First instant after the range, UTC milliseconds. */
  endMs: number;
  /** The range as echoed in the response: first and last second, ISO 8601 with offset. */
  echo: [string, string];
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Parses a `date_range` value; returns the spec or a message saying what is allowed. */
export function parseDateRange(value: string | [string, string]): DateRangeSpec | string {
  if (typeof value === 'string') {
    if ((DATE_RANGE_PERIODS as readonly string[]).includes(value)) {
      return { kind: 'period', period: value as (typeof DATE_RANGE_PERIODS)[number] };
    }
    const days = /^([1-9]\d{0,3})d$/.exec(value);
    if (days !== null && Number(days[1]) <= MAX_DAYS_IN_PERIOD) {
      return { kind: 'last-days', days: Number(days[1]) };
    }
    return `invalid date_range '${value}'; allowed: "day", "7d", "30d" (any "<N>d" up to ${MAX_DAYS_IN_PERIOD}), "month", "year", "all", or ["YYYY-MM-DD", "YYYY-MM-DD"]`;
  }

  const [from, to] = value;
  // Both forms start with a date, and the window applies to it as written.
  const outside = [from, to].find((text) => DATE_PREFIX.test(text) && (text.slice(0, 10) < EARLIEST_DATE || text.slice(0, 10) > LATEST_DATE));
  if (outside !== undefined) return outsideWindow(outside);
  if (isCalendarDate(from) && isCalendarDate(to)) {
    if (from > to) return `date_range starts (${from}) after it ends (${to})`;
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
    return days <= MAX_RANGE_DAYS ? { kind: 'dates', first: from, last: to } : tooLong(days);
  }
  if (ISO_INSTANT.test(from) && ISO_INSTANT.test(to)) {
    const startMs = Date.parse(from);
    const endMs = Date.parse(to);
    if (Number.isNaN(startMs) || Number.isNaN(endMs)) {
      return `date_range contains an impossible date or time: ${JSON.stringify(value)}`;
    }
    if (startMs > endMs) return `date_range starts (${from}) after it ends (${to})`;
    const days = Math.ceil((endMs - startMs + 1) / DAY_MS);
    return days <= MAX_RANGE_DAYS ? { kind: 'instants', startMs, endMs } : tooLong(days);
  }
  return `invalid date_range ${JSON.stringify(value)}; expected two dates "YYYY-MM-DD" that exist, or two ISO 8601 timestamps with offset such as "2026-01-01T00:00:00+01:00"`;
}

const DATE_PREFIX = /^\d{4}-\d{2}-\d{2}/;

function outsideWindow(value: string): string {
  return `date_range ${JSON.stringify(value)} is outside the supported dates; both ends must lie between ${EARLIEST_DATE} and ${LATEST_DATE}`;
}

function tooLong(days: number): string {
  return `date_range covers ${days} days; at most ${MAX_RANGE_DAYS} days (100 years) are allowed`;
}

/**
 * Places a date range in the property's time zone. Relative periods count from the local date
 * of `now`. `day` is today, and `<N>d` is the N days ending yesterday. `month` and `year` are
 * the whole current month and year, future days included. `all` runs from the local date of
 * the property's first event (`firstEventMs`, or today when there is none) to today.
 */
export function resolveDateRange(
  spec: DateRangeSpec,
  timeZone: string,
  now: Date,
  firstEventMs: number | null,
): ResolvedDateRange {
  const today = localDateOf(now.getTime(), timeZone);
  switch (spec.kind) {
    case 'instants':
      return {
        firstDate: localDateOf(spec.startMs, timeZone),
        lastDate: localDateOf(spec.endMs, timeZone),
        startMs: spec.startMs,
        // The pair is inclusive, and stored timestamps have millisecond precision.
        endMs: spec.endMs + 1,
        echo: [formatLocalIso(spec.startMs, timeZone), formatLocalIso(spec.endMs, timeZone)],
      };
    case 'dates':
      return dateRange(spec.first, spec.last, timeZone);
    case 'last-days':
      return dateRange(addDays(today, -spec.days), addDays(today, -1), timeZone);
    case 'period':
      switch (spec.period) {
        case 'day':
          return dateRange(today, today, timeZone);
        case 'month':
          return dateRange(addMonthsToMonthStart(today, 0), lastDayOfMonth(today), timeZone);
        case 'year':
          return dateRange(`${today.slice(0, 4)}-01-01`, `${today.slice(0, 4)}-12-31`, timeZone);
        case 'all': {
          const firstDate = firstEventMs === null ? today : localDateOf(firstEventMs, timeZone);
          return dateRange(firstDate < today ? firstDate : today, today, timeZone);
        }
      }
  }
}

function dateRange(firstDate: string, lastDate: string, timeZone: string): ResolvedDateRange {
  const startMs = startOfLocalDate(firstDate, timeZone);
  const endMs = startOfLocalDate(addDays(lastDate, 1), timeZone);
  return {
    firstDate,
    lastDate,
    startMs,
    endMs,
    echo: [formatLocalIso(startMs, timeZone), formatLocalIso(endMs - 1000, timeZone)],
  };
}
