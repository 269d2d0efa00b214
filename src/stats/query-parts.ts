/** Pieces shared by the SQL builders of the stats module: scope, grouping, per-session totals. */
import { BOT_DEVICE_CLASS, PAGEVIEW_EVENT_NAME } from '../domain.js';
import type { Dimension, Filter } from './catalogue.js';
import { EVENTS } from './columns.js';
import { EVENT_ALIAS as E, SESSION_COLUMNS, dimensionSql, filterSql, filtersMention, timestampParameter, type ExpressionContext } from './expressions.js';
import { joinSql, sql, trustedSql, type SqlFragment } from './sql.js';
import type { StatsQuery } from './stats-query.js';

/** Event metrics per group. */
export const EVENT_PART = 'event_part';
/** Session metrics per group. */
export const SESSION_PART = 'session_part';
/** One row per session with its figures, named as `SESSION_COLUMNS`. */
export const SESSION_TOTALS = 'session_totals';

/** Column alias of the i-th dimension in every part of the generated query. */
export function dimensionAlias(index: number): string {
  return `dimension_${index}`;
}

/** Conditions every event in the report meets: property, date range and, by default, no bots. */
export function scopeSql(query: StatsQuery): SqlFragment {
  const conditions = [
    sql`${trustedSql(`${E}.${EVENTS.siteId}`)} = ${query.siteId}`,
    sql`${trustedSql(`${E}.${EVENTS.timestamp}`)} >= CAST(${timestampParameter(query.dateRange.startMs)} AS TIMESTAMP)`,
    sql`${trustedSql(`${E}.${EVENTS.timestamp}`)} < CAST(${timestampParameter(query.dateRange.endMs)} AS TIMESTAMP)`,
  ];
  // Any filter on the device class is an explicit choice about bots, so it turns the exclusion off.
  if (!filtersMention(query.filters, 'visit:device')) {
    conditions.push(sql`${trustedSql(`${E}.${EVENTS.device}`)} <> ${BOT_DEVICE_CLASS}`);
  }
  return joinSql(conditions, ' AND ');
}

export function whereSql(query: StatsQuery, filters: readonly Filter[], context: ExpressionContext): SqlFragment {
  return joinSql([scopeSql(query), ...filters.map((filter) => filterSql(filter, context))], ' AND ');
}

export function groupBySql(dimensionCount: number): SqlFragment {
  if (dimensionCount === 0) return sql``;
  return trustedSql(` GROUP BY ${Array.from({ length: dimensionCount }, (_, index) => index + 1).join(', ')}`);
}

export function dimensionsSelect(dimensions: readonly Dimension[], context: ExpressionContext): SqlFragment[] {
  return dimensions.map((dimension, index) => sql`${dimensionSql(dimension, context)} AS ${trustedSql(dimensionAlias(index))}`);
}

/**
 * Builds one row per session in the range, from the events table or from `source`, a subset
 * of its rows under the alias `e`: its start and end, pageviews, interactive events
 * (pageviews and custom events not marked `interactive: false`), and exit page (the pathname
 * of its last pageview, or of its last event when it has no pageview).
 */
export function sessionsSql(query: StatsQuery, source: string = EVENTS.table): SqlFragment {
  const column = (name: string): SqlFragment => trustedSql(`${E}.${name}`);
  const isPageview = sql`${column(EVENTS.name)} = ${PAGEVIEW_EVENT_NAME}`;
  return sql`SELECT ${column(EVENTS.sessionId)},
  min(${column(EVENTS.timestamp)}) AS ${trustedSql(SESSION_COLUMNS.start)},
  max(${column(EVENTS.timestamp)}) AS ${trustedSql(SESSION_COLUMNS.end)},
  count(*) FILTER (WHERE ${isPageview}) AS ${trustedSql(SESSION_COLUMNS.pageviews)},
  count(*) FILTER (WHERE ${isPageview} OR ${column(EVENTS.interactive)}) AS ${trustedSql(SESSION_COLUMNS.interactions)},
  coalesce(arg_max(${column(EVENTS.pathname)}, ${column(EVENTS.timestamp)}) FILTER (WHERE ${isPageview}), arg_max(${column(EVENTS.pathname)}, ${column(EVENTS.timestamp)})) AS ${trustedSql(SESSION_COLUMNS.exitPage)}
FROM ${trustedSql(`${source} ${E}`)} WHERE ${scopeSql(query)} GROUP BY ${column(EVENTS.sessionId)}`;
}
