import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../e2e/browser.js';
import { renderSnippet } from '../../src/snippet.js';
import { DEFAULT_EVENT_PATH, DEFAULT_SCRIPT_PATH, EVENT_PATH_PLACEHOLDER } from '../../src/tracker-paths.js';
import { buildTracker } from './built-script.js';

const skip = chromiumMissing;

// Every name below is mapped to the test server by Chromium's --host-resolver-rules.
const SHOP = 'shop.test';
const FIRST_PARTY_HOST = 'analytics.shop.test';
const INGEST_HOST = 'ingest.test';

/** Maximum wait for a request or message that the page is expected to produce. */
const WAIT_LIMIT_MS = 10_000;

interface ReceivedRequest {
  method: string;
  host: string;
  path: string;
  contentType: string | undefined;
  cookie: string | undefined;
  body: string;
}

interface TrackedEvent {
  n: string;
  u: string;
  d: string;
  r: string | null;
  p?: Record<string, unknown>;
  $?: { amount: string; currency: string };
  i?: 0;
  t?: 1;
}

let server: Server;
let browser: Browser;
let script: string;
const received: ReceivedRequest[] = [];

/** Page HTML for the variants the tests load, chosen by the query string. */
function renderPage(query: URLSearchParams): string {
  const scriptHost = query.get('route') === 'standard' ? INGEST_HOST : FIRST_PARTY_HOST;
  const scriptUrl = `http://${scriptHost}${DEFAULT_SCRIPT_PATH}`;
  let tracking = renderSnippet({ domain: SHOP, scriptUrl });
  if (query.has('no-domain')) tracking = tracking.replace(` data-domain="${SHOP}"`, ' data-debug');
  if (query.has('twice')) tracking += `\n<script defer data-domain="${SHOP}" src="${scriptUrl}"></script>`;

  const queuedEvent = `datakant('Signup', { props: { plan: 'pro' }, revenue: { amount: '9.99', currency: 'EUR' } });`;
  return `<!doctype html><html><head>${tracking}<script>${queuedEvent}</script></head><body>shop</body></html>`;
}

function handle(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const url = new URL(request.url ?? '/', 'http://placeholder');

    if (request.method === 'GET' && url.pathname === DEFAULT_SCRIPT_PATH) {
      // A first-party cookie, to see that the tracker's requests carry cookies.
      response.writeHead(200, { 'Content-Type': 'text/javascript', 'Set-Cookie': 'dk_test=1; Path=/; SameSite=Lax' });
      response.end(script);
      return;
    }
    if (request.method === 'GET' && request.headers.host === SHOP) {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(renderPage(url.searchParams));
      return;
    }

    received.push({
      method: request.method ?? '',
      host: request.headers.host ?? '',
      path: url.pathname,
      contentType: request.headers['content-type'],
      cookie: request.headers.cookie,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    response.writeHead(request.method === 'POST' ? 202 : 404);
    response.end();
  });
}

before(async () => {
  if (skip) return;

  // The server does this substitution when it serves the script.
  script = (await buildTracker()).code.toString('utf8').replace(EVENT_PATH_PLACEHOLDER, DEFAULT_EVENT_PATH);

  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  browser = await launchChromium({ [SHOP]: port, [FIRST_PARTY_HOST]: port, [INGEST_HOST]: port });
});

