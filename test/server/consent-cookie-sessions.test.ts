/**
 * In the consent-cookies mode a new session cookie starts a new session with its own
 * attributes, even while the visitor's previous in-memory session is still open.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { makeTempDir, runCli, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { DESKTOP_CHROME_UA, queryStats, rawRequest } from '../helpers/http.js';

const SITE = 'sessions.example';
const FIRST_PARTY_HOST = 'stats.sessions.example';

let dataDir: string;
let server: ServerProcess;
let key: string;

before(async () => {
  dataDir = makeTempDir();
  assert.equal((await runCli(['sites', 'add', SITE, '--first-party-host', FIRST_PARTY_HOST, '--data', dataDir])).code, 0);
  assert.equal((await runCli(['consent', 'set', SITE, '--mode', 'consent-cookies', '--data', dataDir])).code, 0);
  key = (await runCli(['keys', 'create', '--data', dataDir])).stdout.trim().split('\n').at(-1)!;
  server = await startServerProcess({ dataDir });
});

after(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function pageview(page: string, referrer: string, cookie?: string): Promise<Record<string, string>> {
  const response = await rawRequest(`${server.url}/_dk/e`, {
    headers: {
      Host: FIRST_PARTY_HOST,
      'Content-Type': 'text/plain',
      'User-Agent': DESKTOP_CHROME_UA,
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: JSON.stringify({ n: 'pageview', u: `https://${SITE}${page}`, d: SITE, r: referrer, c: 'g---' }),
  });
  assert.equal(response.status, 202, response.body);
  const cookies: Record<string, string> = {};
  for (const header of response.headers['set-cookie'] ?? []) {
    const [pair] = header.split(';');
    const [name, value] = pair!.split('=');
    cookies[name!] = value!;
  }
  return cookies;
}

it('starts new session attributes with a new session cookie', async () => {
  const first = await pageview('/from-google', 'https://www.google.com/');
  const visitorCookie = first['__Host-dk_vid'];
  assert.ok(visitorCookie, 'the first visit gets a visitor cookie');

  // The session cookie is gone (cleared by the browser, say) but the visitor cookie stays:
  // the edge issues a new session, whose entry page and source are this event's.
  const second = await pageview('/from-bing', 'https://www.bing.com/', `__Host-dk_vid=${visitorCookie}`);
  assert.ok(second['__Host-dk_sid'], 'a new session cookie is issued');

  const answer = await queryStats(server.url, key, {
    site_id: SITE,
    metrics: ['visits'],
    date_range: 'all',
    dimensions: ['visit:entry_page', 'visit:source'],
  });
  const rows = answer.results.map((row) => `${row.dimensions[0]} ${row.dimensions[1]} ${row.metrics[0]}`).sort();
  assert.deepEqual(rows, ['/from-bing Bing 1', '/from-google Google 1']);
});
