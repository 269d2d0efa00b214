import type { TimeDimension } from './catalogue.js';
import type { ResolvedDateRange } from './date-range.js';
import { addDays, addMonthsToMonthStart, startOfWeek } from './time-zone.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Picks the bucket size for the `time` dimension from the length of the range, with
 * Plausible's thresholds: hours up to 48 hours, days up to 40 days, weeks up to 52 weeks,
 * months beyond.
 */
export function resolveAutoTimeDimension(range: ResolvedDateRange): TimeDimension {
  const lengthMs = range.endMs - 1 - range.startMs;
  if (Math.floor(lengthMs / HOUR_MS) <= 48) return 'time:hour';
  if (Math.floor(lengthMs / DAY_MS) <= 40) return 'time:day';
  if (Math.floor(lengthMs / (7 * DAY_MS)) <= 52) return 'time:week';
  return 'time:month';
}

/**
 * Maximum range length, in days, that each time dimension may split into buckets: a leap year
 * of hours (8,784 buckets) and 20 years of days (7,305 buckets). Weeks and months are bounded
 * by the maximum length of a date range.
 */
export const MAX_DAYS_BY_TIME_DIMENSION: Readonly<Partial<Record<TimeDimension, number>>> = {
  'time:hour': 366,
  'time:day': 7_305,
};

/** Returns a message when `dimension` would split the range into too many buckets, else null. */
export function checkBucketCount(dimension: TimeDimension, range: ResolvedDateRange): string | null {
  const maxDays = MAX_DAYS_BY_TIME_DIMENSION[dimension];
  const days = (Date.parse(range.lastDate) - Date.parse(range.firstDate)) / DAY_MS + 1;
  if (maxDays === undefined || days <= maxDays) return null;
  const coarser = dimension === 'time:hour' ? 'time:day, time:week or time:month' : 'time:week or time:month';
  return `${dimension} allows date ranges of at most ${maxDays} days, and this one covers ${days} days; use ${coarser}, or a shorter date_range`;
}

/**
 * Returns every bucket label of the range, in order, in the format of the time dimension's
 * values: `YYYY-MM-DD HH:00:00` for hours (local wall clock, 24 a day whatever DST does),
 * `YYYY-MM-DD` for the rest. A week is labelled by its Monday, except a first week that starts
 * before the range, which is labelled by the range's first date.
 */
export function timeLabels(dimension: TimeDimension, range: ResolvedDateRange): string[] {
  const labels: string[] = [];
  switch (dimension) {
    case 'time:hour':
      for (let date = range.firstDate; date <= range.lastDate; date = addDays(date, 1)) {
        for (let hour = 0; hour < 24; hour++) labels.push(`${date} ${String(hour).padStart(2, '0')}:00:00`);
      }
      break;
    case 'time:day':
      for (let date = range.firstDate; date <= range.lastDate; date = addDays(date, 1)) labels.push(date);
      break;
    case 'time:week':
      labels.push(range.firstDate);
      for (let monday = addDays(startOfWeek(range.firstDate), 7); monday <= range.lastDate; monday = addDays(monday, 7)) {
        labels.push(monday);
      }
      break;
    case 'time:month':
      for (let month = addMonthsToMonthStart(range.firstDate, 0); month <= range.lastDate; month = addMonthsToMonthStart(month, 1)) {
        labels.push(month);
      }
      break;
  }
  return labels;
}
