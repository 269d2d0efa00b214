/**
 * DuckDB schema for events, applied as numbered migrations (see `migrate.ts`).
 *
 * One row per event. Timestamps are UTC; reports convert them to the property's time zone at
 * query time. Session attributes (entry page, referrer, source, UTM, click-id parameter) are
 * copied from the session's first event onto every event of the session at ingest, so visit
 * filters and most visit dimensions need no join. Exit page, visit duration and bounces are
 * computed per `session_id`, at query time or ahead of it in the `sessions` table.
 */
export const EVENTS_TABLE = 'events';

/**
 * One row per session summarised from its events (see `session-summaries.ts`), so reports
 * need not aggregate every event per session. Visit attribute columns have the names of the
 * events table's columns, and the figures are named as the stats module's per-session
 * aggregate names them, so the same SQL expressions read either.
 */
export const SESSIONS_TABLE = 'sessions';

/**
 * Sessions with events not yet summarised in `sessions`: one row per session and committed
 * batch, written in the batch's transaction. Reports recount these sessions from events.
 */
export const PENDING_SESSIONS_TABLE = 'pending_sessions';

export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE events (
  site_id          VARCHAR   NOT NULL,
  ts               TIMESTAMP NOT NULL,
  name             VARCHAR   NOT NULL,
  hostname         VARCHAR   NOT NULL,
  pathname         VARCHAR   NOT NULL,
  visitor_id       UBIGINT   NOT NULL,
  session_id       UBIGINT   NOT NULL,
  route            VARCHAR   NOT NULL,
  device           VARCHAR   NOT NULL,
  country          VARCHAR,
  region           VARCHAR,
  entry_page       VARCHAR   NOT NULL,
  referrer         VARCHAR,
  referrer_source  VARCHAR,
  utm_source       VARCHAR,
  utm_medium       VARCHAR,
  utm_campaign     VARCHAR,
  utm_content      VARCHAR,
  utm_term         VARCHAR,
  click_id_param   VARCHAR,
  props            VARCHAR   NOT NULL,
  revenue_amount   DECIMAL(18, 4),
  revenue_currency VARCHAR,
  interactive      BOOLEAN   NOT NULL
);`,
  },
  {
    version: 2,
    sql: `
CREATE TABLE sessions (
  site_id              VARCHAR   NOT NULL,
  session_id           UBIGINT   NOT NULL,
  visitor_id           UBIGINT   NOT NULL,
  session_start        TIMESTAMP NOT NULL,
  session_end          TIMESTAMP NOT NULL,
  session_events       UINTEGER  NOT NULL,
  session_pageviews    UINTEGER  NOT NULL,
  session_interactions UINTEGER  NOT NULL,
  session_bot_events   UINTEGER  NOT NULL,
  session_exit_page    VARCHAR   NOT NULL,
  uniform              BOOLEAN   NOT NULL,
  entry_page           VARCHAR   NOT NULL,
  referrer             VARCHAR,
  referrer_source      VARCHAR,
  utm_source           VARCHAR,
  utm_medium           VARCHAR,
  utm_campaign         VARCHAR,
  utm_content          VARCHAR,
  utm_term             VARCHAR,
  country              VARCHAR,
  region               VARCHAR,
  device               VARCHAR   NOT NULL,
  route                VARCHAR   NOT NULL
);
CREATE TABLE pending_sessions (
  site_id    VARCHAR   NOT NULL,
  session_id UBIGINT   NOT NULL,
  first_ts   TIMESTAMP NOT NULL
);
INSERT INTO pending_sessions SELECT site_id, session_id, min(ts) FROM events GROUP BY site_id, session_id;`,
  },
];
