/**
 * Debian's Chromium driven through playwright-core, for end-to-end tests. Host names are
 * mapped to loopback ports with `--host-resolver-rules`, and every other name fails to
 * resolve, so the browser reaches nothing but the test's own servers.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { DESKTOP_CHROME_UA } from '../helpers/http.js';

/** Debian's `chromium` package installs the browser here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Skip reason for `test(name, { skip })` when the browser is missing on a developer's
 * machine. On CI (the `CI` variable set) a missing browser fails the test instead.
 */
export const chromiumMissing: string | false =
  !existsSync(CHROMIUM_PATH) && !process.env.CI ? `${CHROMIUM_PATH} not found; install Debian's chromium package` : false;

/** Maximum wait of any single browser action, in milliseconds. */
export const BROWSER_ACTION_TIMEOUT_MS = 10_000;

/** Host names to loopback ports: `{ 'shop.test': 41234 }` maps shop.test to 127.0.0.1:41234. */
export type HostRules = Readonly<Record<string, number>>;

/**
 * Builds the `--host-resolver-rules` value. Chromium applies the first rule that matches, so
 * the closing `MAP * ~NOTFOUND` makes every name not listed fail to resolve. That includes IP
 * literals such as `127.0.0.1`, so pages reach the test's servers only through mapped names.
 */
export function hostResolverRules(hostRules: HostRules): string {
  const rules = Object.entries(hostRules).map(([host, port]) => {
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`Invalid port ${port} for host ${host}.`);
    return `MAP ${host} 127.0.0.1:${port}`;
  });
  return [...rules, 'MAP * ~NOTFOUND'].join(', ');
}

/**
 * Launches headless Chromium with `hostRules` mapped to 127.0.0.1. Requests go out with the
 * port of the rule, but servers see the Host header without it (`Host: shop.test`). The
 * caller closes the browser.
 */
export async function launchChromium(hostRules: HostRules, extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
      `--host-resolver-rules=${hostResolverRules(hostRules)}`,
    ],
  });
}

/**
 * Opens a browser context that looks like desktop Chrome. The default headless user-agent
 * contains `HeadlessChrome`, which the edge rightly classes as a bot.
 */
export async function newDesktopContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ userAgent: DESKTOP_CHROME_UA, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(BROWSER_ACTION_TIMEOUT_MS);
  return context;
}
