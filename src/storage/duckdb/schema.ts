/**
 * DuckDB schema for events, applied as numbered migrations (see `migrate.ts`).
 *
 * One row per event. Timestamps are UTC; reports convert them to the property's time zone at
 * query time. Session attributes (entry page, referrer, source, UTM, click-id parameter) are
 * copied from the session's first event onto every event of the session at ingest, so visit
 * filters and most visit dimensions need no join. Exit page, visit duration and bounces are
 * computed per `session_id` at query time.
 */
export const EVENTS_TABLE = 'events';

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
];
