import { PAGEVIEW_EVENT_NAME } from '../domain.js';
import { SESSION_METRICS, isTimeDimension, type Dimension, type Metric } from './catalogue.js';
import { EVENTS } from './columns.js';
import {
  EVENT_ALIAS as E,
  SESSION_ALIAS as S,
  SESSION_COLUMNS,
  filterSql,
  filtersMention,
  timeLabelSql,
  type ExpressionContext,
} from './expressions.js';
import {
  EVENT_PART,
  SESSION_PART,
  SESSION_TOTALS,
  dimensionAlias,
  dimensionsSelect,
  groupBySql,
  sessionsSql,
  whereSql,
} from './query-parts.js';
import { canReadSessionTable, sessionTableCtes, type ScanRange } from './session-table-sql.js';
import { joinSql, sql, trustedSql, type SqlFragment } from './sql.js';
import type { StatsQuery } from './stats-query.js';
import { offsetSegments } from './time-zone.js';

export { dimensionAlias };

/** Column alias of a metric in the final select. */
export function metricAlias(metric: Metric): string {
  return `metric_${metric}`;
}

export const TOTAL_ROWS_ALIAS = 'total_rows';

const MATCHED_SESSIONS = 'matched_sessions';

/**
 * Builds the SQL of a Stats API query. Event metrics (visitors, pageviews, events) are
 * counted straight from event rows; only session metrics, and the exit page, aggregate events
 * per session first. When both kinds are requested, the two parts are grouped separately and
 * joined on their dimension values.
 *
 * @param paginate false to leave out LIMIT and OFFSET (for counting rows).
 * @param scanRanges where the events of sessions that the `sessions` table cannot give lie,
 *   from `findScanRanges`; without them those sessions' events are searched in the whole range.
 */
export function buildStatsSql(query: StatsQuery, paginate = true, scanRanges: readonly ScanRange[] = []): SqlFragment {
  const eventMetrics = query.metrics.filter((metric) => !SESSION_METRICS.has(metric));
  const sessionMetrics = query.metrics.filter((metric) => SESSION_METRICS.has(metric));

  const ctes: SqlFragment[] = [];
  if (canReadSessionTable(query)) {
    ctes.push(...sessionTableCtes(query, eventMetrics.length > 0, sessionMetrics.length > 0, scanRanges));
  } else {
    ctes.push(...eventCtes(query, eventMetrics, sessionMetrics));
  }
  const parts = [...(eventMetrics.length > 0 ? [EVENT_PART] : []), ...(sessionMetrics.length > 0 ? [SESSION_PART] : [])];
  const dimensionColumns = query.dimensions.map((dimension, index) => {
    const alias = dimensionAlias(index);
    const value = trustedSql(parts.length === 1 ? `${parts[0]}.${alias}` : `coalesce(${EVENT_PART}.${alias}, ${SESSION_PART}.${alias})`);
    return sql`${isTimeDimension(dimension) ? timeLabelSql(dimension, value) : value} AS ${trustedSql(alias)}`;
  });
  const metricColumns = query.metrics.map((metric) => sql`${metricSql(metric)} AS ${trustedSql(metricAlias(metric))}`);

  const select = joinSql([...dimensionColumns, ...metricColumns, trustedSql(`count(*) OVER () AS ${TOTAL_ROWS_ALIAS}`)], ', ');
  const pagination = paginate ? sql` LIMIT ${query.pagination.limit} OFFSET ${query.pagination.offset}` : sql``;
  return sql`WITH ${joinSql(ctes, ', ')} SELECT ${select} FROM ${fromSql(parts, query.dimensions.length)} ORDER BY ${orderBySql(query)}${pagination}`;
}

/** Builds the parts of a query from events alone (see `buildStatsSql`). */
function eventCtes(query: StatsQuery, eventMetrics: readonly Metric[], sessionMetrics: readonly Metric[]): SqlFragment[] {
  const needsSessions =
    sessionMetrics.length > 0 ||
    query.dimensions.includes('visit:exit_page') ||
    filtersMention(query.filters, 'visit:exit_page');
  const ctes: SqlFragment[] = [];
  if (needsSessions) ctes.push(sql`${trustedSql(SESSION_TOTALS)} AS (${sessionsSql(query)})`);
  if (eventMetrics.length > 0) ctes.push(sql`${trustedSql(EVENT_PART)} AS (${eventPartSql(query, eventMetrics)})`);
  if (sessionMetrics.length > 0) {
    if (sessionsMatchWithoutEvents(query)) {
      ctes.push(sql`${trustedSql(SESSION_PART)} AS (${sessionPartSql(query, null)})`);
    } else {
      ctes.push(sql`${trustedSql(MATCHED_SESSIONS)} AS (${matchedSessionsSql(query)})`);
      ctes.push(sql`${trustedSql(SESSION_PART)} AS (${sessionPartSql(query, MATCHED_SESSIONS)})`);
    }
  }

  return ctes;
}


