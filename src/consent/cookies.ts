/**
 * First-party cookies set by the edge in the `consent-cookies` mode, and the ids read from them.
 *
 * Both cookies are host-only (no Domain attribute) on the property's first-party host, with
 * `Secure`, `HttpOnly`, `SameSite=Lax` and `Path=/`. The `__Host-` name prefix makes browsers
 * reject them otherwise (cookie name prefixes, RFC 6265bis). Their values are 128 random bits
 * and are never stored, because the stored ids are hashes of them.
 */
import crypto from 'node:crypto';
import type { Route } from '../domain.js';
import { DENIED, GRANTED, type ConsentMode, type ConsentValue } from './purposes.js';

export const VISITOR_COOKIE = '__Host-dk_vid';
export const SESSION_COOKIE = '__Host-dk_sid';

const DAY_SECONDS = 24 * 60 * 60;
/**
 * Visitor cookie lifetime in seconds: 390 days, shorter than any 13 calendar months (at least
 * 393 days). The cookie is set only when missing, so later visits do not extend it.
 */
export const VISITOR_COOKIE_MAX_AGE_SECONDS = 390 * DAY_SECONDS;
/** Session cookie lifetime in seconds: 30 minutes, renewed by every event (sliding). */
export const SESSION_COOKIE_MAX_AGE_SECONDS = 30 * 60;

/** Shape of a cookie value the edge issued: 16 random bytes in base64url. */
const COOKIE_VALUE_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export interface CookieAttributes {
  readonly path: '/';
  readonly secure: true;
  readonly httpOnly: true;
  readonly sameSite: 'lax';
  /** Seconds; 0 deletes the cookie. */
  readonly maxAge: number;
  readonly expires: Date;
}

export interface CookieInstruction {
  readonly name: typeof VISITOR_COOKIE | typeof SESSION_COOKIE;
  /** Empty when the cookie is cleared. */
  readonly value: string;
  readonly attributes: CookieAttributes;
}

/**
 * The edge's plan for its cookies on one event:
 * - `none`: neither reads nor writes them (standard route, Events API, no analytics signal);
 * - `clear`: deletes them (analytics denied, or the property is cookieless);
 * - `use`: takes the visitor and session from these values and sends `cookies` once the
 *   event is stored.
 */
export type CookiePlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'clear'; readonly cookies: readonly CookieInstruction[] }
  | { readonly kind: 'use'; readonly visitorValue: string; readonly sessionValue: string; readonly cookies: readonly CookieInstruction[] };

export interface CookiePlanInput {
  mode: ConsentMode;
  route: Route;
  /** True for the tracker's endpoint; the Events API comes from backends, which hold no cookies. */
  fromTracker: boolean;
  analytics: ConsentValue | undefined;
  /** The request's cookies, parsed. */
  cookies: Readonly<Record<string, string | undefined>>;
  /** Current time, UTC milliseconds. */
  now: number;
}

/** Create a cookie value: 128 random bits, base64url. */
export function newCookieValue(): string {
  return crypto.randomBytes(16).toString('base64url');
}

function validValue(value: string | undefined): string | undefined {
  return value !== undefined && COOKIE_VALUE_PATTERN.test(value) ? value : undefined;
}

function attributes(maxAgeSeconds: number, now: number): CookieAttributes {
  return { path: '/', secure: true, httpOnly: true, sameSite: 'lax', maxAge: maxAgeSeconds, expires: new Date(now + maxAgeSeconds * 1000) };
}

function clearing(now: number): CookieInstruction[] {
  const gone = { ...attributes(0, now), expires: new Date(0) };
  return [
    { name: VISITOR_COOKIE, value: '', attributes: gone },
    { name: SESSION_COOKIE, value: '', attributes: gone },
  ];
}

/** Decide what to do with the edge's cookies for one event; see `CookiePlan`. */
export function planCookies(input: CookiePlanInput): CookiePlan {
  if (input.route !== 'first-party' || !input.fromTracker) return { kind: 'none' };
  const present = input.cookies[VISITOR_COOKIE] !== undefined || input.cookies[SESSION_COOKIE] !== undefined;
  if (input.mode === 'cookieless') {
    // Cookies left from an earlier consent-cookies setting are removed, not read.
    return present ? { kind: 'clear', cookies: clearing(input.now) } : { kind: 'none' };
  }
  if (input.analytics === DENIED) return { kind: 'clear', cookies: clearing(input.now) };
  if (input.analytics !== GRANTED) return { kind: 'none' };

  const cookies: CookieInstruction[] = [];
  let visitorValue = validValue(input.cookies[VISITOR_COOKIE]);
  if (visitorValue === undefined) {
    visitorValue = newCookieValue();
    cookies.push({ name: VISITOR_COOKIE, value: visitorValue, attributes: attributes(VISITOR_COOKIE_MAX_AGE_SECONDS, input.now) });
  }
  const sessionValue = validValue(input.cookies[SESSION_COOKIE]) ?? newCookieValue();
  cookies.push({ name: SESSION_COOKIE, value: sessionValue, attributes: attributes(SESSION_COOKIE_MAX_AGE_SECONDS, input.now) });
  return { kind: 'use', visitorValue, sessionValue, cookies };
}

function idFromCookie(label: string, siteId: string, value: string): bigint {
  return crypto.createHash('sha256').update(label).update('\0').update(siteId).update('\0').update(value).digest().readBigUInt64BE(0);
}

/** Visitor id of a visitor cookie: the first 8 bytes of SHA-256("visitor" ‖ 0 ‖ property ‖ 0 ‖ value). */
export function visitorIdFromCookie(siteId: string, value: string): bigint {
  return idFromCookie('visitor', siteId, value);
}

/** Session id of a session cookie: the first 8 bytes of SHA-256("session" ‖ 0 ‖ property ‖ 0 ‖ value). */
export function sessionIdFromCookie(siteId: string, value: string): bigint {
  return idFromCookie('session', siteId, value);
}
