import { StorageError } from '../storage/errors.js';
import type { EventStore } from '../storage/event-store.js';
import { isTimeDimension, type Dimension, type Filter, type Metric } from './catalogue.js';
import { EVENTS } from './columns.js';
import { resolveDateRange } from './date-range.js';
import { StatsQueryError, type StatsQueryProblem } from './errors.js';
import { TOTAL_ROWS_ALIAS, buildStatsSql, dimensionAlias, metricAlias } from './build-sql.js';
import { canReadSessionTable, findScanRanges } from './session-table-sql.js';
import { sql, trustedSql } from './sql.js';
import { resolveStatsQuery, type StatsQuery } from './stats-query.js';
import { timeLabels } from './time-buckets.js';
import { isValidTimeZone } from './time-zone.js';
import { validateStatsRequest } from './validate-request.js';

/** One row of a Stats API response. */
export interface StatsResultRow {
  /** Values in the order of the query's `metrics`. */
  metrics: number[];
  /** Values in the order of the query's `dimensions`. */
  dimensions: string[];
}

/** Body of a Stats API response, shaped as Plausible's Stats API v2. */
export interface StatsResponse {
  results: StatsResultRow[];
  meta: { total_rows?: number; time_labels?: string[] };
  /** The query as run: `time` resolved, default ordering filled in, date range as timestamps. */
  query: {
    site_id: string;
    metrics: Metric[];
    date_range: [string, string];
    filters: unknown[];
    dimensions: Dimension[];
    order_by: [string, 'asc' | 'desc'][];
    include: { total_rows?: true; time_labels?: true; imports?: true };
    pagination: { limit: number; offset: number };
  };
}

/**
 * Runs a Stats API v2 query (`POST /api/v2/query`) for one property. The caller has already
 * checked that `site_id` names this property and that the key may read it.
 *
 * @param site the property: its id (domain) and IANA time zone.
 * @param now the current time, which relative date ranges count from; defaults to the clock.
 * @throws StatsQueryError when the body is not a valid query.
 */
export async function runStatsQuery(
  store: EventStore,
  site: { id: string; timezone: string },
  body: unknown,
  now: Date = new Date(),
): Promise<StatsResponse> {
  if (!isValidTimeZone(site.timezone)) {
    throw new Error(`Property ${site.id} has an unknown time zone '${site.timezone}'; expected an IANA name such as Europe/Berlin`);
  }
  const request = validateStatsRequest(body);
  await checkPatterns(store, request.filters);

  const firstEventMs = request.dateRange.kind === 'period' && request.dateRange.period === 'all' ? await findFirstEvent(store, site.id) : null;
  const dateRange = resolveDateRange(request.dateRange, site.timezone, now, firstEventMs);
  const query = resolveStatsQuery({ ...request, siteId: site.id }, site.timezone, dateRange);

  const scanRanges = canReadSessionTable(query) ? await findScanRanges(store, query) : [];
  const statement = buildStatsSql(query, true, scanRanges);
  const rows = await store.query(statement.text, statement.params);
  const results = rows.map((row) => ({
    metrics: query.metrics.map((metric) => Number(row[metricAlias(metric)] ?? 0)),
    dimensions: query.dimensions.map((_, index) => String(row[dimensionAlias(index)])),
  }));

  const meta: StatsResponse['meta'] = {};
  if (query.include.timeLabels) {
    const timeDimension = query.dimensions.find(isTimeDimension);
    if (timeDimension !== undefined) meta.time_labels = timeLabels(timeDimension, query.dateRange);
  }
  if (query.include.totalRows) meta.total_rows = await countRows(store, query, rows);

  return { results, meta, query: echoQuery(query, request.siteId) };
}

async function countRows(store: EventStore, query: StatsQuery, rows: Record<string, unknown>[]): Promise<number> {
  const first = rows[0];
  if (first !== undefined) return Number(first[TOTAL_ROWS_ALIAS]);
  if (query.pagination.offset === 0) return 0;
  // The page is past the last row, so the rows carry no count: count without pagination.
  const statement = buildStatsSql(query, false);
  const counted = await store.query(`SELECT count(*) AS n FROM (${statement.text})`, statement.params);
  return Number(counted[0]?.n ?? 0);
}

async function findFirstEvent(store: EventStore, siteId: string): Promise<number | null> {
  const statement = sql`SELECT epoch_ms(min(${trustedSql(EVENTS.timestamp)})) AS first_ms FROM ${trustedSql(EVENTS.table)} WHERE ${trustedSql(EVENTS.siteId)} = ${siteId}`;
  const rows = await store.query(statement.text, statement.params);
  const value = rows[0]?.first_ms;
  return value === null || value === undefined ? null : Number(value);
}

/**
 * Compiles every `matches` pattern once in the database, so an invalid regular expression is
 * reported as a problem with the request rather than as a failed query. Patterns use RE2
 * syntax, as in Plausible.
 */
async function checkPatterns(store: EventStore, filters: readonly Filter[]): Promise<void> {
  const problems: StatsQueryProblem[] = [];
  const visit = async (filter: Filter): Promise<void> => {
    if (filter.kind === 'simple') {
      if (filter.operator !== 'matches' && filter.operator !== 'matches_not') return;
      for (const [index, pattern] of filter.values.entries()) {
        try {
          await store.query("SELECT regexp_matches('', ?) AS matched", [pattern]);
        } catch (error) {
          // Only a failed query means a bad pattern; a closed or failing store is not the caller's fault.
          if (!(error instanceof StorageError) || error.code !== 'STORAGE_QUERY_FAILED') throw error;
          const reason = error.message.replace(/^.*Error:\s*/, '');
          problems.push({ path: `${filter.valuesPath}/${index}`, message: `invalid regular expression (RE2 syntax): ${reason}` });
        }
      }
    } else if (filter.kind === 'not') {
      await visit(filter.child);
    } else {
      for (const child of filter.children) await visit(child);
    }
  };
  for (const filter of filters) await visit(filter);
  if (problems.length > 0) throw new StatsQueryError(problems);
}

function echoQuery(query: StatsQuery, requestedSiteId: string): StatsResponse['query'] {
  const include: StatsResponse['query']['include'] = {};
  if (query.include.totalRows) include.total_rows = true;
  if (query.include.timeLabels) include.time_labels = true;
  if (query.include.imports) include.imports = true;
  return {
    site_id: requestedSiteId,
    metrics: query.metrics,
    date_range: query.dateRange.echo,
    filters: query.rawFilters,
    dimensions: query.dimensions,
    order_by: query.orderBy.map(([key, direction]) => [key, direction]),
    include,
    pagination: query.pagination,
  };
}
