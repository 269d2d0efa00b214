/**
 * The edge's minimisation pipeline: the only code that sees raw request data. Each step adds
 * fields or rejects the event; the raw client address and user-agent are used for the
 * visitor hash, the address prefix and the device class, then dropped. What leaves this module
 * is a `StoredEvent`, which holds neither.
 *
 * Consent is enforced before anything is written: `enforceConsent` decides for datakant's
 * storage, and a dropped event is counted and answered like a stored one. In the
 * consent-cookies mode the visitor and session ids are hashes of the edge's first-party
 * cookies instead of the daily hash, so no cookie value reaches the stored event.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { PAGEVIEW_EVENT_NAME, type StoredEvent, type Route } from '../domain.js';
import { HttpError } from '../errors.js';
import { isSameOrSubdomain, normaliseDomain } from '../hostnames.js';
import type { IntakeEvent } from '../intake/payloads.js';
import type { EventStore } from '../storage/event-store.js';
import type { Site } from '../config-store/config-store.js';
import { resolveClientAddress, resolveReportedVisitorAddress, type TrustedProxies } from './client-ip.js';
import { DeviceClassCache } from './device-class-cache.js';
import type { GeoLookup } from './geo.js';
import { sessionAttribution } from './referrer.js';
import type { HostRouter } from './routing.js';
import type { SessionTracker } from './sessions.js';
import { truncateAddress } from './truncate.js';
import type { VisitorHasher } from './visitor.js';
import { decideForSystem, withoutDroppedFields, type SystemDecision } from '../consent/decide.js';
import { planCookies, sessionIdFromCookie, visitorIdFromCookie, type CookieInstruction, type CookiePlan } from '../consent/cookies.js';
import { ConsentDropCounter } from '../consent/drop-counter.js';
import type { ConsentState } from '../consent/purposes.js';
import { mergeConsentSignals } from '../consent/signals.js';

const NO_GEO = { country: null, region: null } as const;

/** Which endpoint an event came through; it decides whose address the request carries. */
export type IntakeSource = 'tracker' | 'events-api';

export interface EdgeRequest {
  source: IntakeSource;
  event: IntakeEvent;
  /** Socket peer address. */
  peerAddress: string;
  host: string | undefined;
  headers: IncomingHttpHeaders;
  /** The request's cookies, parsed; only the edge's own two are read. */
  cookies: Readonly<Record<string, string | undefined>>;
  /** When the edge received the request, UTC milliseconds. */
  receivedAt: number;
}

export interface EdgeDependencies {
  router: HostRouter;
  trustedProxies: TrustedProxies;
  geo: GeoLookup;
  hasher: VisitorHasher;
  sessions: SessionTracker;
  store: EventStore;
}

/** Client-hint request headers passed to the device classifier (RFC 8942, UA-CH). */
const CLIENT_HINT_HEADERS = ['sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform', 'sec-ch-ua-model', 'sec-ch-ua-form-factors'];

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function clientHints(headers: IncomingHttpHeaders): Record<string, string> {
  const hints: Record<string, string> = {};
  for (const name of CLIENT_HINT_HEADERS) {
    const value = headerValue(headers, name);
    if (value !== undefined) hints[name] = value;
  }
  return hints;
}

/** Resolve the route and property of a request, or reject it. */
export function resolveProperty(router: HostRouter, host: string | undefined, domainInput: string): { route: Route; site: Site } {
  const resolution = router.resolve(host);
  if (resolution === null) throw new HttpError('unknown_host');
  const domain = normaliseDomain(domainInput);
  const site = domain === null ? undefined : router.site(domain);
  if (!site) {
    throw new HttpError('unknown_property', [{ path: '/domain', message: `No property "${domainInput}" is registered.` }]);
  }
  if (resolution.site && resolution.site.domain !== site.domain) {
    throw new HttpError('wrong_first_party_host', [
      { path: '/domain', message: `This host serves ${resolution.site.domain}, not ${site.domain}.` },
    ]);
  }
  return { route: resolution.route, site };
}

/** Parse the page URL and check that it belongs to the property. */
export function readPageUrl(url: string, site: Site): URL {
  let page: URL;
  try {
    page = new URL(url);
  } catch {
    throw new HttpError('invalid_body', [{ path: '/url', message: 'Expected an absolute http or https URL.' }]);
  }
  if (page.protocol !== 'http:' && page.protocol !== 'https:') {
    throw new HttpError('invalid_body', [{ path: '/url', message: 'Expected an absolute http or https URL.' }]);
  }
  const host = page.hostname.toLowerCase();
  if (!isSameOrSubdomain(host, site.domain)) {
    throw new HttpError('foreign_page_url', [
      { path: '/url', message: `The page host ${host} is not ${site.domain} or one of its subdomains.` },
    ]);
  }
  return page;
}

/** Outcome of one event: stored or dropped, its consent, and the cookies to send. */
export interface EdgeOutcome {
  /** The stored event, or null when consent kept it from datakant's storage. */
  stored: StoredEvent | null;
  /** The event's merged consent state. */
  consent: ConsentState;
  /** datakant's storage decision. */
  decision: SystemDecision;
  /** `Set-Cookie` instructions for the response; empty unless the first-party cookies apply. */
  cookies: readonly CookieInstruction[];
}

