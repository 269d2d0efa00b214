import { PAGEVIEW_EVENT_NAME } from '../../src/domain.js';
import { guard, type Warn } from './debug.js';
import type { Send } from './send.js';

/**
 * Sends a pageview now and after each single-page-app navigation: `history.pushState` and
 * `popstate` (back and forward). A navigation that keeps pathname and search (a hash change,
 * a state update) sends nothing, and neither does a page that is still being prerendered.
 */
export function trackPageviews(send: Send, warn: Warn): void {
  let lastPage: string | undefined;

  // Speculation Rules prerendering in Chromium runs the script before the page is shown.
  // TypeScript's DOM types do not have `document.prerendering` yet.
  const isPrerendering = () => (document as { prerendering?: boolean }).prerendering;

  const sendPageview = guard(() => {
    const page = location.pathname + location.search;
    if (isPrerendering() || page == lastPage) return;

    lastPage = page;
    send(PAGEVIEW_EVENT_NAME, {});
  }, warn);

  const pushState = history.pushState;
  history.pushState = function (this: History, ...args: Parameters<History['pushState']>) {
    pushState.apply(this, args);
    sendPageview();
  };
  addEventListener('popstate', sendPageview);
  document.addEventListener('prerenderingchange', sendPageview);

  sendPageview();
}
