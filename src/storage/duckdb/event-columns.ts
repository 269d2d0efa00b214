import {
  BOOLEAN,
  DECIMAL,
  DuckDBDecimalValue,
  DuckDBTimestampValue,
  TIMESTAMP,
  UBIGINT,
  VARCHAR,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { StoredEvent } from '../../domain.js';

const REVENUE_WIDTH = 18;
const REVENUE_SCALE = 4;

interface EventColumn {
  name: string;
  type: DuckDBType;
  read: (event: StoredEvent) => DuckDBValue;
}

/** Columns of the `events` table in table order, with how each is read from a stored event. */
export const EVENT_COLUMNS: readonly EventColumn[] = [
  { name: 'site_id', type: VARCHAR, read: (e) => e.siteId },
  { name: 'ts', type: TIMESTAMP, read: (e) => new DuckDBTimestampValue(BigInt(Math.trunc(e.timestamp)) * 1000n) },
  { name: 'name', type: VARCHAR, read: (e) => e.name },
  { name: 'hostname', type: VARCHAR, read: (e) => e.hostname },
  { name: 'pathname', type: VARCHAR, read: (e) => e.pathname },
  { name: 'visitor_id', type: UBIGINT, read: (e) => e.visitorId },
  { name: 'session_id', type: UBIGINT, read: (e) => e.sessionId },
  { name: 'route', type: VARCHAR, read: (e) => e.route },
  { name: 'device', type: VARCHAR, read: (e) => e.device },
  { name: 'country', type: VARCHAR, read: (e) => e.country },
  { name: 'region', type: VARCHAR, read: (e) => e.region },
  { name: 'entry_page', type: VARCHAR, read: (e) => e.session.entryPage },
  { name: 'referrer', type: VARCHAR, read: (e) => e.session.referrer },
  { name: 'referrer_source', type: VARCHAR, read: (e) => e.session.referrerSource },
  { name: 'utm_source', type: VARCHAR, read: (e) => e.session.utmSource },
  { name: 'utm_medium', type: VARCHAR, read: (e) => e.session.utmMedium },
  { name: 'utm_campaign', type: VARCHAR, read: (e) => e.session.utmCampaign },
  { name: 'utm_content', type: VARCHAR, read: (e) => e.session.utmContent },
  { name: 'utm_term', type: VARCHAR, read: (e) => e.session.utmTerm },
  { name: 'click_id_param', type: VARCHAR, read: (e) => e.session.clickIdParameter },
  { name: 'props', type: VARCHAR, read: (e) => JSON.stringify(e.props) },
  {
    name: 'revenue_amount',
    type: DECIMAL(REVENUE_WIDTH, REVENUE_SCALE),
    read: (e) => (e.revenue === null ? null : parseRevenueAmount(e.revenue.amount)),
  },
  { name: 'revenue_currency', type: VARCHAR, read: (e) => e.revenue?.currency ?? null },
  { name: 'interactive', type: BOOLEAN, read: (e) => e.interactive },
];

export const EVENT_COLUMN_TYPES: readonly DuckDBType[] = EVENT_COLUMNS.map((column) => column.type);

/** Column-major values of the events, in `EVENT_COLUMNS` order. */
export function readEventColumns(events: readonly StoredEvent[]): DuckDBValue[][] {
  return EVENT_COLUMNS.map((column) => events.map(column.read));
}

/**
 * Parses a decimal string (already checked against `REVENUE_AMOUNT_PATTERN`) into an exact
 * DECIMAL(18, 4) value, without a detour through a binary double.
 */
export function parseRevenueAmount(amount: string): DuckDBDecimalValue {
  const negative = amount.startsWith('-');
  const [integerPart = '0', fractionPart = ''] = (negative ? amount.slice(1) : amount).split('.');
  const scaled = BigInt(integerPart + fractionPart.padEnd(REVENUE_SCALE, '0'));
  return new DuckDBDecimalValue(negative ? -scaled : scaled, REVENUE_WIDTH, REVENUE_SCALE);
}
