/**
 * The CMP build (`s.cmp.js`) reading an IAB TCF v2.2 CMP in Chromium: the test CMP of
 * cmp-stub.ts with real TC strings, called directly and from a cross-origin frame through the
 * `__tcfapiLocator` frame. Events wait for the CMP (`data-consent-wait` is far beyond the
 * tests' length), so an event that carries a TC string shows which answer released it.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, beforeEach, test } from 'node:test';
import { renderCmpStub } from './cmp-stub.js';
import { FRAME_HOST, renderPage, renderTrackerTags, SHOP, startPageHarness, type PageHarness } from './page-harness.js';
import { encodeTcString } from './tc-strings.js';

const skip = !existsSync('/usr/bin/chromium') && !process.env.CI ? '/usr/bin/chromium not found; install Debian\'s chromium package' : false;

const LONG_WAIT_MS = 60_000;
const TRACKER = renderTrackerTags({ file: 's.cmp.js', consentWait: LONG_WAIT_MS });

/** Consent to TCF purposes 1 to 10, and to none. */
const ALL_PURPOSES = encodeTcString([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
const NO_PURPOSES = encodeTcString([]);

type CmpWindow = Window & {
  datakant: (name: string, options?: object) => void;
  testCmp: {
    calls: [string, number][];
    load(tcString: string): void;
    showUi(tcString: string): void;
    userAction(tcString: string): void;
  };
};

let harness: PageHarness;

before(async () => {
  if (!skip) harness = await startPageHarness();
});

after(async () => {
  await harness?.close();
});

beforeEach(() => harness?.clear());

async function open(path: string, head: string) {
  harness.setPage(SHOP, path, renderPage(head));
  const page = await harness.browser.newPage();
  await page.goto(`http://${SHOP}${path}`);
  return page;
}

const isPageview = (event: { n: string }) => event.n === 'pageview';

test('tcloaded releases with the TC string', { skip }, async () => {
  const page = await open('/tcf', renderCmpStub({ gdprApplies: true, locator: false }) + TRACKER);

  await page.evaluate((tcString) => (window as unknown as CmpWindow).testCmp.load(tcString), ALL_PURPOSES);
  const pageview = await harness.waitForEvent('the pageview', isPageview);
  const calls = await page.evaluate(() => (window as unknown as CmpWindow).testCmp.calls);
  await page.close();

  assert.equal(pageview.tc, ALL_PURPOSES);
  assert.equal(pageview.c, undefined, 'the edge maps TCF purposes, not the tracker');
  assert.deepEqual(calls, [['addEventListener', 2]]);
});

test('cmpuishown does not release', { skip }, async () => {
  const page = await open('/tcf-ui', renderCmpStub({ gdprApplies: true, locator: false }) + TRACKER);

  await page.evaluate((tcString) => (window as unknown as CmpWindow).testCmp.showUi(tcString), NO_PURPOSES);
  await page.evaluate((tcString) => (window as unknown as CmpWindow).testCmp.userAction(tcString), ALL_PURPOSES);
  const pageview = await harness.waitForEvent('the pageview', isPageview);
  await page.close();

  assert.equal(pageview.tc, ALL_PURPOSES, 'the pageview waited for the visitor choice');
});

test('choice change reaches the next event', { skip }, async () => {
  const page = await open('/tcf-change', renderCmpStub({ gdprApplies: true, locator: false }) + TRACKER);

  await page.evaluate((tcString) => (window as unknown as CmpWindow).testCmp.load(tcString), ALL_PURPOSES);
  const pageview = await harness.waitForEvent('the pageview', isPageview);
  await page.evaluate((tcString) => {
    const window_ = window as unknown as CmpWindow;
    window_.testCmp.userAction(tcString);
    window_.datakant('Marker');
  }, NO_PURPOSES);
  const marker = await harness.waitForEvent('the marker event', (event) => event.n === 'Marker');
  await page.close();

  assert.equal(pageview.tc, ALL_PURPOSES);
  assert.equal(marker.tc, NO_PURPOSES);
});

test('gdprApplies false sends no TC string', { skip }, async () => {
  const page = await open('/tcf-no-gdpr', renderCmpStub({ gdprApplies: false, locator: false }) + TRACKER);

  await page.evaluate((tcString) => (window as unknown as CmpWindow).testCmp.load(tcString), ALL_PURPOSES);
  const pageview = await harness.waitForEvent('the pageview', isPageview);
  await page.close();

  assert.deepEqual(pageview, { n: 'pageview', u: `http://${SHOP}/tcf-no-gdpr`, d: SHOP, r: null });
});

test('locator frame reaches the CMP', { skip }, async () => {
  // The tracker runs in a frame of another origin, which has no `__tcfapi` of its own.
  harness.setPage(FRAME_HOST, '/inner', renderPage(TRACKER));
  const framing = renderCmpStub({ gdprApplies: true, locator: true });
  harness.setPage(SHOP, '/outer', `${renderPage(framing)}<iframe src="http://${FRAME_HOST}/inner"></iframe>`);
  const page = await harness.browser.newPage();
  await page.goto(`http://${SHOP}/outer`);

  // The tracker's call arrives by message once the frame has loaded.
  await page.waitForFunction(() => (window as unknown as CmpWindow).testCmp.calls.length > 0);
  await page.evaluate((tcString) => (window as unknown as CmpWindow).testCmp.load(tcString), ALL_PURPOSES);
  const pageview = await harness.waitForEvent('the framed pageview', isPageview);
  const calls = await page.evaluate(() => (window as unknown as CmpWindow).testCmp.calls);
  await page.close();

  assert.equal(pageview.u, `http://${FRAME_HOST}/inner`);
  assert.equal(pageview.tc, ALL_PURPOSES);
  assert.deepEqual(calls, [['addEventListener', 2]]);
});

test('locator replies from other frames are ignored', { skip }, async () => {
  const countMessages = `<script>window.messageCount = 0; addEventListener('message', () => messageCount++);</script>`;
  harness.setPage(FRAME_HOST, '/inner-forged', renderPage(countMessages + TRACKER));
  harness.setPage(FRAME_HOST, '/forger', renderPage(''));
  const frames =
    `<iframe name="tracked" src="http://${FRAME_HOST}/inner-forged"></iframe>` +
    `<iframe src="http://${FRAME_HOST}/forger"></iframe>`;
  harness.setPage(SHOP, '/outer-forged', renderPage(renderCmpStub({ gdprApplies: true, locator: true })) + frames);
  const page = await harness.browser.newPage();
  await page.goto(`http://${SHOP}/outer-forged`);
  await page.waitForFunction(() => (window as unknown as CmpWindow).testCmp.calls.length > 0);
  const tracked = page.frames().find((frame) => frame.url().endsWith('/inner-forged'))!;
  const forger = page.frames().find((frame) => frame.url().endsWith('/forger'))!;

  // A frame that is not the CMP's window sends a reply with the tracker's call id.
  await forger.evaluate(`parent.frames.tracked.postMessage({ __tcfapiReturn: { callId: 'datakant', success: true,
    returnValue: { eventStatus: 'tcloaded', gdprApplies: true, tcString: 'forged' } } }, '*')`);
  await tracked.waitForFunction('window.messageCount >= 1');
  await page.evaluate((tcString) => (window as unknown as CmpWindow).testCmp.load(tcString), NO_PURPOSES);
  const pageview = await harness.waitForEvent('the framed pageview', isPageview);
  await page.close();

  assert.equal(pageview.tc, NO_PURPOSES);
});
