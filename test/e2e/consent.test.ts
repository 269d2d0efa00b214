/**
 * Consent end to end, in Chromium over HTTPS against `datakant serve`: a page with a TCF CMP
 * (the test CMP of test/tracker/cmp-stub.ts, with real TC strings) and a page with gtag
 * Consent Mode, each loading `s.cmp.js` from the first-party host. Four visits per page:
 * consent granted, denied, granted after load, and withdrawn. The property runs in the
 * `cookieless` mode and then in the `consent-cookies` mode. Each visit asserts what the Stats
 * API reports for its page and which cookies the browser keeps afterwards.
 *
 * The edge serves plain HTTP, so an HTTPS front (https-front.ts) proxies the first-party host
 * to it and serves the shop's pages.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { QUEUE_STUB } from '../../src/snippet.js';
import { DEFAULT_EVENT_PATH, EVENT_PATH_PLACEHOLDER } from '../../src/tracker-paths.js';
import { DESKTOP_CHROME_UA, queryStats } from '../helpers/http.js';
import { makeTempDir, runCli, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { renderCmpStub } from '../tracker/cmp-stub.js';
import { buildTracker } from '../tracker/built-script.js';
import { encodeTcString } from '../tracker/tc-strings.js';
import { BROWSER_ACTION_TIMEOUT_MS, chromiumMissing, launchChromium } from './browser.js';
import { startHttpsFront, type HttpsFront } from './https-front.js';

const SHOP = 'shop.test';
const FIRST_PARTY_HOST = 'analytics.shop.test';
const CMP_SCRIPT_PATH = '/_dk/s.cmp.js';
const VISITOR_COOKIE = '__Host-dk_vid';
const SESSION_COOKIE = '__Host-dk_sid';
const DAY_SECONDS = 24 * 60 * 60;

/** Maximum wait for the edge's responses to a visit's events, in milliseconds. */
const ANSWER_WAIT_MS = 10_000;
/** `data-consent-wait` of visits that wait for the CMP: beyond any test's length. */
const LONG_WAIT_MS = 60_000;
/** `data-consent-wait` of visits whose CMP shows its banner: the pageview leaves after it. */
const SHORT_WAIT_MS = 100;