/** Returns whether the dimensions or filters read the exit page, a column of `session_totals`. */
function mentionsExitPage(query: StatsQuery): boolean {
  return query.dimensions.includes('visit:exit_page') || filtersMention(query.filters, 'visit:exit_page');
}

/**
 * Returns whether session metrics can be read from `session_totals` alone. That holds without
 * filters when every dimension comes from the session aggregate (the exit page, or a time
 * bucket of the start), because then each session falls in exactly one group.
 */
function sessionsMatchWithoutEvents(query: StatsQuery): boolean {
  return (
    query.filters.length === 0 &&
    query.dimensions.every((dimension) => dimension === 'visit:exit_page' || isTimeDimension(dimension))
  );
}

function eventsFrom(joinSessions: boolean): SqlFragment {
  const events = trustedSql(`${EVENTS.table} ${E}`);
  return joinSessions
    ? sql`${events} JOIN ${trustedSql(`${SESSION_TOTALS} ${S} ON ${S}.${EVENTS.sessionId} = ${E}.${EVENTS.sessionId}`)}`
    : events;
}

/** Counts event metrics per group, visitors with an exact `count(DISTINCT)`. */
function eventPartSql(query: StatsQuery, metrics: readonly Metric[]): SqlFragment {
  const context: ExpressionContext = {
    offsets: offsetSegments(query.dateRange.startMs, query.dateRange.endMs, query.timeZone),
    firstDate: query.dateRange.firstDate,
    timeSource: 'event',
    pageIsEntryPage: false,
  };
  const aggregates = metrics.map((metric) => {
    switch (metric) {
      case 'visitors':
        return trustedSql(`count(DISTINCT ${E}.${EVENTS.visitorId}) AS visitors`);
      case 'pageviews':
        return sql`count(*) FILTER (WHERE ${trustedSql(`${E}.${EVENTS.name}`)} = ${PAGEVIEW_EVENT_NAME}) AS pageviews`;
      default:
        return trustedSql('count(*) AS events');
    }
  });
  const select = joinSql([...dimensionsSelect(query.dimensions, context), ...aggregates], ', ');
  return sql`SELECT ${select} FROM ${eventsFrom(mentionsExitPage(query))} WHERE ${whereSql(query, query.filters, context)}${groupBySql(query.dimensions.length)}`;
}

/**
 * Sessions with at least one event that passes the filters, once per group they fall in.
 * Grouped by `event:page`, a session falls in its entry page's group, and filters on
 * `event:page` then apply to the entry page too (as Plausible). A filter on `event:page`
 * restricts bounce rate to sessions that entered on a matching page (as Plausible), hence
 * `counts_for_bounce_rate`.
 */
function matchedSessionsSql(query: StatsQuery): SqlFragment {
  const pageIsEntryPage = query.dimensions.includes('event:page');
  const dimensionContext: ExpressionContext = {
    offsets: offsetSegments(query.dateRange.startMs, query.dateRange.endMs, query.timeZone),
    firstDate: query.dateRange.firstDate,
    timeSource: 'session-start',
    pageIsEntryPage: true,
  };
  const filterContext: ExpressionContext = { ...dimensionContext, pageIsEntryPage };
  const pageFilters = query.filters.filter((filter) => filter.kind === 'simple' && filter.dimension === 'event:page');
  const bounceCondition =
    pageFilters.length === 0
      ? sql`true`
      : joinSql(
          pageFilters.map((filter) => filterSql(filter, { ...dimensionContext, pageIsEntryPage: true })),
          ' AND ',
        );
  const select = joinSql(
    [
      ...dimensionsSelect(query.dimensions, dimensionContext),
      trustedSql(`${E}.${EVENTS.sessionId}`),
      sql`${bounceCondition} AS counts_for_bounce_rate`,
    ],
    ', ',
  );
  const joinSessions = mentionsExitPage(query) || query.dimensions.some(isTimeDimension);
  return sql`SELECT DISTINCT ${select} FROM ${eventsFrom(joinSessions)} WHERE ${whereSql(query, query.filters, filterContext)}`;
}

/**
 * Aggregates session metrics per group, over the sessions in `matched` joined to their
 * totals, or with `matched` null straight over `session_totals` (see
 * `sessionsMatchWithoutEvents`), where every session counts for the bounce rate.
 */
