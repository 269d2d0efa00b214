import { PAGEVIEW_EVENT_NAME } from '../domain.js';
import { VISIT_DIMENSIONS, type Dimension } from './catalogue.js';
import { EVENTS, SESSIONS } from './columns.js';
import { EVENT_ALIAS as E, SESSION_ALIAS as S, SESSION_COLUMNS, timestampParameter, type ExpressionContext } from './expressions.js';
import { EVENT_PART, SESSION_PART, SESSION_TOTALS, dimensionAlias, dimensionsSelect, groupBySql, scopeSql, sessionsSql } from './query-parts.js';
import { joinSql, sql, trustedSql, type SqlFragment } from './sql.js';
import type { StatsQuery } from './stats-query.js';
import type { EventStore } from '../storage/event-store.js';

const IRREGULAR_INTERVALS = 'irregular_intervals';
const COVERED_IDS = 'covered_ids';
const UNCOVERED_IDS = 'uncovered_ids';
const REGULAR_SESSIONS = 'regular_sessions';
const IRREGULAR_EVENTS = 'irregular_events';
const SESSION_GROUPS = 'session_groups';

/**
 * Returns whether a query can read the `sessions` table: it has no filters, and every
 * dimension is a visit dimension, whose value a summarised session row contains.
 */
export function canReadSessionTable(query: StatsQuery): boolean {
  return query.filters.length === 0 && query.dimensions.every((dimension) => (VISIT_DIMENSIONS as readonly string[]).includes(dimension));
}

/**
 * Builds `event_part` and `session_part` (as `buildStatsSql` joins them) from session rows
 * where a row gives exactly what the events would, and from events elsewhere.
 *
 * A summarised session is regular when all its events are in the date range, none is from a
 * bot, and all share one visitor and the same visit attributes. Its row then equals what its
 * scoped events give, in every group. Sessions that are pending, cross a range boundary, mix
 * bot and other events, or vary their attributes are counted from their scoped events, as the
 * events-only query counts them. Sessions made only of bot events are out of scope anyway.
 *
 * NOTE: a session that is neither in `sessions` nor in `pending_sessions` is not counted at
 * all. The store's appends and migration 2 mark every session pending, so this holds for data
 * written through the store; rows inserted into `events` by other means must be marked too.
 */
