import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FiltersEngine, Request, type RequestType } from '@ghostery/adblocker';
import { DEFAULT_EVENT_PATH, DEFAULT_SCRIPT_PATH } from '../../src/tracker-paths.js';

// EasyList and EasyPrivacy as shipped by Debian's webext-ublock-origin-chromium package.
const LIST_DIRECTORY = '/usr/share/chromium/extensions/ublock-origin/assets/thirdparties/easylist';
const LIST_FILES = ['easylist.txt', 'easyprivacy.txt'];

const PAGE_URL = 'https://shop.example/';
const FIRST_PARTY_HOSTS = ['analytics.shop.example', 'stats.shop.example', 'shop.example'];
const INGEST_HOST = 'ingest.datakant.example';
// Chromium's webRequest types for a script tag, XMLHttpRequest, fetch and sendBeacon.
const REQUEST_TYPES: RequestType[] = ['script', 'xmlhttprequest', 'fetch', 'ping'];

const listsPresent = existsSync(LIST_DIRECTORY);
const skip =
  !listsPresent && !process.env.CI
    ? `${LIST_DIRECTORY} not found; install Debian's webext-ublock-origin-chromium package`
    : false;

let engine: FiltersEngine | undefined;

function loadEngine(): FiltersEngine {
  if (!listsPresent) assert.fail(`${LIST_DIRECTORY} not found; install Debian's webext-ublock-origin-chromium package`);
  engine ??= FiltersEngine.parse(LIST_FILES.map((file) => readFileSync(join(LIST_DIRECTORY, file), 'utf8')).join('\n'), {
    debug: true,
    enableOptimizations: false,
  });
  return engine;
}

/** Returns the raw line of the rule that blocks the request, or undefined when none does. */
function blockingRule(url: string, type: RequestType): string | undefined {
  const result = loadEngine().match(Request.fromRawDetails({ url, sourceUrl: PAGE_URL, type }));
  if (!result.match) return undefined;
  return result.filter?.rawLine ?? '(rule text not kept)';
}

test('blocklists pass default paths first-party', { skip }, () => {
  for (const host of FIRST_PARTY_HOSTS) {
    for (const path of [DEFAULT_SCRIPT_PATH, DEFAULT_EVENT_PATH]) {
      for (const type of REQUEST_TYPES) {
        const url = `https://${host}${path}`;
        assert.equal(blockingRule(url, type), undefined, `${type} request to ${url} from ${PAGE_URL}`);
      }
    }
  }
});

test('blocklists pass ingest host except beacons', { skip }, () => {
  for (const path of [DEFAULT_SCRIPT_PATH, DEFAULT_EVENT_PATH]) {
    for (const type of REQUEST_TYPES) {
      const url = `https://${INGEST_HOST}${path}`;
      const rule = blockingRule(url, type);

      // A `$ping,third-party` rule in EasyPrivacy blocks every third-party sendBeacon, which is
      // why the tracker posts with fetch when the endpoint is not on the property's domain.
      if (type === 'ping') assert.equal(rule, '$ping,third-party', `${type} request to ${url} from ${PAGE_URL}`);
      else assert.equal(rule, undefined, `${type} request to ${url} from ${PAGE_URL}`);
    }
  }
});

test('blocklists block a common endpoint', { skip }, () => {
  const url = 'https://analytics.shop.example/api/event';

  for (const type of REQUEST_TYPES) {
    assert.equal(blockingRule(url, type), '://analytics.*/event', `${type} request to ${url} from ${PAGE_URL}`);
  }
});