/** True when the request carries `Sec-GPC: 1`, the Global Privacy Control header. */
function globalPrivacyControlHeader(headers: IncomingHttpHeaders): boolean {
  return headerValue(headers, 'sec-gpc')?.trim() === '1';
}

/** Merge the event's consent signals and decide for datakant's storage. */
export function enforceConsent(site: Site, request: EdgeRequest): { consent: ConsentState; decision: SystemDecision } {
  const signals = request.event.consent;
  const consent = mergeConsentSignals({
    ...signals,
    globalPrivacyControl: signals.globalPrivacyControl || globalPrivacyControlHeader(request.headers),
  });
  return { consent, decision: decideForSystem('datakant', site.consent, consent) };
}

/** Select the cookies a response carries: clearing always, new values only for a stored event. */
function responseCookies(plan: CookiePlan, stored: boolean): readonly CookieInstruction[] {
  if (plan.kind === 'clear') return plan.cookies;
  if (plan.kind === 'use' && stored) return plan.cookies;
  return [];
}

export class EdgePipeline {
  /** Events stored per property since start. */
  readonly accepted = new Map<string, number>();
  /** Events consent kept from a system, per property, system and reason. */
  readonly consentDrops = new ConsentDropCounter();

  /** Device classes by salted hash of User-Agent and hints, never by the raw strings. */
  private readonly deviceClasses = new DeviceClassCache();

  constructor(private readonly deps: EdgeDependencies) {}

  /**
   * Minimise one event, enforce the property's consent mapping and store the event durably;
   * resolves once it is committed, or at once when consent drops it.
   */
  async process(request: EdgeRequest): Promise<EdgeOutcome> {
    const { route, site } = resolveProperty(this.deps.router, request.host, request.event.domain);
    const page = readPageUrl(request.event.url, site);

    const userAgent = headerValue(request.headers, 'user-agent')?.trim();
    if (!userAgent) throw new HttpError('missing_user_agent');

    const { consent, decision } = enforceConsent(site, request);
    const cookiePlan = planCookies({
      mode: site.consent.mode,
      route,
      fromTracker: request.source === 'tracker',
      analytics: consent.analytics,
      cookies: request.cookies,
      now: request.receivedAt,
    });
    if (decision.action === 'drop') {
      this.consentDrops.record(site.domain, decision.system, decision.reason);
      return { stored: null, consent, decision, cookies: responseCookies(cookiePlan, false) };
    }

    const forwarding = { forwarded: request.headers.forwarded, 'x-forwarded-for': request.headers['x-forwarded-for'] };
    const clientAddress =
      request.source === 'events-api'
        ? resolveReportedVisitorAddress(request.peerAddress, forwarding, this.deps.trustedProxies)
        : resolveClientAddress(request.peerAddress, forwarding, this.deps.trustedProxies);
    // A socket that closed before the request was handled has no address: no geo then.
    const geo = isIP(clientAddress) ? this.deps.geo.lookup(truncateAddress(clientAddress)) : NO_GEO;
    const device = this.deviceClasses.classify({ userAgent, clientHints: clientHints(request.headers), touch: request.event.touch });
    const visitorId =
      cookiePlan.kind === 'use'
        ? visitorIdFromCookie(site.domain, cookiePlan.visitorValue)
        : await this.deps.hasher.visitorId(request.receivedAt, site.domain, clientAddress, userAgent);
    // The raw address and user-agent end here: nothing below receives them.

    const hostname = page.hostname.toLowerCase().replace(/^www\./, '');
    // With a session cookie, its value names the session. The in-memory session that keeps the
    // first event's attributes is looked up by that value too, so a new session cookie starts
    // new attributes even while the visitor's previous session is still open.
    const cookieSessionId = cookiePlan.kind === 'use' ? sessionIdFromCookie(site.domain, cookiePlan.sessionValue) : null;
    const session = this.deps.sessions.assign(site.domain, cookieSessionId ?? visitorId, request.receivedAt, () => ({
      entryPage: page.pathname,
      ...sessionAttribution(page, request.event.referrer, site.domain),
    }));
    const sessionId = cookieSessionId ?? session.sessionId;

    const minimised: StoredEvent = {
      siteId: site.domain,
      timestamp: request.receivedAt,
      name: request.event.name,
      hostname,
      pathname: page.pathname,
      visitorId,
      sessionId,
      route,
      device,
      country: geo.country,
      region: geo.region,
      session: session.attributes,
      props: request.event.props,
      revenue: request.event.name === PAGEVIEW_EVENT_NAME ? null : request.event.revenue,
      interactive: request.event.interactive,
    };
    const stored = withoutDroppedFields(minimised, decision.droppedFields);
    await this.deps.store.append([stored]);
    this.accepted.set(site.domain, (this.accepted.get(site.domain) ?? 0) + 1);
    return { stored, consent, decision, cookies: responseCookies(cookiePlan, true) };
  }
}
