import { DEVICE_CLASSES, ROUTES } from '../domain.js';
import {
  AUTO_TIME_DIMENSION,
  LOGICAL_FILTER_OPERATORS,
  METRICS,
  SIMPLE_FILTER_OPERATORS,
  TIME_DIMENSIONS,
  checkNonTimeDimension,
  isMetric,
  isTimeDimension,
  type Dimension,
  type Filter,
  type Metric,
  type SimpleFilterOperator,
} from './catalogue.js';
import { parseDateRange, type DateRangeSpec } from './date-range.js';
import { StatsQueryError, type StatsQueryProblem } from './errors.js';
import { MAX_PAGE_SIZE, checkRequestShape, type StatsRequest } from './request-schema.js';

/** A requested dimension, where `time` is still to be resolved against the date range. */
export type RequestedDimension = Dimension | typeof AUTO_TIME_DIMENSION;

/** A Stats API request that passed every check that needs no database. */
export interface ValidatedRequest {
  siteId: string;
  metrics: Metric[];
  dimensions: RequestedDimension[];
  /** Top-level filters; all of them must hold. */
  filters: Filter[];
  /** The filters as sent, echoed in the response. */
  rawFilters: unknown[];
  /** Requested ordering, or null for the default. */
  orderBy: [RequestedDimension | Metric, 'asc' | 'desc'][] | null;
  include: { totalRows: boolean; timeLabels: boolean; imports: boolean };
  pagination: { limit: number; offset: number };
  dateRange: DateRangeSpec;
}

/**
 * Validates a Stats API request body: its shape with TypeBox, then names, dates, filters and
 * ordering. Throws a StatsQueryError listing every problem found.
 */
export function validateStatsRequest(body: unknown): ValidatedRequest {
  const shapeProblems = checkRequestShape(body);
  if (shapeProblems.length > 0) throw new StatsQueryError(shapeProblems);

  const request = body as StatsRequest;
  const problems: StatsQueryProblem[] = [];

  const metrics = validateMetrics(request.metrics, problems);
  const dimensions = validateDimensions(request.dimensions ?? [], problems);

  const dateRange = parseDateRange(request.date_range);
  if (typeof dateRange === 'string') problems.push({ path: '/date_range', message: dateRange });

  const rawFilters = request.filters ?? [];
  const filterBudget: FilterBudget = { nodesLeft: MAX_FILTER_NODES, exceeded: false };
  const filters = rawFilters.map((filter, index) => parseFilter(filter, `/filters/${index}`, 1, filterBudget, problems));

  const orderBy = validateOrderBy(request.order_by, metrics, dimensions, problems);

  const include = {
    totalRows: request.include?.total_rows ?? false,
    timeLabels: request.include?.time_labels ?? false,
    imports: request.include?.imports ?? false,
  };
  if (include.timeLabels && !dimensions.some((dimension) => dimension === AUTO_TIME_DIMENSION || isTimeDimension(dimension))) {
    problems.push({
      path: '/include/time_labels',
      message: 'time_labels needs a time dimension (time, time:hour, time:day, time:week or time:month) in dimensions',
    });
  }

  if (problems.length > 0) throw new StatsQueryError(problems);

  return {
    siteId: request.site_id,
    metrics,
    dimensions,
    filters: filters as Filter[],
    rawFilters,
    orderBy,
    include,
    pagination: { limit: request.pagination?.limit ?? MAX_PAGE_SIZE, offset: request.pagination?.offset ?? 0 },
    dateRange: dateRange as DateRangeSpec,
  };
}

function validateMetrics(names: string[], problems: StatsQueryProblem[]): Metric[] {
  const metrics: Metric[] = [];
  names.forEach((name, index) => {
    if (!isMetric(name)) {
      problems.push({ path: `/metrics/${index}`, message: `unknown metric '${name}'; allowed: ${METRICS.join(', ')}` });
    } else if (metrics.includes(name)) {
      problems.push({ path: `/metrics/${index}`, message: `metric '${name}' is listed twice` });
    } else {
      metrics.push(name);
    }
  });
  return metrics;
}

