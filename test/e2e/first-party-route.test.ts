/**
 * End to end in a real browser: a demo shop on `shop.test` embeds the snippet that
 * `datakant snippet` prints, Debian's Chromium browses it, and the Stats API of the running
 * `datakant serve` must then report exactly that visit.
 *
 * The visit: load `/` (pageview), follow a link that calls `history.pushState` to
 * `/products` (pageview), press the signup button (custom event `Signup` with `plan: pro`),
 * then go back with the browser's back button, a `popstate` to `/` (pageview).
 *
 * Each route gets a fresh data directory and its own edge, so the counts of one route cannot
 * leak into the other's assertions.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Request } from 'playwright-core';
import { DEFAULT_EVENT_PATH, DEFAULT_SCRIPT_PATH } from '../../src/tracker-paths.js';
import { queryStats } from '../helpers/http.js';
import { makeTempDir, runCli, startServerProcess, waitFor, type ServerProcess } from '../helpers/server-process.js';
import { chromiumMissing, launchChromium, newDesktopContext } from './browser.js';
import { SHOP_CONTROLS, startShopSite, type ShopSite } from './shop-site.js';

const SHOP = 'shop.test';
const FIRST_PARTY_HOST = 'analytics.shop.test';
/** Host of the edge's standard route. With no public hosts configured, every host that is not a first-party host serves it. */
const INGEST_HOST = 'ingest.test';

/** Maximum wait for the visit's events to show in the Stats API, in milliseconds. */
const STATS_WAIT_MS = 10_000;

interface RouteCase {
  route: 'first-party' | 'standard';
  /** Arguments of `datakant snippet` after the domain. */
  snippetArgs: string[];
  /** Script URL the printed snippet must name. */
  snippetScriptUrl: string;
  /** Host the browser must load the tracker from and send the events to. */
  scriptHost: string;
}

const ROUTE_CASES: RouteCase[] = [
  {
    route: 'first-party',
    snippetArgs: ['--route', 'first-party'],
    snippetScriptUrl: `https://${FIRST_PARTY_HOST}${DEFAULT_SCRIPT_PATH}`,
    scriptHost: FIRST_PARTY_HOST,
  },
  {
    route: 'standard',
    snippetArgs: ['--route', 'standard', '--public-url', `http://${INGEST_HOST}`],
    snippetScriptUrl: `http://${INGEST_HOST}${DEFAULT_SCRIPT_PATH}`,
    scriptHost: INGEST_HOST,
  },
];

type Row = { metrics: unknown[]; dimensions: unknown[] };

/** Rows of a Stats API response as `{ "<dimension values joined by |>": metrics }`. */
function rowsByDimensions(results: Row[]): Record<string, unknown[]> {
  const rows: Record<string, unknown[]> = {};
  for (const row of results) rows[row.dimensions.join('|')] = row.metrics;
  return rows;
}