export function sessionTableCtes(
  query: StatsQuery,
  eventPart: boolean,
  sessionPart: boolean,
  scanRanges: readonly ScanRange[] = [],
): SqlFragment[] {
  const start = sql`CAST(${timestampParameter(query.dateRange.startMs)} AS TIMESTAMP)`;
  const end = sql`CAST(${timestampParameter(query.dateRange.endMs)} AS TIMESTAMP)`;
  const column = (name: string): SqlFragment => trustedSql(name);
  const sessionId = column(EVENTS.sessionId);
  const sessionStart = column(SESSION_COLUMNS.start);
  const sessionEnd = column(SESSION_COLUMNS.end);
  const ids = (cte: string): SqlFragment => sql`(SELECT ${sessionId} FROM ${trustedSql(cte)})`;
  const scopedEvents = sql`SELECT * FROM ${trustedSql(`${EVENTS.table} ${E}`)} WHERE ${scopeSql(query)}`;
  const eventSessionId = trustedSql(`${E}.${EVENTS.sessionId}`);

  // Events of covered sessions are read from the scan ranges only, so DuckDB's zone maps skip
  // the rest of the table. Uncovered sessions (none while the ranges are fresh) are read from
  // the whole range. The ranges are disjoint, so no event is read twice.
  const rangeScans = scanRanges.map(
    (range) =>
      sql`${scopedEvents} AND ${trustedSql(`${E}.${EVENTS.timestamp}`)} >= CAST(${timestampParameter(range.startMs)} AS TIMESTAMP) AND ${trustedSql(`${E}.${EVENTS.timestamp}`)} < CAST(${timestampParameter(range.endMs)} AS TIMESTAMP) AND ${eventSessionId} IN ${ids(COVERED_IDS)}`,
  );
  const coveredCondition =
    scanRanges.length === 0
      ? sql`false`
      : joinSql(
          scanRanges.map(
            (range) =>
              sql`(i.lo >= CAST(${timestampParameter(range.startMs)} AS TIMESTAMP) AND i.hi <= CAST(${timestampParameter(range.endMs)} AS TIMESTAMP))`,
          ),
          ' OR ',
        );

  const ctes: SqlFragment[] = [
    sql`${trustedSql(IRREGULAR_INTERVALS)} AS (${irregularIntervalsSql(query)})`,
    sql`${trustedSql(COVERED_IDS)} AS (SELECT ${sessionId} FROM ${trustedSql(IRREGULAR_INTERVALS)} i WHERE ${coveredCondition})`,
    sql`${trustedSql(UNCOVERED_IDS)} AS (SELECT ${sessionId} FROM ${trustedSql(IRREGULAR_INTERVALS)} EXCEPT SELECT ${sessionId} FROM ${trustedSql(COVERED_IDS)})`,
    sql`${trustedSql(REGULAR_SESSIONS)} AS (SELECT * FROM ${trustedSql(SESSIONS.table)} WHERE ${column(EVENTS.siteId)} = ${query.siteId} AND ${sessionStart} >= ${start} AND ${sessionEnd} < ${end} AND ${column(SESSIONS.botEvents)} = 0 AND ${column(SESSIONS.uniform)} AND ${sessionId} NOT IN (SELECT ${sessionId} FROM ${trustedSql(SESSIONS.pendingTable)} WHERE ${column(EVENTS.siteId)} = ${query.siteId}))`,
    sql`${trustedSql(IRREGULAR_EVENTS)} AS (${joinSql([...rangeScans, sql`${scopedEvents} AND ${eventSessionId} IN ${ids(UNCOVERED_IDS)}`], ' UNION ALL ')})`,
    sql`${trustedSql(SESSION_TOTALS)} AS (${sessionsSql(query, IRREGULAR_EVENTS)})`,
  ];
  if (eventPart) ctes.push(sql`${trustedSql(EVENT_PART)} AS (${eventPartSql(query)})`);
  if (sessionPart) {
    ctes.push(sql`${trustedSql(SESSION_GROUPS)} AS (${sessionGroupsSql(query.dimensions)})`);
    ctes.push(sql`${trustedSql(SESSION_PART)} AS (${sessionPartSql(query.dimensions.length)})`);
  }
  return ctes;
}

/** A stretch of time, as UTC milliseconds from `startMs` (inclusive) to `endMs` (exclusive). */
export interface ScanRange {
  startMs: number;
  endMs: number;
}

/**
 * Lists each irregular session (see `sessionTableCtes`) with the stretch of the date range
 * that can contain its scoped events, as `lo` (inclusive) and `hi` (exclusive) timestamps. For
 * a summarised session that is its row's start and end. A pending session may also have events
 * after its pending rows, so its stretch runs to the range's end, and it starts at its old
 * row's start when it has one.
 */
