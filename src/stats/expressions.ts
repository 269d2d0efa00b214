import {
  DIRECT_TRAFFIC_LABEL,
  NOT_SET_LABEL,
  NO_PROPERTY_LABEL,
  PROPS_DIMENSION_PREFIX,
  type Dimension,
  type Filter,
} from './catalogue.js';
import { EVENTS } from './columns.js';
import { joinSql, sql, trustedSql, type SqlFragment } from './sql.js';
import type { OffsetSegment } from './time-zone.js';

/** Alias of the events table in generated SQL. */
export const EVENT_ALIAS = 'e';
/** Alias of the per-session aggregate in generated SQL. */
export const SESSION_ALIAS = 's';

/** Columns of the per-session aggregate (see `build-sql.ts`). */
export const SESSION_COLUMNS = {
  start: 'session_start',
  end: 'session_end',
  pageviews: 'session_pageviews',
  interactions: 'session_interactions',
  exitPage: 'session_exit_page',
} as const;

/**
 * Settings for reading dimensions in one part of a query. An event row (alias `e`) joined to
 * its session (alias `s`, when the query needs it) is in scope.
 */
export interface ExpressionContext {
  /** UTC offsets of the property's time zone over the date range (see `offsetSegments`). */
  offsets: readonly OffsetSegment[];
  /** First local date of the range: weeks that start earlier are labelled with it. */
  firstDate: string;
  /** Instant that time dimensions bucket: the event's timestamp, or its session's start. */
  timeSource: 'event' | 'session-start';
  /** Whether `event:page` means the session's entry page, as in Plausible's session metrics. */
  pageIsEntryPage: boolean;
  /** Alias of the row with the per-session columns (`SESSION_COLUMNS`); default `s`. */
  sessionAlias?: string;
}

function eventColumn(column: string): SqlFragment {
  return trustedSql(`${EVENT_ALIAS}.${column}`);
}

function sessionColumn(column: string, context: ExpressionContext): SqlFragment {
  return trustedSql(`${context.sessionAlias ?? SESSION_ALIAS}.${column}`);
}

/**
 * Local wall-clock time of an instant column in the property's time zone. The offsets come
 * from the JS runtime's time zone data rather than from DuckDB's ICU `timezone()`, which took
 * about ten times as long per row (bench/stats-queries.ts).
 */
function localTime(instant: SqlFragment, context: ExpressionContext): SqlFragment {
  const shift = (offsetMs: number): SqlFragment => sql`to_milliseconds(CAST(${offsetMs} AS BIGINT))`;
  const last = context.offsets.at(-1) as OffsetSegment;
  if (context.offsets.length === 1) return sql`(${instant} + ${shift(last.offsetMs)})`;

  const branches = context.offsets
    .slice(0, -1)
    .map((segment) => sql`WHEN ${instant} < CAST(${timestampParameter(segment.untilMs as number)} AS TIMESTAMP) THEN ${shift(segment.offsetMs)}`);
  return sql`(${instant} + CASE ${joinSql(branches, ' ')} ELSE ${shift(last.offsetMs)} END)`;
}

/** UTC milliseconds as a `YYYY-MM-DD HH:MM:SS.mmm` literal, the form DuckDB casts to TIMESTAMP. */
export function timestampParameter(utcMs: number): string {
  return new Date(utcMs).toISOString().replace('T', ' ').replace('Z', '');
}

