/**
 * The datakant tracker: the script a site embeds with
 * `<script defer data-domain="shop.example" src="https://analytics.shop.example/_dk/s.js">`.
 * It sends a pageview on load and on single-page-app navigations, and replaces the queue
 * stub `window.datakant` with a function that sends custom events. docs/tracker.md describes
 * the attributes, the calls and the payload.
 */
import { EVENT_PATH_PLACEHOLDER } from '../../src/tracker-paths.js';
import { readCmp, releaseHeld, setConsent } from './consent.js';
import { createWarn, guard } from './debug.js';
import { trackPageviews } from './pageviews.js';
import { createSender, type EventOptions } from './send.js';

/** The global function. Until the tracker loads, it is the snippet's stub that queues calls. */
interface DatakantGlobal {
  (name: string, options?: EventOptions): void;
  /** Calls queued by the stub before the script ran. */
  q?: ArrayLike<unknown>[];
  /** Set on the tracker's own function, so that a second copy of the script stays idle. */
  loaded?: 1;
}

/** Default of `data-consent-wait`: how long events wait for a detected CMP, in milliseconds. */
const DEFAULT_CONSENT_WAIT_MS = 500;

/**
 * Calls whose first argument names a command rather than an event. `consent` sets purposes
 * from the page itself and, like a CMP's answer, sends the events that were waiting.
 */
function runCommand(name: string, argument: unknown): boolean {
  if (name != 'consent') return false;
  setConsent(argument);
  if (READ_CMP) releaseHeld();
  return true;
}

const script = document.currentScript as HTMLScriptElement | null;
if (script) {
  const warn = createWarn(script.hasAttribute('data-debug'));

  guard(() => {
    const host = window as unknown as { datakant?: DatakantGlobal };
    const stub = host.datakant;
    if (stub && stub.loaded) return;

    // The server fills in the configured event path when it serves this file. Without
    // `data-api`, events go to the origin the script came from, so one file serves both the
    // first-party route and the standard route.
    const endpoint = script.getAttribute('data-api') || new URL(script.src).origin + EVENT_PATH_PLACEHOLDER;
    const send = createSender(script.getAttribute('data-domain'), endpoint, warn);

    const datakant: DatakantGlobal = guard((name: string, options: EventOptions = {}) => {
      if (!runCommand(name, options)) send(name, options);
    }, warn);
    datakant.loaded = 1;
    host.datakant = datakant;

    if (READ_CMP) readCmp(+(script.getAttribute('data-consent-wait') || DEFAULT_CONSENT_WAIT_MS));

    // Queued calls run before the first pageview, so that a command queued by the page (such
    // as a consent signal) applies to it.
    for (const args of (stub && stub.q) || []) datakant.apply(null, args as [string, EventOptions?]);

    trackPageviews(send, warn);
  }, warn)();
}