function irregularIntervalsSql(query: StatsQuery): SqlFragment {
  const start = sql`CAST(${timestampParameter(query.dateRange.startMs)} AS TIMESTAMP)`;
  const end = sql`CAST(${timestampParameter(query.dateRange.endMs)} AS TIMESTAMP)`;
  const t = (text: string): SqlFragment => trustedSql(text);
  const pending = sql`SELECT ${t(EVENTS.sessionId)}, min(first_ts) AS first_ts FROM ${t(SESSIONS.pendingTable)} WHERE ${t(EVENTS.siteId)} = ${query.siteId} GROUP BY ${t(EVENTS.sessionId)}`;
  const rows = sql`SELECT ${t(EVENTS.sessionId)}, greatest(${t(SESSION_COLUMNS.start)}, ${start}) AS lo, least(${t(SESSION_COLUMNS.end)} + INTERVAL 1 MICROSECOND, ${end}) AS hi
FROM ${t(SESSIONS.table)}
WHERE ${t(EVENTS.siteId)} = ${query.siteId} AND ${t(SESSION_COLUMNS.end)} >= ${start} AND ${t(SESSION_COLUMNS.start)} < ${end}
  AND ${t(SESSIONS.botEvents)} < ${t(SESSIONS.events)}
  AND (${t(SESSION_COLUMNS.start)} < ${start} OR ${t(SESSION_COLUMNS.end)} >= ${end} OR ${t(SESSIONS.botEvents)} > 0 OR NOT ${t(SESSIONS.uniform)})
  AND ${t(EVENTS.sessionId)} NOT IN (SELECT ${t(EVENTS.sessionId)} FROM ${t(SESSIONS.pendingTable)} WHERE ${t(EVENTS.siteId)} = ${query.siteId})`;
  const pendingStretches = sql`SELECT p.${t(EVENTS.sessionId)}, greatest(least(p.first_ts, coalesce(s.${t(SESSION_COLUMNS.start)}, p.first_ts)), ${start}) AS lo, ${end} AS hi
FROM (${pending}) AS p LEFT JOIN ${t(SESSIONS.table)} s ON s.${t(EVENTS.siteId)} = ${query.siteId} AND s.${t(EVENTS.sessionId)} = p.${t(EVENTS.sessionId)}`;
  return sql`${rows} UNION ALL ${pendingStretches}`;
}

/** Most scan ranges `findScanRanges` returns; closer ranges are merged beyond it. */
const MAX_SCAN_RANGES = 6;

/**
 * Finds disjoint stretches of time that contain the scoped events of every irregular session,
 * as a hint for `sessionTableCtes`. The hint may be stale by the time the report runs, which
 * costs time but not exactness. Stretches are gathered per hour and merged down to
 * `MAX_SCAN_RANGES`, closing the smallest gaps first.
 */
export async function findScanRanges(store: EventStore, query: StatsQuery): Promise<ScanRange[]> {
  const statement = sql`SELECT epoch_ms(min(lo)) AS start_ms, epoch_ms(max(hi)) + 1 AS end_ms FROM (${irregularIntervalsSql(query)}) GROUP BY date_trunc('hour', lo) ORDER BY start_ms`;
  const rows = await store.query(statement.text, statement.params);
  const ranges: ScanRange[] = [];
  for (const row of rows) {
    const range = { startMs: Number(row.start_ms), endMs: Math.min(Number(row.end_ms), query.dateRange.endMs) };
    const last = ranges.at(-1);
    if (last !== undefined && range.startMs <= last.endMs) last.endMs = Math.max(last.endMs, range.endMs);
    else ranges.push(range);
  }
  while (ranges.length > MAX_SCAN_RANGES) {
    let closest = 0;
    for (let index = 1; index < ranges.length - 1; index++) {
      const gap = (ranges[index + 1] as ScanRange).startMs - (ranges[index] as ScanRange).endMs;
      if (gap < (ranges[closest + 1] as ScanRange).startMs - (ranges[closest] as ScanRange).endMs) closest = index;
    }
    const [first, second] = ranges.slice(closest, closest + 2) as [ScanRange, ScanRange];
    ranges.splice(closest, 2, { startMs: first.startMs, endMs: second.endMs });
  }
  return ranges;
}

/** Context for dimensions of a session row, which carries the per-session columns itself. */
const SESSION_ROW_CONTEXT: ExpressionContext = { offsets: [], firstDate: '', timeSource: 'event', pageIsEntryPage: false, sessionAlias: E };
/** Context for dimensions of an irregular event joined to its totals as `s`. */
const EVENT_ROW_CONTEXT: ExpressionContext = { offsets: [], firstDate: '', timeSource: 'event', pageIsEntryPage: false };

function irregularEventsFrom(dimensions: readonly Dimension[]): SqlFragment {
  const events = `${IRREGULAR_EVENTS} ${E}`;
  if (!dimensions.includes('visit:exit_page')) return trustedSql(events);
  return trustedSql(`${events} JOIN ${SESSION_TOTALS} ${S} ON ${S}.${EVENTS.sessionId} = ${E}.${EVENTS.sessionId}`);
}

/**
 * Counts visitors, pageviews and events per group: a regular session adds its visitor and
 * its counts, an irregular event adds its visitor and itself.
 */