/** JSON pointer (RFC 6901) to a top-level key of the props object. */
export function propertyPointer(key: string): string {
  return `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

function orLabel(column: SqlFragment, label: string): SqlFragment {
  return sql`coalesce(nullif(${column}, ''), ${label})`;
}

/**
 * SQL expression for the value of a dimension: never NULL, so that grouping, `is_not` and
 * `contains_not` treat a missing value as its label. Time dimensions give the bucket's start
 * as a local TIMESTAMP; `timeLabelSql` formats it once rows are grouped.
 */
export function dimensionSql(dimension: Dimension, context: ExpressionContext): SqlFragment {
  const instant =
    context.timeSource === 'session-start' ? sessionColumn(SESSION_COLUMNS.start, context) : eventColumn(EVENTS.timestamp);
  switch (dimension) {
    case 'time:hour':
      return sql`date_trunc('hour', ${localTime(instant, context)})`;
    case 'time:day':
      return sql`date_trunc('day', ${localTime(instant, context)})`;
    case 'time:week':
      return sql`greatest(date_trunc('week', ${localTime(instant, context)}), CAST(${context.firstDate} AS TIMESTAMP))`;
    case 'time:month':
      return sql`date_trunc('month', ${localTime(instant, context)})`;
    case 'event:page':
      return context.pageIsEntryPage ? eventColumn(EVENTS.entryPage) : eventColumn(EVENTS.pathname);
    case 'event:hostname':
      return eventColumn(EVENTS.hostname);
    case 'event:name':
      return eventColumn(EVENTS.name);
    case 'visit:source':
      return orLabel(eventColumn(EVENTS.referrerSource), DIRECT_TRAFFIC_LABEL);
    case 'visit:referrer':
      return orLabel(eventColumn(EVENTS.referrer), DIRECT_TRAFFIC_LABEL);
    case 'visit:utm_source':
      return orLabel(eventColumn(EVENTS.utmSource), NOT_SET_LABEL);
    case 'visit:utm_medium':
      return orLabel(eventColumn(EVENTS.utmMedium), NOT_SET_LABEL);
    case 'visit:utm_campaign':
      return orLabel(eventColumn(EVENTS.utmCampaign), NOT_SET_LABEL);
    case 'visit:utm_content':
      return orLabel(eventColumn(EVENTS.utmContent), NOT_SET_LABEL);
    case 'visit:utm_term':
      return orLabel(eventColumn(EVENTS.utmTerm), NOT_SET_LABEL);
    case 'visit:country':
      return orLabel(eventColumn(EVENTS.country), NOT_SET_LABEL);
    case 'visit:region':
      return orLabel(eventColumn(EVENTS.region), NOT_SET_LABEL);
    case 'visit:device':
      return eventColumn(EVENTS.device);
    case 'visit:entry_page':
      return eventColumn(EVENTS.entryPage);
    case 'visit:exit_page':
      return sessionColumn(SESSION_COLUMNS.exitPage, context);
    case 'visit:route':
      return eventColumn(EVENTS.route);
    default: {
      const key = dimension.slice(PROPS_DIMENSION_PREFIX.length);
      return sql`coalesce(json_extract_string(${eventColumn(EVENTS.props)}, ${propertyPointer(key)}), ${NO_PROPERTY_LABEL})`;
    }
  }
}

/** SQL condition for a filter tree, evaluated on one row of the part described by `context`. */
export function filterSql(filter: Filter, context: ExpressionContext): SqlFragment {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return sql`(${joinSql(
        filter.children.map((child) => filterSql(child, context)),
        filter.kind === 'and' ? ' AND ' : ' OR ',
      )})`;
    case 'not':
      return sql`(NOT ${filterSql(filter.child, context)})`;
    case 'simple': {
      const value = dimensionSql(filter.dimension, context);
      const condition = matchAnyValue(filter.operator, value, filter.values, filter.caseSensitive);
      const negated = filter.operator === 'is_not' || filter.operator === 'contains_not' || filter.operator === 'matches_not';
      return negated ? sql`(NOT ${condition})` : condition;
    }
  }
}

function matchAnyValue(
  operator: Extract<Filter, { kind: 'simple' }>['operator'],
  value: SqlFragment,
  values: string[],
  caseSensitive: boolean,
): SqlFragment {
  switch (operator) {
    case 'is':
    case 'is_not': {
      const list = joinSql(values.map((item) => (caseSensitive ? sql`${item}` : sql`lower(${item})`)), ', ');
      return caseSensitive ? sql`(${value} IN (${list}))` : sql`(lower(${value}) IN (${list}))`;
    }
    case 'contains':
    case 'contains_not':
      return sql`(${joinSql(
        values.map((item) => (caseSensitive ? sql`contains(${value}, ${item})` : sql`contains(lower(${value}), lower(${item}))`)),
        ' OR ',
      )})`;
    case 'matches':
    case 'matches_not':
      return sql`(${joinSql(
        values.map((item) => (caseSensitive ? sql`regexp_matches(${value}, ${item})` : sql`regexp_matches(${value}, ${item}, 'i')`)),
        ' OR ',
      )})`;
  }
}

/** Returns whether any filter in the tree is on `dimension`. */
export function filtersMention(filters: readonly Filter[], dimension: Dimension): boolean {
  return filters.some((filter) => {
    switch (filter.kind) {
      case 'simple':
        return filter.dimension === dimension;
      case 'and':
      case 'or':
        return filtersMention(filter.children, dimension);
      case 'not':
        return filtersMention([filter.child], dimension);
    }
  });
}

/** Formats a time bucket as Plausible labels it: `YYYY-MM-DD HH:MM:SS` for hours, else `YYYY-MM-DD`. */
export function timeLabelSql(dimension: Dimension, bucket: SqlFragment): SqlFragment {
  return dimension === 'time:hour' ? sql`strftime(${bucket}, '%Y-%m-%d %H:%M:%S')` : sql`strftime(${bucket}, '%Y-%m-%d')`;
}
