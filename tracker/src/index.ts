/**
 * The datakant tracker: the script a site embeds with
 * `<script defer data-domain="shop.example" src="https://analytics.shop.example/_dk/s.js">`.
 * It sends a pageview on load and on single-page-app navigations, and replaces the queue
 * stub `window.datakant` with a function that sends custom events. docs/tracker.md describes
 * the attributes, the calls and the payload.
 */
import { EVENT_PATH_PLACEHOLDER } from '../../src/tracker-paths.js';
import { createWarn, guard } from './debug.js';
import { trackPageviews } from './pageviews.js';
import { createSender, type EventOptions, type Send } from './send.js';

/** The global function. Until the tracker loads, it is the snippet's stub that queues calls. */
interface DatakantGlobal {
  (name: string, options?: EventOptions): void;
  /** Calls queued by the stub before the script ran. */
  q?: ArrayLike<unknown>[];
  /** Set on the tracker's own function, so that a second copy of the script stays idle. */
  loaded?: 1;
}

/**
 * Calls whose first argument names a command rather than an event. `consent` is reserved for
 * consent signals and ignored for now.
 */
const commands = new Map<string, Send>([['consent', () => {}]]);

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
      (commands.get(name) || send)(name, options);
    }, warn);
    datakant.loaded = 1;
    host.datakant = datakant;

    // Queued calls run before the first pageview, so that a command queued by the page (such
    // as a consent signal) applies to it.
    for (const args of (stub && stub.q) || []) datakant.apply(null, args as [string, EventOptions?]);

    trackPageviews(send, warn);
  }, warn)();
}