function sessionPartSql(query: StatsQuery, matched: string | null): SqlFragment {
  const column = (name: string): string => `${S}.${name}`;
  const countsForBounceRate = matched === null ? 'true' : `${matched}.counts_for_bounce_rate`;
  const aggregates = trustedSql(
    [
      'count(*) AS visits',
      `count(*) FILTER (WHERE ${countsForBounceRate}) AS bounce_rate_visits`,
      `count(*) FILTER (WHERE ${countsForBounceRate} AND ${column(SESSION_COLUMNS.interactions)} <= 1) AS bounces`,
      `sum(date_diff('second', ${column(SESSION_COLUMNS.start)}, ${column(SESSION_COLUMNS.end)})) AS duration_seconds`,
      `sum(${column(SESSION_COLUMNS.pageviews)}) AS session_pageviews`,
    ].join(', '),
  );
  if (matched === null) {
    const context: ExpressionContext = {
      offsets: offsetSegments(query.dateRange.startMs, query.dateRange.endMs, query.timeZone),
      firstDate: query.dateRange.firstDate,
      timeSource: 'session-start',
      pageIsEntryPage: true,
    };
    const select = joinSql([...dimensionsSelect(query.dimensions, context), aggregates], ', ');
    return sql`SELECT ${select} FROM ${trustedSql(`${SESSION_TOTALS} ${S}`)}${groupBySql(query.dimensions.length)}`;
  }
  const dimensions = query.dimensions.map((_, index) => trustedSql(`${matched}.${dimensionAlias(index)}`));
  return sql`SELECT ${joinSql([...dimensions, aggregates], ', ')} FROM ${trustedSql(`${matched} JOIN ${SESSION_TOTALS} ${S} ON ${S}.${EVENTS.sessionId} = ${matched}.${EVENTS.sessionId}`)}${groupBySql(query.dimensions.length)}`;
}

function fromSql(parts: readonly string[], dimensionCount: number): SqlFragment {
  if (parts.length === 1) return trustedSql(parts[0] as string);
  if (dimensionCount === 0) return trustedSql(`${EVENT_PART} CROSS JOIN ${SESSION_PART}`);
  const on = Array.from({ length: dimensionCount }, (_, index) => {
    const alias = dimensionAlias(index);
    return `${EVENT_PART}.${alias} IS NOT DISTINCT FROM ${SESSION_PART}.${alias}`;
  }).join(' AND ');
  return trustedSql(`${EVENT_PART} FULL OUTER JOIN ${SESSION_PART} ON ${on}`);
}

/**
 * Metric expressions over the joined parts, rounded as Plausible rounds them (half to even,
 * as ClickHouse rounds floats): bounce rate and visit duration to whole numbers, views per
 * visit to two decimals; 0 where there are no visits.
 */
function metricSql(metric: Metric): SqlFragment {
  const part = SESSION_METRICS.has(metric) ? SESSION_PART : EVENT_PART;
  switch (metric) {
    case 'bounce_rate':
      return trustedSql(
        `CASE WHEN ${part}.bounce_rate_visits > 0 THEN round_even(100.0 * ${part}.bounces / ${part}.bounce_rate_visits, 0) ELSE 0 END`,
      );
    case 'visit_duration':
      return trustedSql(
        `CASE WHEN ${part}.visits > 0 THEN round_even(CAST(${part}.duration_seconds AS DOUBLE) / ${part}.visits, 0) ELSE 0 END`,
      );
    case 'views_per_visit':
      return trustedSql(
        `CASE WHEN ${part}.visits > 0 THEN round_even(CAST(${part}.session_pageviews AS DOUBLE) / ${part}.visits, 2) ELSE 0 END`,
      );
    default:
      return trustedSql(`CAST(coalesce(${part}.${metric}, 0) AS DOUBLE)`);
  }
}

/** Builds the requested ordering, then every dimension ascending, so that pages are stable. */
function orderBySql(query: StatsQuery): SqlFragment {
  const keyAlias = (key: string): string => {
    const index = query.dimensions.indexOf(key as Dimension);
    return index >= 0 ? dimensionAlias(index) : metricAlias(key as Metric);
  };
  const terms = query.orderBy.map(([key, direction]) => `${keyAlias(key)} ${direction === 'asc' ? 'ASC' : 'DESC'}`);
  query.dimensions.forEach((_, index) => terms.push(`${dimensionAlias(index)} ASC`));
  if (terms.length === 0) terms.push('1');
  return trustedSql(terms.join(', '));
}
