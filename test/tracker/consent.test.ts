/**
 * Consent signals in the built tracker, in Chromium: the explicit `datakant('consent', ...)`
 * call, Google Consent Mode v2 entries in `dataLayer`, Global Privacy Control, and how long
 * events wait for a CMP. Each test asserts the `c`, `tc` and `g` fields of the posted events.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, beforeEach, test } from 'node:test';
import { renderPage, renderTrackerTags, SHOP, startPageHarness, type PageHarness } from './page-harness.js';

const skip = !existsSync('/usr/bin/chromium') && !process.env.CI ? '/usr/bin/chromium not found; install Debian\'s chromium package' : false;

/** A wait long enough that a test never reaches it, so an event that arrives was released by a signal. */
const LONG_WAIT_MS = 60_000;

/** Defines `gtag` as the gtag.js snippet does: it pushes its `arguments` object. */
const GTAG = `<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}</script>`;

type PageWindow = Window & {
  datakant: (name: string, options?: object) => void;
  gtag: (...args: unknown[]) => void;
  dataLayer: unknown[];
  pushed: unknown[];
};

let harness: PageHarness;

before(async () => {
  if (!skip) harness = await startPageHarness();
});

after(async () => {
  await harness?.close();
});

beforeEach(() => harness?.clear());

/** Serves `head` on `http://shop.test<path>`, opens it and returns the page. */
async function open(path: string, head: string) {
  harness.setPage(SHOP, path, renderPage(head));
  const page = await harness.browser.newPage();
  await page.goto(`http://${SHOP}${path}`);
  return page;
}

const isPageview = (event: { n: string }) => event.n === 'pageview';

test('no signal sends no consent fields', { skip }, async () => {
  const page = await open('/plain', renderTrackerTags({ file: 's.cmp.js' }));
  const pageview = await harness.waitForEvent('the pageview', isPageview);
  await page.close();

  assert.deepEqual(pageview, { n: 'pageview', u: `http://${SHOP}/plain`, d: SHOP, r: null });
});

test('explicit call sets purposes', { skip }, async () => {
  const queued = `<script>datakant('consent', { analytics: 'granted', ad_storage: 'denied' });</script>`;
  const page = await open('/explicit', renderTrackerTags({ file: 's.js' }) + queued);
  const pageview = await harness.waitForEvent('the pageview', isPageview);

  await page.evaluate(() => {
    const window_ = window as unknown as PageWindow;
    window_.datakant('consent', { analytics: 'denied', ad_user_data: 'granted', ad_personalization: 'maybe' });
    window_.datakant('Marker');
  });
  const marker = await harness.waitForEvent('the marker event', (event) => event.n === 'Marker');
  await page.close();

  assert.equal(pageview.c, 'gd--', 'queued call applies to the first pageview');
  assert.equal(marker.c, 'ddg-', 'later call overrides per purpose and ignores unknown values');
  assert.equal(pageview.tc, undefined);
  assert.equal(marker.g, undefined);
  assert.equal(harness.events().filter((event) => event.n === 'consent').length, 0, 'the command is not an event');
});

test('explicit call accepts analytics_storage', { skip }, async () => {
  const queued = `<script>datakant('consent', { analytics_storage: 'denied', ad_personalization: 'granted' });</script>`;
  const page = await open('/explicit-storage', renderTrackerTags({ file: 's.js' }) + queued);
  const pageview = await harness.waitForEvent('the pageview', isPageview);
  await page.close();

  assert.equal(pageview.c, 'd--g');
});

test('global privacy control sets g', { skip }, async () => {
  for (const file of ['s.js', 's.cmp.js'] as const) {
    harness.clear();
    harness.setPage(SHOP, '/gpc', renderPage(renderTrackerTags({ file })));
    const page = await harness.browser.newPage();
    // A string, because tsx would wrap a function's inner arrow functions in a helper that
    // the page does not have.
    await page.addInitScript({ content: `Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { value: true });` });
    await page.goto(`http://${SHOP}/gpc`);
    const pageview = await harness.waitForEvent('the pageview', isPageview);
    await page.close();

    assert.equal(pageview.g, 1, file);
    assert.equal(pageview.c, undefined, `${file}: GPC alone sets no purpose`);
  }
});

test('consent mode default waits for update', { skip }, async () => {
  const head =
    GTAG +
    `<script>gtag('consent', 'default', { analytics_storage: 'denied', ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied', wait_for_update: 500 });</script>` +
    renderTrackerTags({ file: 's.cmp.js', consentWait: LONG_WAIT_MS });
  const page = await open('/consent-mode-pending', head);

  // The pageview is held until the CMP's update, so it carries the updated state.
  await page.evaluate(() => (window as unknown as PageWindow).gtag('consent', 'update', { analytics_storage: 'granted', ad_user_data: 'granted' }));
  const pageview = await harness.waitForEvent('the pageview', isPageview);
  await page.close();

  assert.equal(pageview.c, 'gdgd');
  assert.equal(harness.events().length, 1);
});