function validateDimensions(names: string[], problems: StatsQueryProblem[]): RequestedDimension[] {
  const dimensions: RequestedDimension[] = [];
  let timeDimensionSeen = false;
  names.forEach((name, index) => {
    const path = `/dimensions/${index}`;
    if (name === AUTO_TIME_DIMENSION || isTimeDimension(name)) {
      if (timeDimensionSeen) {
        problems.push({ path, message: 'only one time dimension is allowed in a query' });
        return;
      }
      timeDimensionSeen = true;
    } else {
      const problem = checkNonTimeDimension(name);
      if (problem !== null) {
        problems.push({
          path,
          message: problem.startsWith('unknown dimension')
            ? `${problem}, ${AUTO_TIME_DIMENSION}, ${TIME_DIMENSIONS.join(', ')}`
            : problem,
        });
        return;
      }
    }
    if (dimensions.includes(name as RequestedDimension)) {
      problems.push({ path, message: `dimension '${name}' is listed twice` });
      return;
    }
    dimensions.push(name as RequestedDimension);
  });
  return dimensions;
}

function validateOrderBy(
  entries: StatsRequest['order_by'],
  metrics: Metric[],
  dimensions: RequestedDimension[],
  problems: StatsQueryProblem[],
): ValidatedRequest['orderBy'] {
  if (entries === undefined) return null;
  const orderBy: NonNullable<ValidatedRequest['orderBy']> = [];
  entries.forEach(([key, direction], index) => {
    if (metrics.includes(key as Metric) || dimensions.includes(key as RequestedDimension)) {
      orderBy.push([key as Metric | RequestedDimension, direction]);
    } else {
      problems.push({
        path: `/order_by/${index}/0`,
        message: `cannot order by '${key}': it is not a metric or dimension of this query; allowed: ${[...metrics, ...dimensions].join(', ')}`,
      });
    }
  });
  return orderBy;
}

const FILTER_FORMS =
  'expected ["is" | "is_not" | "contains" | "contains_not" | "matches" | "matches_not", dimension, [values...]] ' +
  '(optionally with {"case_sensitive": false}), ["and" | "or", [filters...]] or ["not", filter]';

/** Deepest nesting of filters: a top-level filter is level 1, and each `and`, `or` or `not` adds one. */
export const MAX_FILTER_DEPTH = 32;
/** Most filter expressions in one request, counting every `and`, `or`, `not` and simple filter. */
export const MAX_FILTER_NODES = 1000;

/** Filter expressions a request may still contain; `exceeded` keeps the problem to one entry. */
interface FilterBudget {
  nodesLeft: number;
  exceeded: boolean;
}

/**
 * Parses one filter expression; records problems and returns null when it is invalid. The
 * depth and node limits are checked before recursing, so a deeply nested body cannot
 * overflow the call stack.
 */
function parseFilter(value: unknown, path: string, depth: number, budget: FilterBudget, problems: StatsQueryProblem[]): Filter | null {
  if (budget.exceeded) return null;
  if (depth > MAX_FILTER_DEPTH) {
    budget.exceeded = true;
    problems.push({ path, message: `filters nest too deeply; at most ${MAX_FILTER_DEPTH} levels of filters are allowed` });
    return null;
  }
  budget.nodesLeft -= 1;
  if (budget.nodesLeft < 0) {
    budget.exceeded = true;
    problems.push({ path, message: `too many filters; a query may contain at most ${MAX_FILTER_NODES} filters, counting every and, or and not` });
    return null;
  }

  if (!Array.isArray(value) || typeof value[0] !== 'string') {
    problems.push({ path, message: `invalid filter; ${FILTER_FORMS}` });
    return null;
  }
  const operator = value[0];

  if (operator === 'and' || operator === 'or') {
    const children = value[1];
    if (value.length !== 2 || !Array.isArray(children) || children.length === 0) {
      problems.push({ path, message: `invalid '${operator}' filter; expected ["${operator}", [filter, ...]] with at least one filter` });
      return null;
    }
    const parsed = children.map((child, index) => parseFilter(child, `${path}/1/${index}`, depth + 1, budget, problems));
    return parsed.includes(null) ? null : { kind: operator, children: parsed as Filter[] };
  }

  if (operator === 'not') {
    if (value.length !== 2) {
      problems.push({ path, message: 'invalid \'not\' filter; expected ["not", filter]' });
      return null;
    }
    const child = parseFilter(value[1], `${path}/1`, depth + 1, budget, problems);
    return child === null ? null : { kind: 'not', child };
  }

  if (!(SIMPLE_FILTER_OPERATORS as readonly string[]).includes(operator)) {
    problems.push({
      path: `${path}/0`,
      message: `unknown filter operator '${operator}'; allowed: ${[...SIMPLE_FILTER_OPERATORS, ...LOGICAL_FILTER_OPERATORS].join(', ')}`,
    });
    return null;
  }
  return parseSimpleFilter(operator as SimpleFilterOperator, value, path, problems);
}

