import {
  DuckDBTypeId,
  JSDuckDBValueConverter,
  type DuckDBTimestampMillisecondsValue,
  type DuckDBTimestampNanosecondsValue,
  type DuckDBTimestampSecondsValue,
  type DuckDBTimestampValue,
  type DuckDBValue,
  type JS,
  type DuckDBValueConverter,
} from '@duckdb/node-api';

/** Largest and smallest millisecond values a JS `Date` can hold (ECMA-262, Time Values). */
const DATE_MS_LIMIT = 8.64e15;

/**
 * Converts DuckDB result values into the plain values `EventStore.query` promises:
 *
 * - UBIGINT (the type of `visitor_id` and `session_id`) stays a `bigint`, whatever its size.
 * - Other integers (BIGINT from `count(*)`, HUGEINT from `sum` of BIGINT, ...) become a
 *   `number` when it is a safe integer, and otherwise stay a `bigint`.
 * - DECIMAL becomes its exact decimal string with the column's scale (`12.3400`).
 * - TIMESTAMP (any precision) and TIMESTAMPTZ become an ISO 8601 string with milliseconds and
 *   a `Z` suffix (`2026-01-01T12:00:00.000Z`), or DuckDB's own text for values a JS `Date`
 *   cannot hold. The digits are the stored ones, so a wall-clock TIMESTAMP computed in a
 *   property's time zone keeps its local digits even though the suffix says `Z`.
 * - DATE becomes `YYYY-MM-DD`. DOUBLE and FLOAT become a `number`.
 * - Lists, structs and maps are converted element by element with these same rules.
 * - Anything else gets `@duckdb/node-api`'s JS conversion.
 */
export const convertResultValue: DuckDBValueConverter<unknown> = (value, type, converter) => {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.UBIGINT:
      return value as bigint;
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return toSafeNumber(value as bigint);
    case DuckDBTypeId.DECIMAL:
    case DuckDBTypeId.DATE:
      return String(value);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return timestampToIso(value, (value as DuckDBTimestampValue).micros, 1000n);
    case DuckDBTypeId.TIMESTAMP_MS:
      return timestampToIso(value, (value as DuckDBTimestampMillisecondsValue).millis, 1n);
    case DuckDBTypeId.TIMESTAMP_S:
      return timestampToIso(value, (value as DuckDBTimestampSecondsValue).seconds * 1000n, 1n);
    case DuckDBTypeId.TIMESTAMP_NS:
      return timestampToIso(value, (value as DuckDBTimestampNanosecondsValue).nanos, 1_000_000n);
    default:
      // Nested values recurse through `converter`, so they get these same rules.
      return JSDuckDBValueConverter(value, type, converter as DuckDBValueConverter<JS>);
  }
};

function toSafeNumber(value: bigint): number | bigint {
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value;
}

/** Formats `ticks` (units of 1/`ticksPerMillisecond` ms since the epoch) as ISO 8601. */
function timestampToIso(value: DuckDBValue, ticks: bigint, ticksPerMillisecond: bigint): string {
  // Floor division, so that instants before 1970 with a sub-millisecond part round down.
  const remainder = ticks % ticksPerMillisecond;
  const milliseconds = Number(ticks / ticksPerMillisecond - (remainder < 0n ? 1n : 0n));
  // Infinite timestamps and years beyond a JS Date keep DuckDB's text (`infinity`, ...).
  if (Math.abs(milliseconds) > DATE_MS_LIMIT) return String(value);
  return new Date(milliseconds).toISOString();
}