test('consent mode update then withdrawal', { skip }, async () => {
  const head =
    GTAG +
    `<script>gtag('consent', 'default', { analytics_storage: 'denied', ad_storage: 'denied' });` +
    `gtag('consent', 'update', { analytics_storage: 'granted', ad_storage: 'granted' });</script>` +
    renderTrackerTags({ file: 's.cmp.js', consentWait: LONG_WAIT_MS });
  const page = await open('/consent-mode-update', head);
  const pageview = await harness.waitForEvent('the pageview', isPageview);

  await page.evaluate(() => {
    const window_ = window as unknown as PageWindow;
    window_.gtag('consent', 'update', { analytics_storage: 'denied' });
    window_.datakant('Marker');
  });
  const marker = await harness.waitForEvent('the marker event', (event) => event.n === 'Marker');
  await page.close();

  assert.equal(pageview.c, 'gg--', 'an update already in dataLayer releases at once');
  assert.equal(marker.c, 'dg--', 'the withdrawal reaches the next event');
});

test('latest signal wins per purpose', { skip }, async () => {
  const head =
    GTAG +
    `<script>gtag('consent', 'default', { analytics_storage: 'denied', ad_storage: 'denied' });</script>` +
    renderTrackerTags({ file: 's.cmp.js', consentWait: LONG_WAIT_MS }) +
    `<script>datakant('consent', { analytics: 'granted' });</script>`;
  const page = await open('/precedence', head);
  const pageview = await harness.waitForEvent('the pageview', isPageview);

  await page.evaluate(() => {
    const window_ = window as unknown as PageWindow;
    window_.gtag('consent', 'update', { ad_storage: 'granted' });
    window_.datakant('Marker');
  });
  const marker = await harness.waitForEvent('the marker event', (event) => event.n === 'Marker');
  await page.close();

  // At start, dataLayer is read before the queued calls; the explicit call also releases.
  assert.equal(pageview.c, 'gd--');
  assert.equal(marker.c, 'gg--');
});

test('wait ends after data-consent-wait', { skip }, async () => {
  const head =
    GTAG +
    `<script>gtag('consent', 'default', { analytics_storage: 'denied' });</script>` +
    renderTrackerTags({ file: 's.cmp.js', consentWait: 50 });
  const page = await open('/consent-wait', head);

  // No update ever comes: the pageview leaves once the wait is over, with the default.
  const pageview = await harness.waitForEvent('the pageview', isPageview);
  await page.close();

  assert.equal(pageview.c, 'd---');
});

test('pagehide sends held events', { skip }, async () => {
  const head =
    GTAG +
    `<script>gtag('consent', 'default', { analytics_storage: 'denied' });</script>` +
    renderTrackerTags({ file: 's.cmp.js', consentWait: LONG_WAIT_MS });
  harness.setPage(SHOP, '/next', renderPage(''));
  const page = await open('/held', head);

  await page.goto(`http://${SHOP}/next`);
  const pageview = await harness.waitForEvent('the held pageview', isPageview);
  await page.close();

  assert.equal(pageview.u, `http://${SHOP}/held`);
  assert.equal(pageview.c, 'd---');
});

test('dataLayer keeps the existing push', { skip }, async () => {
  // A push of the page's own, as Google Tag Manager installs one: it must still see every
  // entry and return its own result.
  const ownPush =
    `<script>window.dataLayer = []; window.pushed = [];` +
    `dataLayer.push = function () { for (var i = 0; i < arguments.length; i++) pushed.push(arguments[i]); return 'own-' + pushed.length; };` +
    `function gtag(){dataLayer.push(arguments);}</script>`;
  const page = await open('/own-push', ownPush + renderTrackerTags({ file: 's.cmp.js' }));
  await harness.waitForEvent('the pageview', isPageview);

  const result = await page.evaluate(() => {
    const window_ = window as unknown as PageWindow;
    window_.gtag('consent', 'update', { ad_storage: 'denied' });
    const returned = window_.dataLayer.push({ event: 'checkout' }, null);
    window_.datakant('Marker');
    return { returned, pushed: JSON.stringify(window_.pushed) };
  });
  const marker = await harness.waitForEvent('the marker event', (event) => event.n === 'Marker');
  await page.close();

  assert.equal(result.returned, 'own-3');
  assert.equal(result.pushed, JSON.stringify([{ 0: 'consent', 1: 'update', 2: { ad_storage: 'denied' } }, { event: 'checkout' }, null]));
  assert.equal(marker.c, '-d--');
});