after(async () => {
  await browser?.close();
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Events the server received from `host`, in arrival order. */
function eventsFrom(host: string): TrackedEvent[] {
  return received
    .filter((request) => request.host === host && request.method === 'POST')
    .map((request) => JSON.parse(request.body) as TrackedEvent);
}

async function waitFor(description: string, ready: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!ready()) {
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting for ${description}; received: ${JSON.stringify(received, null, 1)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Opens a page that records the resource type of every tracker request and every console message. */
async function openPage(): Promise<{ page: Page; resourceTypes: string[]; consoleMessages: string[] }> {
  const page = await browser.newPage();
  const resourceTypes: string[] = [];
  const consoleMessages: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === DEFAULT_EVENT_PATH) resourceTypes.push(request.resourceType());
  });
  page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()}`));
  return { page, resourceTypes, consoleMessages };
}

const countPageviews = (events: TrackedEvent[], url: string) =>
  events.filter((event) => event.n === 'pageview' && event.u === url).length;

test('first-party route tracks navigations', { skip, timeout: 60_000 }, async () => {
  received.length = 0;
  const { page, resourceTypes, consoleMessages } = await openPage();
  const home = `http://${SHOP}/`;
  const pricing = `http://${SHOP}/pricing`;
  const events = () => eventsFrom(FIRST_PARTY_HOST);

  await page.goto(home);
  await waitFor('the first pageview and the queued event', () => events().length >= 2);

  await page.evaluate(() => history.pushState({}, '', '/pricing'));
  await waitFor('the pageview after pushState', () => countPageviews(events(), pricing) === 1);

  // Same pathname and search: no pageview. The marker event shows the tracker is still running.
  await page.evaluate(() => {
    history.pushState({}, '', '/pricing#plans');
    (window as unknown as { datakant: (name: string, options: object) => void }).datakant('Marker', {
      interactive: false,
    });
  });
  await waitFor('the marker event', () => events().some((event) => event.n === 'Marker'));

  await page.evaluate(() => history.go(-2));
  await waitFor('the pageview after going back', () => countPageviews(events(), home) === 2);
  await page.close();

  const all = events();
  assert.deepEqual(all.find((event) => event.n === 'pageview'), { n: 'pageview', u: home, d: SHOP, r: null });
  assert.deepEqual(all.find((event) => event.n === 'Signup'), {
    n: 'Signup',
    u: home,
    d: SHOP,
    r: null,
    p: { plan: 'pro' },
    $: { amount: '9.99', currency: 'EUR' },
  });
  assert.deepEqual(all.find((event) => event.n === 'Marker'), { n: 'Marker', u: `${pricing}#plans`, d: SHOP, r: null, i: 0 });
  assert.equal(countPageviews(all, pricing), 1, 'pageviews of /pricing');
  assert.equal(all.length, 5, 'events in total');

  for (const request of received) {
    assert.equal(request.method, 'POST', 'no preflight or other request reached the edge');
    assert.equal(request.path, DEFAULT_EVENT_PATH);
    assert.equal(request.contentType, 'text/plain;charset=UTF-8');
    assert.equal(request.cookie, 'dk_test=1', 'the first-party cookie goes with the event');
  }
  assert.deepEqual(new Set(resourceTypes), new Set(['ping']), 'events go out as beacons');
  assert.deepEqual(consoleMessages, []);
});

test('standard route posts with fetch', { skip, timeout: 60_000 }, async () => {
  received.length = 0;
  const { page, resourceTypes, consoleMessages } = await openPage();

  await page.goto(`http://${SHOP}/?route=standard`);
  await waitFor('the pageview and the queued event', () => eventsFrom(INGEST_HOST).length >= 2);
  await page.close();

  const names = eventsFrom(INGEST_HOST).map((event) => event.n);
  assert.deepEqual(names.sort(), ['Signup', 'pageview']);
  for (const request of received) {
    assert.equal(request.method, 'POST', 'no preflight or other request reached the edge');
    assert.equal(request.contentType, 'text/plain;charset=UTF-8');
  }
  assert.deepEqual(new Set(resourceTypes), new Set(['fetch']), 'events go out with fetch');
  assert.deepEqual(consoleMessages, []);
});

test('script included twice tracks once', { skip, timeout: 60_000 }, async () => {
  received.length = 0;
  const { page } = await openPage();

  await page.goto(`http://${SHOP}/?twice`);
  await waitFor('the pageview and the queued event', () => eventsFrom(FIRST_PARTY_HOST).length >= 2);
  await page.evaluate(() => (window as unknown as { datakant: (name: string) => void }).datakant('Marker'));
  await waitFor('the marker event', () => eventsFrom(FIRST_PARTY_HOST).some((event) => event.n === 'Marker'));
  await page.close();

  const names = eventsFrom(FIRST_PARTY_HOST).map((event) => event.n);
  assert.deepEqual(names.sort(), ['Marker', 'Signup', 'pageview']);
});

test('debug mode explains unsent events', { skip, timeout: 60_000 }, async () => {
  received.length = 0;
  const { page, consoleMessages } = await openPage();

  await page.goto(`http://${SHOP}/?no-domain`);
  await waitFor('two warnings', () => consoleMessages.length >= 2);
  await page.close();

  assert.deepEqual(consoleMessages, [
    'warning: datakant: event not sent: no data-domain attribute',
    'warning: datakant: event not sent: no data-domain attribute',
  ]);
  assert.deepEqual(received, []);
});
