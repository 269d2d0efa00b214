import { EVENTS_TABLE, PENDING_SESSIONS_TABLE, SESSIONS_TABLE } from '../storage/duckdb/schema.js';

/** The events table and the columns the stats queries read, as named by the DuckDB schema. */
export const EVENTS = {
  table: EVENTS_TABLE,
  siteId: 'site_id',
  timestamp: 'ts',
  name: 'name',
  hostname: 'hostname',
  pathname: 'pathname',
  visitorId: 'visitor_id',
  sessionId: 'session_id',
  route: 'route',
  device: 'device',
  country: 'country',
  region: 'region',
  entryPage: 'entry_page',
  referrer: 'referrer',
  referrerSource: 'referrer_source',
  utmSource: 'utm_source',
  utmMedium: 'utm_medium',
  utmCampaign: 'utm_campaign',
  utmContent: 'utm_content',
  utmTerm: 'utm_term',
  props: 'props',
  interactive: 'interactive',
} as const;

/**
 * The session summary tables. A `sessions` row also has the visit attribute columns of
 * `EVENTS`, `site_id`, `session_id`, `visitor_id` and the columns named in `SESSION_COLUMNS`.
 */
export const SESSIONS = {
  table: SESSIONS_TABLE,
  pendingTable: PENDING_SESSIONS_TABLE,
  events: 'session_events',
  botEvents: 'session_bot_events',
  uniform: 'uniform',
} as const;
