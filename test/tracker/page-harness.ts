/**
 * A local server and Debian's Chromium for tracker tests: the server serves test pages on
 * `shop.test` and `frame.test`, the built scripts on `analytics.shop.test` (the first-party
 * route), and records every event the tracker posts there.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../e2e/browser.js';
import { QUEUE_STUB } from '../../src/snippet.js';
import { DEFAULT_EVENT_PATH, EVENT_PATH_PLACEHOLDER } from '../../src/tracker-paths.js';
import { buildTracker } from './built-script.js';

export const SHOP = 'shop.test';
export const FRAME_HOST = 'frame.test';
export const FIRST_PARTY_HOST = 'analytics.shop.test';

/** Maximum wait for an event that the page is expected to send, in milliseconds. */
const WAIT_LIMIT_MS = 10_000;

/** The tracker's payload, with the consent fields. */
export interface TrackedEvent {
  n: string;
  u: string;
  d: string;
  r: string | null;
  p?: Record<string, unknown>;
  i?: 0;
  t?: 1;
  c?: string;
  tc?: string;
  g?: 1;
}

export interface PageHarness {
  browser: Browser;
  /** Events received since the last `clear()`, in arrival order. */
  events(): TrackedEvent[];
  clear(): void;
  /** Serves `html` at `http://<host><path>` until replaced. */
  setPage(host: string, path: string, html: string): void;
  /** Waits until an event satisfies `match`, and returns it. */
  waitForEvent(description: string, match: (event: TrackedEvent) => boolean): Promise<TrackedEvent>;
  close(): Promise<void>;
}

export interface TrackerTagOptions {
  /** `s.js` or `s.cmp.js`. */
  file: 's.js' | 's.cmp.js';
  /** Value of `data-consent-wait`, if any. */
  consentWait?: number;
}

/** The snippet's queue stub and the tracker tag, loading `file` from the first-party host. */
export function renderTrackerTags({ file, consentWait }: TrackerTagOptions): string {
  const wait = consentWait === undefined ? '' : ` data-consent-wait="${consentWait}"`;
  return (
    `<script>${QUEUE_STUB}</script>\n` +
    `<script defer data-domain="${SHOP}"${wait} src="http://${FIRST_PARTY_HOST}/_dk/${file}"></script>`
  );
}

/** A page with `head` (scripts) in its head. */
export function renderPage(head: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">${head}</head><body>page</body></html>`;
}

/** Starts the server and Chromium. The caller closes both with `close()`. */
export async function startPageHarness(): Promise<PageHarness> {
  const built = await buildTracker();
  const scripts: Record<string, string> = {
    '/_dk/s.js': built.code.toString('utf8'),
    '/_dk/s.cmp.js': built.cmpCode.toString('utf8'),
  };
  for (const path of Object.keys(scripts)) {
    scripts[path] = scripts[path]!.replace(EVENT_PATH_PLACEHOLDER, DEFAULT_EVENT_PATH);
  }

  const pages = new Map<string, string>();
  let received: TrackedEvent[] = [];

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const host = request.headers.host ?? '';
      const path = new URL(request.url ?? '/', 'http://placeholder').pathname;

      if (request.method === 'POST' && host === FIRST_PARTY_HOST && path === DEFAULT_EVENT_PATH) {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as TrackedEvent);
        response.writeHead(202).end();
        return;
      }
      const body = host === FIRST_PARTY_HOST ? scripts[path] : pages.get(host + path);
      if (request.method !== 'GET' || body === undefined) {
        response.writeHead(404).end();
        return;
      }
      const type = host === FIRST_PARTY_HOST ? 'text/javascript' : 'text/html; charset=utf-8';
      response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
    });
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const browser = await launchChromium({ [SHOP]: port, [FRAME_HOST]: port, [FIRST_PARTY_HOST]: port });

  return {
    browser,
    events: () => received,
    clear: () => {
      received = [];
    },
    setPage: (host, path, html) => pages.set(host + path, html),
    async waitForEvent(description, match) {
      const deadline = Date.now() + WAIT_LIMIT_MS;
      for (;;) {
        const found = received.find(match);
        if (found) return found;
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${description}; received: ${JSON.stringify(received)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      await browser.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
