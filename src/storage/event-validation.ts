import { DEVICE_CLASSES, ROUTES, type SessionAttributes, type StoredEvent } from '../domain.js';
import { STORAGE_ERROR_CODES, StorageError } from './errors.js';

/**
 * Revenue amounts every engine stores exactly: up to 14 integer digits and 4 fractional
 * digits, the range of the DuckDB column `revenue_amount DECIMAL(18, 4)`.
 */
export const REVENUE_AMOUNT_PATTERN = /^-?\d{1,14}(\.\d{1,4})?$/;

const NULLABLE_SESSION_FIELDS = [
  'referrer',
  'referrerSource',
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'utmContent',
  'utmTerm',
  'clickIdParameter',
] as const satisfies readonly (keyof SessionAttributes)[];

const UNSIGNED_64_BIT_MAX = (1n << 64n) - 1n;

/**
 * Checks an event before it joins a batch, so that one malformed event is rejected alone
 * instead of failing the commit of every event batched with it.
 *
 * @throws StorageError with code `STORAGE_INVALID_EVENT`, naming the field but not its value.
 */
export function validateStoredEvent(event: StoredEvent): void {
  const fail = (field: string, expected: string): never => {
    throw new StorageError(STORAGE_ERROR_CODES.invalidEvent, `Invalid stored event: ${field} must be ${expected}.`);
  };

  for (const field of ['siteId', 'name', 'hostname', 'pathname'] as const) {
    if (typeof event[field] !== 'string') fail(field, 'a string');
  }
  if (!Number.isFinite(event.timestamp)) fail('timestamp', 'finite milliseconds since the epoch');
  for (const field of ['visitorId', 'sessionId'] as const) {
    const id = event[field];
    if (typeof id !== 'bigint' || id < 0n || id > UNSIGNED_64_BIT_MAX) fail(field, 'an unsigned 64-bit bigint');
  }
  if (!ROUTES.includes(event.route)) fail('route', `one of ${ROUTES.join(', ')}`);
  if (!DEVICE_CLASSES.includes(event.device)) fail('device', `one of ${DEVICE_CLASSES.join(', ')}`);
  for (const field of ['country', 'region'] as const) {
    if (event[field] !== null && typeof event[field] !== 'string') fail(field, 'a string or null');
  }
  if (event.session === null || typeof event.session !== 'object') fail('session', 'an object');
  if (typeof event.session.entryPage !== 'string') fail('session.entryPage', 'a string');
  for (const field of NULLABLE_SESSION_FIELDS) {
    const value = event.session[field];
    if (value !== null && typeof value !== 'string') fail(`session.${field}`, 'a string or null');
  }
  if (event.props === null || typeof event.props !== 'object') fail('props', 'an object');
  for (const value of Object.values(event.props)) {
    if (typeof value !== 'string') fail('props', 'an object of string values');
  }
  if (event.revenue !== null) {
    if (typeof event.revenue.amount !== 'string' || !REVENUE_AMOUNT_PATTERN.test(event.revenue.amount)) {
      fail('revenue.amount', 'a decimal string with at most 14 integer and 4 fractional digits');
    }
    if (typeof event.revenue.currency !== 'string') fail('revenue.currency', 'a string');
  }
  if (typeof event.interactive !== 'boolean') fail('interactive', 'a boolean');
}