function parseSimpleFilter(
  operator: SimpleFilterOperator,
  value: unknown[],
  path: string,
  problems: StatsQueryProblem[],
): Filter | null {
  const [, dimension, values, modifiers] = value;
  const problemCount = problems.length;

  if (value.length < 3 || value.length > 4) {
    problems.push({ path, message: `invalid '${operator}' filter; expected ["${operator}", dimension, [values...]] with an optional modifiers object` });
    return null;
  }
  if (typeof dimension !== 'string' || dimension === AUTO_TIME_DIMENSION || isTimeDimension(dimension)) {
    problems.push({ path: `${path}/1`, message: 'invalid filter dimension; time dimensions cannot be filtered, use date_range' });
  } else {
    const problem = checkNonTimeDimension(dimension);
    if (problem !== null) problems.push({ path: `${path}/1`, message: problem });
  }
  if (!Array.isArray(values) || values.length === 0 || !values.every((item) => typeof item === 'string')) {
    problems.push({ path: `${path}/2`, message: 'invalid filter values; expected a non-empty array of strings' });
  }

  let caseSensitive = true;
  if (modifiers !== undefined) {
    const isModifierObject =
      typeof modifiers === 'object' &&
      modifiers !== null &&
      !Array.isArray(modifiers) &&
      Object.keys(modifiers).every((key) => key === 'case_sensitive') &&
      typeof (modifiers as { case_sensitive?: unknown }).case_sensitive === 'boolean';
    if (isModifierObject) {
      caseSensitive = (modifiers as { case_sensitive: boolean }).case_sensitive;
    } else {
      problems.push({ path: `${path}/3`, message: 'invalid filter modifiers; expected {"case_sensitive": true | false}' });
    }
  }
  if (problems.length > problemCount) return null;

  const strings = values as string[];
  checkValuesOfDimension(operator, dimension as Dimension, strings, caseSensitive, `${path}/2`, problems);
  if (problems.length > problemCount) return null;

  return {
    kind: 'simple',
    operator,
    dimension: dimension as Dimension,
    values: dimension === 'visit:country' && (operator === 'is' || operator === 'is_not') ? strings.map((code) => code.toUpperCase()) : strings,
    caseSensitive,
    valuesPath: `${path}/2`,
  };
}

/** Rejects exact-match values that can never match, so a typo does not read as "no traffic". */
function checkValuesOfDimension(
  operator: SimpleFilterOperator,
  dimension: Dimension,
  values: string[],
  caseSensitive: boolean,
  path: string,
  problems: StatsQueryProblem[],
): void {
  if (operator !== 'is' && operator !== 'is_not') return;
  const allowedByDimension: Partial<Record<Dimension, readonly string[]>> = {
    'visit:device': DEVICE_CLASSES,
    'visit:route': ROUTES,
  };
  const allowed = allowedByDimension[dimension];
  values.forEach((item, index) => {
    if (dimension === 'visit:country' && !/^[A-Za-z]{2}$/.test(item)) {
      problems.push({ path: `${path}/${index}`, message: `invalid country '${item}'; expected an ISO 3166-1 alpha-2 code such as "DE"` });
    } else if (allowed !== undefined && !allowed.includes(caseSensitive ? item : item.toLowerCase())) {
      problems.push({ path: `${path}/${index}`, message: `invalid ${dimension} value '${item}'; allowed: ${allowed.join(', ')}` });
    }
  });
}