/** Runs one CLI command and returns its stdout, failing with its stderr otherwise. */
async function cli(args: string[]): Promise<string> {
  const result = await runCli(args);
  assert.equal(result.code, 0, `datakant ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Stops the edge with SIGTERM, or with SIGKILL when it has not exited after 10 s. */
async function stopEdge(server: ServerProcess): Promise<void> {
  const timer = setTimeout(() => void server.kill(), 10_000);
  try {
    await server.stop();
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Browses the shop as described at the top of this file. Returns once the tracker has loaded
 * and the page has done every step, but the events may still be on their way.
 */
async function browseShop(context: BrowserContext): Promise<void> {
  const page = await context.newPage();
  // The tracker sends the first pageview right after it starts watching `pushState`, so the
  // clicks wait for that request.
  const firstPageview = page.waitForRequest((request) => new URL(request.url()).pathname === DEFAULT_EVENT_PATH);
  await page.goto(`http://${SHOP}/`);
  await firstPageview;

  await page.click(SHOP_CONTROLS.productsLink);
  assert.equal(page.url(), `http://${SHOP}/products`);

  await page.click(SHOP_CONTROLS.signupButton);

  await page.goBack();
  assert.equal(page.url(), `http://${SHOP}/`);
}

for (const routeCase of ROUTE_CASES) {
  describe(`${routeCase.route} route in Chromium`, { skip: chromiumMissing }, () => {
    let dataDir = '';
    let edge: ServerProcess | undefined;
    let shop: ShopSite | undefined;
    let browser: Browser | undefined;
    let key = '';
    let snippet = '';
    /** Why the wait for the visit's events failed, when it did. */
    let statsWaitError = '';
    /** Requests for the tracker script and events, with the status the edge returned. */
    const trackerRequests = new Map<Request, { url: URL; method: string; status?: number }>();

    async function query(body: Record<string, unknown>): Promise<Row[]> {
      const answer = await queryStats(edge!.url, key, { site_id: SHOP, date_range: 'all', ...body });
      return answer.results;
    }

    before(async () => {
      dataDir = makeTempDir('datakant-e2e-');
      await cli(['sites', 'add', SHOP, '--timezone', 'UTC', '--first-party-host', FIRST_PARTY_HOST, '--data', dataDir]);
      key = (await cli(['keys', 'create', '--name', 'e2e', '--data', dataDir])).trim().split('\n').at(-1)!;
      snippet = await cli(['snippet', SHOP, ...routeCase.snippetArgs, '--data', dataDir]);

      edge = await startServerProcess({ dataDir });
      // The first-party snippet names an https:// script. This test runs over plain http, so
      // only the scheme changes and the host stays the one the snippet names.
      shop = await startShopSite(snippet.replace(`https://${FIRST_PARTY_HOST}/`, `http://${FIRST_PARTY_HOST}/`));
      browser = await launchChromium({ [SHOP]: shop.port, [FIRST_PARTY_HOST]: edge.port, [INGEST_HOST]: edge.port });

      const context = await newDesktopContext(browser);
      context.on('request', (request) => {
        const url = new URL(request.url());
        if (url.pathname === DEFAULT_SCRIPT_PATH || url.pathname === DEFAULT_EVENT_PATH) {
          trackerRequests.set(request, { url, method: request.method() });
        }
      });
      context.on('response', (response) => {
        const entry = trackerRequests.get(response.request());
        if (entry) entry.status = response.status();
      });
      await browseShop(context);

      // Events are committed in small batches, so poll until the whole visit is readable. When
      // it never is, the tests below run anyway and each reports what it finds.
      await waitFor(
        async () => {
          const [totals] = await query({ metrics: ['pageviews', 'events'] });
          return totals?.metrics[0] === 3 && totals.metrics[1] === 4 ? true : undefined;
        },
        STATS_WAIT_MS,
        '3 pageviews and 4 events',
      ).catch((error: Error) => {
        statsWaitError = error.message;
      });
      await context.close();
    }, { timeout: 90_000 });

    after(async () => {
      await browser?.close();
      await shop?.close();
      if (edge) await stopEdge(edge);
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    }, { timeout: 30_000 });

    test('snippet loads the tracker from its host', () => {
      assert.ok(snippet.includes(`src="${routeCase.snippetScriptUrl}"`), snippet);

      const hosts = new Set([...trackerRequests.values()].map((request) => request.url.host));
      assert.deepEqual([...hosts], [routeCase.scriptHost]);
    });

    test('tracker posts one request per event', () => {
      const posts = [...trackerRequests.values()].filter((request) => request.url.pathname === DEFAULT_EVENT_PATH);

      assert.equal(posts.length, 4);
      for (const post of posts) {
        assert.equal(post.method, 'POST');
        assert.equal(post.status, 202, `status of POST ${post.url}`);
      }
    });

    test('totals match the visit', async () => {
      const [totals] = await query({ metrics: ['pageviews', 'events', 'visitors', 'visits'] });

      assert.deepEqual(totals?.metrics, [3, 4, 1, 1], statsWaitError || undefined);
    });

    test(`route is ${routeCase.route} only`, async () => {
      const rows = rowsByDimensions(await query({ metrics: ['pageviews', 'events', 'visitors'], dimensions: ['visit:route'] }));

      assert.deepEqual(rows, { [routeCase.route]: [3, 4, 1] });
    });

    test('device class is desktop only', async () => {
      const rows = rowsByDimensions(await query({ metrics: ['pageviews', 'visitors'], dimensions: ['visit:device'] }));

      assert.deepEqual(rows, { desktop: [3, 1] });
    });

    test('pageviews per page', async () => {
      const rows = rowsByDimensions(
        await query({
          metrics: ['pageviews'],
          dimensions: ['event:page'],
          filters: [['is', 'event:name', ['pageview']]],
        }),
      );

      assert.deepEqual(rows, { '/': [2], '/products': [1] });
    });

    test('events per name', async () => {
      const rows = rowsByDimensions(await query({ metrics: ['events'], dimensions: ['event:name'] }));

      assert.deepEqual(rows, { pageview: [3], Signup: [1] });
    });

    test('custom event keeps its property and page', async () => {
      const rows = rowsByDimensions(
        await query({
          metrics: ['events', 'visitors'],
          dimensions: ['event:props:plan', 'event:page'],
          filters: [['is', 'event:name', ['Signup']]],
        }),
      );

      assert.deepEqual(rows, { 'pro|/products': [1, 1] });
    });
  });
}
