import { purposeStates, tcString, whenConsentKnown } from './consent.js';
import { guard, type Warn } from './debug.js';

/** Options of a custom event, the second argument of `datakant(name, options)`. */
export interface EventOptions {
  /** Custom properties, sent as given. */
  props?: Record<string, unknown>;
  /** Revenue of a conversion. `amount` is best given as a decimal string such as `'9.99'`. */
  revenue?: { amount: string | number; currency: string };
  /** False for events that must not count against a bounce. */
  interactive?: boolean;
  /** Called once the event is handed to the browser, or right away when it is not sent. */
  callback?: () => void;
}

/**
 * Body the tracker posts to the edge, as JSON in a `text/plain` request. The one-letter names
 * keep the script and the requests small, and docs/tracker.md describes each field. Fields
 * set to `undefined` are left out by `JSON.stringify`.
 */
interface EventPayload {
  n: string;
  u: string;
  d: string;
  r: string | null;
  p?: Record<string, unknown>;
  $?: { amount: string | number; currency: string };
  i?: 0;
  t?: 1;
  c?: string;
  tc?: string;
  g?: 1;
}

export type Send = (name: string, options: EventOptions) => void;

/**
 * Creates the function that posts one event of the property `domain` to `endpoint`. Both
 * transports send the JSON body as `text/plain;charset=UTF-8` with cookies, a CORS "simple
 * request", so no preflight happens.
 */
export function createSender(domain: string | null, endpoint: string, warn: Warn): Send {
  const endpointHost = new URL(endpoint, location.href).hostname;

  // EasyPrivacy blocks every third-party `sendBeacon` request (a `$ping,third-party` rule), so
  // the beacon is only used when the endpoint is on the property's own domain (first-party
  // route). Elsewhere `fetch` with `keepalive` goes out as an ordinary request.
  const useBeacon = endpointHost == domain || endpointHost.endsWith('.' + domain);

  return (name, options) => {
    const callback = options.callback;
    const done = () => {
      if (callback) callback();
    };

    // The event name is left to the edge to validate, as it must anyway.
    let skipReason = '';
    if (!domain) skipReason = 'no data-domain attribute';
    else if (location.protocol == 'file:') skipReason = 'file: page';
    if (skipReason) {
      warn(skipReason);
      done();
      return;
    }

    const revenue = options.revenue;
    const payload: EventPayload = {
      n: name,
      u: location.href,
      d: domain!,
      r: document.referrer || null,
      p: options.props || undefined,
      $: revenue ? { amount: revenue.amount, currency: revenue.currency } : undefined,
      i: options.interactive === false ? 0 : undefined,
      // Lets the edge class an iPad whose Safari claims a desktop user-agent as a tablet.
      t: navigator.maxTouchPoints > 1 ? 1 : undefined,
      g: (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl ? 1 : undefined,
    };

    // The page and its URL are those of the moment of the call, but consent is read when the
    // event leaves, which in the CMP build may be after the CMP has answered. Held events run
    // from a timer or a CMP callback, so `guard` keeps their errors from the page.
    const deliver = () => {
      payload.c = purposeStates || undefined;
      if (READ_CMP) payload.tc = tcString || undefined;
      const body = JSON.stringify(payload);

      // sendBeacon returns false when the browser does not queue the request (for example
      // over its size limit), which leaves fetch to try.
      if (useBeacon && navigator.sendBeacon && navigator.sendBeacon(endpoint, body)) {
        done();
        return;
      }

      // `no-cors` keeps the response opaque, so the edge need not send CORS headers, and a
      // rejection means the request itself failed.
      fetch(endpoint, { method: 'POST', body, keepalive: true, credentials: 'include', mode: 'no-cors' }).then(
        done,
        (error) => {
          warn(error);
          done();
        },
      );
    };
    if (READ_CMP) whenConsentKnown(guard(deliver, warn));
    else deliver();
  };
}
