import { EVENTS_TABLE } from '../storage/duckdb/schema.js';

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
