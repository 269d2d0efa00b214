/**
 * Domain constants and types shared by the edge, storage, stats and the SQL they generate.
 * Terms follow the glossary: a property (site) is identified by its domain, the edge is the
 * ingest server, a route is how an event arrived, a device class is the only trace of the
 * user-agent that is kept.
 */

/** Device classes: the only trace of a user-agent that survives the edge. */
export const DEVICE_CLASSES = ['mobile', 'tablet', 'desktop', 'bot'] as const;
export type DeviceClass = (typeof DEVICE_CLASSES)[number];
export const BOT_DEVICE_CLASS: DeviceClass = 'bot';

/** Routes: through the property's verified first-party host, or through a public ingest host. */
export const ROUTES = ['first-party', 'standard'] as const;
export type Route = (typeof ROUTES)[number];

/** The event name of a pageview, as in Plausible's Events API. */
export const PAGEVIEW_EVENT_NAME = 'pageview';

/** Sessions end after this many milliseconds without an event. */
export const SESSION_TIMEOUT_MS = 30 * 60 * 1000;

/** UTM parameters the edge parses from the page URL, in storage column order. */
export const UTM_PARAMETERS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'] as const;
export type UtmParameter = (typeof UTM_PARAMETERS)[number];

/**
 * A minimised event, as the edge hands it to storage. Nothing here identifies a person
 * directly: no IP address, no user-agent, no cookie value.
 */
export interface StoredEvent {
  /** Property domain, the property's id. */
  siteId: string;
  /** When the edge received the event (UTC, milliseconds since the epoch). */
  timestamp: number;
  /** `pageview` or a custom event name. */
  name: string;
  /** Host of the page URL, lower case, without `www.`. */
  hostname: string;
  /** Path of the page URL, without query or fragment. */
  pathname: string;
  /**
   * Pseudonymous visitor id: 64 bits of a daily-salted hash (`src/edge/visitor.ts`), or of a
   * hash of the first-party visitor cookie in the consent-cookies mode.
   */
  visitorId: bigint;
  /**
   * Session id: 64 random bits kept while the visitor has an event at least every 30 minutes,
   * or a hash of the first-party session cookie in the consent-cookies mode.
   */
  sessionId: bigint;
  route: Route;
  device: DeviceClass;
  /** ISO 3166-1 alpha-2 country code from the truncated address, or null. */
  country: string | null;
  /** ISO 3166-2 subdivision code (for example `DE-BY`) where the geo database has it, or null. */
  region: string | null;
  /** Session attributes, copied from the session's first event onto each of its events. */
  session: SessionAttributes;
  /** Custom properties: string keys and string values. */
  props: Record<string, string>;
  /** Revenue attached to a custom event, or null. */
  revenue: Revenue | null;
  /** False for events that must not prevent a bounce (Plausible's `interactive: false`). */
  interactive: boolean;
}

export interface Revenue {
  /** Decimal amount as a string, to keep the currency's precision. */
  amount: string;
  /** ISO 4217 currency code, upper case. */
  currency: string;
}

/** What a session keeps from its first event. */
export interface SessionAttributes {
  /** Pathname of the session's first pageview. */
  entryPage: string;
  /** Referrer reduced to host and path (no query, no fragment), or null for direct traffic. */
  referrer: string | null;
  /** Named source (`Google`, `Facebook`, a host) from the referrer or `utm_source`, or null. */
  referrerSource: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmContent: string | null;
  utmTerm: string | null;
  /** Name of the click-id parameter the landing URL had (`gclid`, `fbclid`, ...), never its value. */
  clickIdParameter: string | null;
}