/** TCF purposes 1 to 10 consented, and none. */
const TC_ALL = encodeTcString([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
const TC_NONE = encodeTcString([]);

type Modes = 'cookieless' | 'consent-cookies';
type CaseName = 'granted' | 'denied' | 'granted after load' | 'withdrawn';
type PageKind = 'tcf' | 'gtag';

interface VisitCase {
  name: CaseName;
  kind: PageKind;
  /** Extra head scripts after the CMP and before the tracker. */
  setup: string;
  consentWait: number;
  /** Browser steps after the page has loaded. */
  steps: (page: Page) => Promise<void>;
  /** Event requests the visit sends. */
  requests: number;
  /** Stored events by name, for the visit's page. */
  stored: Record<string, number>;
  /** Whether the edge's cookies remain afterwards in the consent-cookies mode. */
  cookiesAfter: boolean;
}

const GTAG = `<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}
gtag('consent', 'default', { analytics_storage: 'denied', ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied' });</script>`;
const GRANT_ALL = `{ analytics_storage: 'granted', ad_storage: 'granted', ad_user_data: 'granted', ad_personalization: 'granted' }`;

const tcf = (method: 'load' | 'showUi' | 'userAction', tcString: string) => (page: Page) =>
  page.evaluate(`testCmp.${method}(${JSON.stringify(tcString)})`) as Promise<void>;
const gtagUpdate = (values: string) => (page: Page) => page.evaluate(`gtag('consent', 'update', ${values})`) as Promise<void>;
const signup = (page: Page) => page.evaluate(`datakant('Signup')`) as Promise<void>;

/** Runs `steps` one after the other. */
function sequence(...steps: ((page: Page) => Promise<void>)[]) {
  return async (page: Page) => {
    for (const step of steps) await step(page);
  };
}

const CASES: VisitCase[] = [
  {
    name: 'granted', kind: 'tcf', setup: '', consentWait: LONG_WAIT_MS,
    steps: tcf('load', TC_ALL), requests: 1, stored: { pageview: 1 }, cookiesAfter: true,
  },
  {
    name: 'denied', kind: 'tcf', setup: '', consentWait: LONG_WAIT_MS,
    steps: tcf('load', TC_NONE), requests: 1, stored: {}, cookiesAfter: false,
  },
  {
    // The banner is up when the pageview leaves, with no TCF signal: the property's default
    // stores it the cookieless way. The choice comes with the next event.
    name: 'granted after load', kind: 'tcf', setup: `<script>testCmp.showUi('');</script>`, consentWait: SHORT_WAIT_MS,
    steps: sequence(waitForAnswers(1), tcf('userAction', TC_ALL), signup), requests: 2,
    stored: { pageview: 1, Signup: 1 }, cookiesAfter: true,
  },
  {
    name: 'withdrawn', kind: 'tcf', setup: '', consentWait: LONG_WAIT_MS,
    steps: sequence(tcf('load', TC_ALL), waitForAnswers(1), tcf('userAction', TC_NONE), signup), requests: 2,
    stored: { pageview: 1 }, cookiesAfter: false,
  },
  {
    name: 'granted', kind: 'gtag', setup: `<script>gtag('consent', 'update', ${GRANT_ALL});</script>`, consentWait: LONG_WAIT_MS,
    steps: async () => {}, requests: 1, stored: { pageview: 1 }, cookiesAfter: true,
  },
  {
    name: 'denied', kind: 'gtag', setup: `<script>gtag('consent', 'update', { analytics_storage: 'denied' });</script>`,
    consentWait: LONG_WAIT_MS, steps: async () => {}, requests: 1, stored: {}, cookiesAfter: false,
  },
  {
    // No update before the wait ends: the pageview leaves with the denied default.
    name: 'granted after load', kind: 'gtag', setup: '', consentWait: SHORT_WAIT_MS,
    steps: sequence(waitForAnswers(1), gtagUpdate(GRANT_ALL), signup), requests: 2, stored: { Signup: 1 }, cookiesAfter: true,
  },
  {
    name: 'withdrawn', kind: 'gtag', setup: `<script>gtag('consent', 'update', ${GRANT_ALL});</script>`, consentWait: LONG_WAIT_MS,
    steps: sequence(waitForAnswers(1), gtagUpdate(`{ analytics_storage: 'denied' }`), signup), requests: 2,
    stored: { pageview: 1 }, cookiesAfter: false,
  },
];

let front: HttpsFront;
let frontDirectory = '';

/** Returns a step that waits until the edge has responded to `count` event requests of this visit. */
function waitForAnswers(count: number) {
  return async () => {
    const deadline = Date.now() + ANSWER_WAIT_MS;
    while (front.answeredEvents().length < count) {
      if (Date.now() > deadline) assert.fail(`the edge answered ${front.answeredEvents().length} of ${count} event requests`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
}

function renderVisitPage(visit: VisitCase): string {
  const cmp = visit.kind === 'tcf' ? renderCmpStub({ gdprApplies: true, locator: false }) : GTAG;
  const tracker =
    `<script>${QUEUE_STUB}</script>` +
    `<script defer data-domain="${SHOP}" data-consent-wait="${visit.consentWait}" src="https://${FIRST_PARTY_HOST}${CMP_SCRIPT_PATH}"></script>`;
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">${cmp}${visit.setup}${tracker}</head><body>shop</body></html>`;
}

const pagePath = (mode: Modes, visit: VisitCase) => `/${mode}/${visit.kind}/${visit.name.replaceAll(' ', '-')}`;

async function cli(args: string[]): Promise<string> {
  const result = await runCli(args);
  assert.equal(result.code, 0, `datakant ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

for (const mode of ['cookieless', 'consent-cookies'] as const) {
  describe(`consent in ${mode} mode`, { skip: chromiumMissing }, () => {
    let dataDir = '';
    let edge: ServerProcess | undefined;
    let browser: Browser | undefined;
    let key = '';

    before(async () => {
      dataDir = makeTempDir('datakant-consent-e2e-');
      frontDirectory = makeTempDir('datakant-consent-tls-');
      await cli(['sites', 'add', SHOP, '--timezone', 'UTC', '--first-party-host', FIRST_PARTY_HOST, '--data', dataDir]);
      await cli(['consent', 'set', SHOP, '--mode', mode, '--data', dataDir]);
      key = (await cli(['keys', 'create', '--name', 'e2e', '--data', dataDir])).trim().split('\n').at(-1)!;
      edge = await startServerProcess({ dataDir, args: ['--trusted-proxies', '127.0.0.1'] });

      // Until the edge serves s.cmp.js itself, the front serves the freshly built one.
      const cmpScript = (await buildTracker()).cmpCode.toString('utf8').replace(EVENT_PATH_PLACEHOLDER, DEFAULT_EVENT_PATH);
      front = await startHttpsFront({
        pageHost: SHOP,
        edgeHost: FIRST_PARTY_HOST,
        edgePort: edge.port,
        eventPath: DEFAULT_EVENT_PATH,
        fallbackScripts: { [CMP_SCRIPT_PATH]: cmpScript },
        directory: frontDirectory,
      });
      browser = await launchChromium({ [SHOP]: front.port, [FIRST_PARTY_HOST]: front.port }, ['--ignore-certificate-errors']);
    }, { timeout: 90_000 });

    after(async () => {
      await browser?.close();
      await front?.close();
      if (edge) await edge.stop();
      for (const directory of [dataDir, frontDirectory]) if (directory) fs.rmSync(directory, { recursive: true, force: true });
    }, { timeout: 30_000 });

    for (const visit of CASES) {
      test(`${visit.kind} ${visit.name}`, { timeout: 60_000 }, async () => {
        const path = pagePath(mode, visit);
        front.setPage(path, renderVisitPage(visit));
        front.resetEventCount();

        const context: BrowserContext = await browser!.newContext({ userAgent: DESKTOP_CHROME_UA, ignoreHTTPSErrors: true });
        context.setDefaultTimeout(BROWSER_ACTION_TIMEOUT_MS);
        const page = await context.newPage();
        await page.goto(`https://${SHOP}${path}`);
        await visit.steps(page);
        await waitForAnswers(visit.requests)();
        const cookies = await context.cookies();
        await context.close();

        assert.deepEqual(front.answeredEvents(), Array(visit.requests).fill(202), 'the edge accepted every event request');

        // The edge responds once an event is durably stored, so the Stats API has it now.
        const answer = await queryStats(edge!.url, key, {
          site_id: SHOP,
          date_range: 'all',
          metrics: ['events'],
          dimensions: ['event:name'],
          filters: [['is', 'event:page', [path]]],
        });
        const stored = Object.fromEntries(answer.results.map((row) => [row.dimensions[0], row.metrics[0]]));
        assert.deepEqual(stored, visit.stored, 'stored events by name');

        const withCookies = mode === 'consent-cookies' && visit.cookiesAfter;
        assert.deepEqual(cookies.map((cookie) => cookie.name).sort(), withCookies ? [VISITOR_COOKIE, SESSION_COOKIE].sort() : []);
        const nowSeconds = Date.now() / 1000;
        for (const cookie of cookies) {
          assert.equal(cookie.domain, FIRST_PARTY_HOST, `${cookie.name} is host-only on the first-party host`);
          assert.equal(cookie.path, '/');
          assert.equal(cookie.secure, true, `${cookie.name} is Secure`);
          assert.equal(cookie.httpOnly, true, `${cookie.name} is HttpOnly`);
          assert.equal(cookie.sameSite, 'Lax', `${cookie.name} is SameSite=Lax`);
          const lifetimeSeconds = cookie.expires - nowSeconds;
          if (cookie.name === VISITOR_COOKIE) {
            assert.ok(lifetimeSeconds > 389 * DAY_SECONDS, `visitor cookie lifetime ${lifetimeSeconds} s`);
            assert.ok(lifetimeSeconds <= 390 * DAY_SECONDS, `visitor cookie lifetime ${lifetimeSeconds} s`);
          } else {
            assert.ok(lifetimeSeconds > 25 * 60, `session cookie lifetime ${lifetimeSeconds} s`);
            assert.ok(lifetimeSeconds <= 30 * 60, `session cookie lifetime ${lifetimeSeconds} s`);
          }
        }
      });
    }
  });
}
