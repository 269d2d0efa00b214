/**
 * Session summaries: one row per session in `sessions`, computed from the session's events.
 *
 * Each committed batch adds a row to `pending_sessions` for every session it contains, in the
 * batch's own transaction, so a crash never leaves an event that is neither summarised nor
 * pending. `summarizeSessions` later recomputes the sessions that have been idle for longer
 * than the session timeout from all their events, replaces their rows and drops their
 * pending rows, in one transaction. Reports treat pending sessions as not summarised and
 * count them from events, so results are exact whether or not a summary is up to date.
 */
import { BIGINT, DuckDBDataChunk, DuckDBTimestampValue, TIMESTAMP, UBIGINT, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import { BOT_DEVICE_CLASS, PAGEVIEW_EVENT_NAME, SESSION_TIMEOUT_MS, type StoredEvent } from '../../domain.js';
import { EVENTS_TABLE, PENDING_SESSIONS_TABLE, SESSIONS_TABLE } from './schema.js';

/**
 * Extra idle time, beyond the session timeout, before a session is summarised, so that an
 * event still in flight when the timeout passes finds its session pending. Default 5 minutes.
 */
export const SUMMARY_IDLE_MARGIN_MS = 5 * 60 * 1000;

const PENDING_COLUMN_TYPES = [VARCHAR, UBIGINT, TIMESTAMP];
const CHUNK_CAPACITY = 2048;

/** Visit attributes a session row keeps, in `sessions` column order after `uniform`. */
const VISIT_ATTRIBUTES = [
  'entry_page',
  'referrer',
  'referrer_source',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_content',
  'utm_term',
  'country',
  'region',
  'device',
  'route',
] as const;

/**
 * Appends one `pending_sessions` row per session in `events`, with the session's earliest
 * timestamp among them. Call it inside the transaction that appends the events.
 */
export async function markSessionsPending(connection: DuckDBConnection, events: readonly StoredEvent[]): Promise<void> {
  const earliest = new Map<string, { siteId: string; sessionId: bigint; timestamp: number }>();
  for (const event of events) {
    const key = `${event.siteId}\n${event.sessionId}`;
    const known = earliest.get(key);
    if (known === undefined) earliest.set(key, { siteId: event.siteId, sessionId: event.sessionId, timestamp: event.timestamp });
    else known.timestamp = Math.min(known.timestamp, event.timestamp);
  }
  const rows = [...earliest.values()];
  const appender = await connection.createAppender(PENDING_SESSIONS_TABLE);
  try {
    for (let offset = 0; offset < rows.length; offset += CHUNK_CAPACITY) {
      const slice = rows.slice(offset, offset + CHUNK_CAPACITY);
      const chunk = DuckDBDataChunk.create(PENDING_COLUMN_TYPES, slice.length);
      chunk.setColumns([
        slice.map((row) => row.siteId),
        slice.map((row) => row.sessionId),
        slice.map((row) => new DuckDBTimestampValue(BigInt(Math.trunc(row.timestamp)) * 1000n)),
      ]);
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

const SUMMARY_SQL = `
SELECT
  e.site_id,
  e.session_id,
  arg_min(e.visitor_id, e.ts),
  min(e.ts) AS session_start,
  max(e.ts),
  count(*),
  count(*) FILTER (WHERE e.name = '${PAGEVIEW_EVENT_NAME}'),
  count(*) FILTER (WHERE e.name = '${PAGEVIEW_EVENT_NAME}' OR e.interactive),
  count(*) FILTER (WHERE e.device = '${BOT_DEVICE_CLASS}'),
  coalesce(arg_max(e.pathname, e.ts) FILTER (WHERE e.name = '${PAGEVIEW_EVENT_NAME}'), arg_max(e.pathname, e.ts)),
  count(DISTINCT {visitor_id: e.visitor_id, ${VISIT_ATTRIBUTES.map((name) => `${name}: e.${name}`).join(', ')}}) = 1,
  ${VISIT_ATTRIBUTES.map((name) => `arg_min({value: e.${name}}, e.ts).value`).join(',\n  ')}
FROM ${EVENTS_TABLE} e
JOIN due_sessions d ON e.site_id = d.site_id AND e.session_id = d.session_id
WHERE e.ts >= epoch_ms($1)
GROUP BY e.site_id, e.session_id`;

/**
 * Summarises every pending session whose latest pending row is older than `idleBeforeMs`
 * (UTC milliseconds), in one transaction on `connection`, which must not be inside one.
 * The default cut-off leaves sessions that may still receive events pending.
 *
 * @returns the number of sessions summarised or, when no events of theirs are left, removed.
 */
export async function summarizeSessions(
  connection: DuckDBConnection,
  idleBeforeMs: number = Date.now() - SESSION_TIMEOUT_MS - SUMMARY_IDLE_MARGIN_MS,
): Promise<number> {
  await connection.run('BEGIN TRANSACTION');
  try {
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE due_sessions AS
       SELECT site_id, session_id, min(first_ts) AS first_ts FROM ${PENDING_SESSIONS_TABLE}
       GROUP BY site_id, session_id HAVING max(first_ts) < epoch_ms($1)`,
      [BigInt(Math.trunc(idleBeforeMs))],
      [BIGINT],
    );
    // Rows of a summarised session are rebuilt from all its events, the earliest of which is
    // at its old row's start, or at its first pending row when it has no row yet.
    const bound = await connection.runAndReadAll(
      `SELECT count(*) AS due, epoch_ms(min(least(d.first_ts, coalesce(s.session_start, d.first_ts)))) AS since
       FROM due_sessions d LEFT JOIN ${SESSIONS_TABLE} s ON s.site_id = d.site_id AND s.session_id = d.session_id`,
    );
    const [due, since] = bound.getRows()[0] as [bigint, bigint | null];
    if (due > 0n && since !== null) {
      await connection.run(`CREATE OR REPLACE TEMP TABLE summarised_sessions AS ${SUMMARY_SQL}`, [since], [BIGINT]);
      await connection.run(
        `DELETE FROM ${SESSIONS_TABLE} USING due_sessions d
         WHERE ${SESSIONS_TABLE}.site_id = d.site_id AND ${SESSIONS_TABLE}.session_id = d.session_id`,
      );
      // In start order, so that zone maps on the start prune scans of a date range and the
      // timestamps compress well.
      await connection.run(`INSERT INTO ${SESSIONS_TABLE} SELECT * FROM summarised_sessions ORDER BY session_start`);
      await connection.run(
        `DELETE FROM ${PENDING_SESSIONS_TABLE} USING due_sessions d
         WHERE ${PENDING_SESSIONS_TABLE}.site_id = d.site_id AND ${PENDING_SESSIONS_TABLE}.session_id = d.session_id`,
      );
      await connection.run('DROP TABLE summarised_sessions');
    }
    await connection.run('DROP TABLE due_sessions');
    await connection.run('COMMIT');
    return Number(due);
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * SQL that marks as pending every session of property `$1` with events before `$2` (UTC
 * milliseconds). Run it in the transaction of a retention delete of those events, so that the
 * next `summarizeSessions` rebuilds or removes their rows.
 */
export const MARK_SESSIONS_BEFORE_SQL = `
INSERT INTO ${PENDING_SESSIONS_TABLE}
SELECT site_id, session_id, min(ts) FROM ${EVENTS_TABLE}
WHERE site_id = $1 AND ts < epoch_ms($2)
GROUP BY site_id, session_id`;