function eventPartSql(query: StatsQuery): SqlFragment {
  const dimensions = query.dimensions;
  const isPageview = sql`CASE WHEN ${trustedSql(`${E}.${EVENTS.name}`)} = ${PAGEVIEW_EVENT_NAME} THEN 1 ELSE 0 END`;
  const fromSessions = joinSql(
    [
      ...dimensionsSelect(dimensions, SESSION_ROW_CONTEXT),
      trustedSql(`${E}.${EVENTS.visitorId}, ${E}.${SESSION_COLUMNS.pageviews} AS pageviews, ${E}.${SESSIONS.events} AS events`),
    ],
    ', ',
  );
  const fromEvents = joinSql([...dimensionsSelect(dimensions, EVENT_ROW_CONTEXT), sql`${trustedSql(`${E}.${EVENTS.visitorId}`)}, ${isPageview} AS pageviews, 1 AS events`], ', ');
  const contributions = sql`SELECT ${fromSessions} FROM ${trustedSql(`${REGULAR_SESSIONS} ${E}`)} UNION ALL SELECT ${fromEvents} FROM ${irregularEventsFrom(dimensions)}`;
  const groupColumns = dimensions.map((_, index) => `${dimensionAlias(index)}, `).join('');
  const aggregates = `count(DISTINCT ${EVENTS.visitorId}) AS visitors, sum(pageviews) AS pageviews, sum(events) AS events`;
  return sql`SELECT ${trustedSql(groupColumns + aggregates)} FROM (${contributions}) AS contributions${groupBySql(dimensions.length)}`;
}

/**
 * Lists each session once per group it falls in, with its figures: a regular session in the
 * group of its row, an irregular one in the group of each of its scoped events.
 */
function sessionGroupsSql(dimensions: readonly Dimension[]): SqlFragment {
  const figures = [SESSION_COLUMNS.start, SESSION_COLUMNS.end, SESSION_COLUMNS.pageviews, SESSION_COLUMNS.interactions];
  const aliases = dimensions.map((_, index) => dimensionAlias(index));
  const fromSessions = joinSql(
    [...dimensionsSelect(dimensions, SESSION_ROW_CONTEXT), trustedSql([EVENTS.sessionId, ...figures].map((name) => `${E}.${name}`).join(', '))],
    ', ',
  );
  const irregularGroups = sql`SELECT DISTINCT ${joinSql([...dimensionsSelect(dimensions, EVENT_ROW_CONTEXT), trustedSql(`${E}.${EVENTS.sessionId}`)], ', ')} FROM ${irregularEventsFrom(dimensions)}`;
  const fromEvents = trustedSql(
    [...aliases.map((alias) => `g.${alias}`), `g.${EVENTS.sessionId}`, ...figures.map((name) => `${S}.${name}`)].join(', '),
  );
  return sql`SELECT ${fromSessions} FROM ${trustedSql(`${REGULAR_SESSIONS} ${E}`)} UNION ALL SELECT ${fromEvents} FROM (${irregularGroups}) AS g JOIN ${trustedSql(`${SESSION_TOTALS} ${S} ON ${S}.${EVENTS.sessionId} = g.${EVENTS.sessionId}`)}`;
}

/** Aggregates session metrics per group; without filters every session counts for the bounce rate. */
function sessionPartSql(dimensionCount: number): SqlFragment {
  const aliases = Array.from({ length: dimensionCount }, (_, index) => `${dimensionAlias(index)}, `).join('');
  return trustedSql(
    `SELECT ${aliases}count(*) AS visits, count(*) AS bounce_rate_visits, ` +
      `count(*) FILTER (WHERE ${SESSION_COLUMNS.interactions} <= 1) AS bounces, ` +
      `sum(date_diff('second', ${SESSION_COLUMNS.start}, ${SESSION_COLUMNS.end})) AS duration_seconds, ` +
      `sum(${SESSION_COLUMNS.pageviews}) AS session_pageviews ` +
      `FROM ${SESSION_GROUPS}${groupBySql(dimensionCount).text}`,
  );
}
