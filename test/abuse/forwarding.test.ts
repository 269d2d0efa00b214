/**
 * Spoofing: forwarding headers from an untrusted peer, Host headers of unknown domains when
 * public hosts are set, and page URLs of another property.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { DESKTOP_CHROME_UA, postEvent, queryStats, rawRequest, totalOf } from '../helpers/http.js';
import { makeTempDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { setUpProperties } from './abuse-helpers.js';

const PUBLIC_HOST = 'ingest.spoof.test';
const SHOP = 'shop.spoof.test';
const OTHER = 'other.spoof.test';
const SHOP_FIRST_PARTY = 'stats.shop.spoof.test';
/** Addresses with a known country in the bundled geo database. */
const FORWARDED_ADDRESSES = ['193.0.6.139', '195.113.144.201', '1.1.1.1'];

let dataDir: string;
let key: string;
let server: ServerProcess;

before(async () => {
  dataDir = makeTempDir('datakant-spoof-');
  key = await setUpProperties(dataDir, [{ domain: SHOP, firstPartyHost: SHOP_FIRST_PARTY }, { domain: OTHER }]);
  // No --trusted-proxies: the loopback peer of these tests is untrusted.
  server = await startServerProcess({ dataDir, env: { DATAKANT_PUBLIC_HOSTS: `${PUBLIC_HOST},127.0.0.1` } });
});

after(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function trackerEvent(domain: string, url: string, headers: Record<string, string>, host = PUBLIC_HOST) {
  return rawRequest(`${server.url}/_dk/e`, {
    headers: { 'Content-Type': 'text/plain', 'User-Agent': DESKTOP_CHROME_UA, Host: host, ...headers },
    body: JSON.stringify({ n: 'pageview', u: url, d: domain }),
  });
}

test('untrusted forwarding headers are ignored', async () => {
  for (const address of FORWARDED_ADDRESSES) {
    const response = await trackerEvent(SHOP, `https://${SHOP}/`, { 'X-Forwarded-For': address, Forwarded: `for=${address}` });
    assert.equal(response.status, 202);
  }
  const countries = await queryStats(server.url, key, { site_id: SHOP, metrics: ['visitors'], date_range: 'all', dimensions: ['visit:country'] });
  const visitors = await totalOf(server.url, key, SHOP, 'visitors');

  // The peer is loopback, which has no country, and the visitor hash saw one address.
  assert.deepEqual(countries.results.map((row) => row.dimensions[0]), ['(not set)']);
  assert.equal(visitors, 1);
});

test('unknown Host headers are rejected', async () => {
  for (const host of ['evil.test', `${SHOP}.evil.test`, `x${PUBLIC_HOST}`, 'stats.other.spoof.test']) {
    const response = await trackerEvent(SHOP, `https://${SHOP}/`, {}, host);
    assert.equal(response.status, 421, `Host ${host}`);
  }
  assert.equal((await trackerEvent(SHOP, `https://${SHOP}/`, {}, PUBLIC_HOST)).status, 202);
  assert.equal((await trackerEvent(SHOP, `https://${SHOP}/`, {}, SHOP_FIRST_PARTY)).status, 202);
});

test('page URLs of another property are rejected', async () => {
  const before = await totalOf(server.url, key, SHOP, 'events');
  const foreign = await postEvent(server.url, { domain: SHOP, name: 'pageview', url: `https://${OTHER}/` }, { 'User-Agent': DESKTOP_CHROME_UA });
  const lookalike = await postEvent(server.url, { domain: SHOP, name: 'pageview', url: `https://${SHOP}.${OTHER}/` }, { 'User-Agent': DESKTOP_CHROME_UA });
  const wrongFirstParty = await trackerEvent(OTHER, `https://${OTHER}/`, {}, SHOP_FIRST_PARTY);

  assert.equal(foreign.status, 400);
  assert.match(foreign.body, /foreign_page_url/);
  assert.equal(lookalike.status, 400);
  assert.equal(wrongFirstParty.status, 400);
  assert.match(wrongFirstParty.body, /wrong_first_party_host/);
  assert.equal(await totalOf(server.url, key, SHOP, 'events'), before);
  assert.equal(await totalOf(server.url, key, OTHER, 'events'), 0);
});
