/** Stored events for storage tests. */
import type { StoredEvent } from '../../src/domain.js';

export const BASE_TIME = Date.UTC(2026, 2, 14, 9, 26, 53, 589);
export const UNSIGNED_64_BIT_MAX = (1n << 64n) - 1n;

/** Builds a pageview with every optional field empty, then applies `overrides`. */
export function makeEvent(overrides: Partial<StoredEvent> = {}): StoredEvent {
  return {
    siteId: 'shop.example',
    timestamp: BASE_TIME,
    name: 'pageview',
    hostname: 'shop.example',
    pathname: '/',
    visitorId: 1n,
    sessionId: 1n,
    route: 'standard',
    device: 'desktop',
    country: null,
    region: null,
    session: {
      entryPage: '/',
      referrer: null,
      referrerSource: null,
      utmSource: null,
      utmMedium: null,
      utmCampaign: null,
      utmContent: null,
      utmTerm: null,
      clickIdParameter: null,
    },
    props: {},
    revenue: null,
    interactive: true,
    ...overrides,
  };
}
