import { AUTO_TIME_DIMENSION, isTimeDimension, type Dimension, type Filter, type Metric } from './catalogue.js';
import type { ResolvedDateRange } from './date-range.js';
import { StatsQueryError } from './errors.js';
import { checkBucketCount, resolveAutoTimeDimension } from './time-buckets.js';
import type { ValidatedRequest } from './validate-request.js';

export type OrderDirection = 'asc' | 'desc';

/** A validated query with its date range placed in the property's time zone and `time` resolved. */
export interface StatsQuery {
  siteId: string;
  timeZone: string;
  metrics: Metric[];
  dimensions: Dimension[];
  filters: Filter[];
  rawFilters: unknown[];
  /** Ordering, with Plausible's default filled in when the request had none. */
  orderBy: [Dimension | Metric, OrderDirection][];
  include: ValidatedRequest['include'];
  pagination: ValidatedRequest['pagination'];
  dateRange: ResolvedDateRange;
}

/**
 * Resolves `time` to a bucket size for the range and fills in the default ordering:
 * the time dimension ascending, if any, then the first metric descending.
 * @throws StatsQueryError when the time dimension would split the range into too many buckets.
 */
export function resolveStatsQuery(request: ValidatedRequest, timeZone: string, dateRange: ResolvedDateRange): StatsQuery {
  const resolveDimension = <T extends string>(name: T): Exclude<T, typeof AUTO_TIME_DIMENSION> | Dimension =>
    name === AUTO_TIME_DIMENSION ? resolveAutoTimeDimension(dateRange) : (name as Exclude<T, typeof AUTO_TIME_DIMENSION>);

  const dimensions = request.dimensions.map((name) => resolveDimension(name) as Dimension);
  dimensions.forEach((dimension, index) => {
    if (!isTimeDimension(dimension)) return;
    const problem = checkBucketCount(dimension, dateRange);
    if (problem !== null) throw new StatsQueryError([{ path: `/dimensions/${index}`, message: problem }]);
  });
  const firstMetric = request.metrics[0] as Metric;
  const timeDimension = dimensions.find(isTimeDimension);

  const orderBy: StatsQuery['orderBy'] =
    request.orderBy === null
      ? [...(timeDimension === undefined ? [] : [[timeDimension, 'asc'] as [Dimension, OrderDirection]]), [firstMetric, 'desc']]
      : request.orderBy.map(([key, direction]) => [resolveDimension(key) as Dimension | Metric, direction]);

  return {
    siteId: request.siteId,
    timeZone,
    metrics: request.metrics,
    dimensions,
    filters: request.filters,
    rawFilters: request.rawFilters,
    orderBy,
    include: request.include,
    pagination: request.pagination,
    dateRange,
  };
}
