/**
 * First-party cookies set by the edge, through the real server: requests carry the Host header
 * of the property's first-party host to the loopback server. A raw HTTP client keeps `Secure`
 * cookies over plain HTTP, which a browser would not.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { makeTempDir, runCli, startServerProcess, waitFor, type ServerProcess } from '../helpers/server-process.js';
import { DESKTOP_CHROME_UA, rawRequest, totalOf, type RawResponse } from '../helpers/http.js';

const SITE = 'cookies.example';
const FIRST_PARTY_HOST = 'stats.cookies.example';
const VISITOR_COOKIE = '__Host-dk_vid';
const SESSION_COOKIE = '__Host-dk_sid';
const FIREFOX_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const DAY_MS = 24 * 60 * 60 * 1000;

interface SetCookie {
  name: string;
  value: string;
  /** Attribute names in lower case, mapped to their values ('' for flags). */
  attributes: Map<string, string>;
}

/** Split `Set-Cookie` headers into name, value and attributes. */
function setCookies(response: RawResponse): SetCookie[] {
  const headers = response.headers['set-cookie'] ?? [];
  return headers.map((header) => {
    const [pair, ...parts] = header.split(';').map((part) => part.trim());
    const equals = pair!.indexOf('=');
    const attributes = new Map<string, string>();
    for (const part of parts) {
      const at = part.indexOf('=');
      if (at === -1) attributes.set(part.toLowerCase(), '');
      else attributes.set(part.slice(0, at).toLowerCase(), part.slice(at + 1));
    }
    return { name: pair!.slice(0, equals), value: pair!.slice(equals + 1), attributes };
  });
}

function assertEdgeCookieFlags(cookie: SetCookie): void {
  assert.ok(cookie.attributes.has('secure'), `${cookie.name} is Secure`);
  assert.ok(cookie.attributes.has('httponly'), `${cookie.name} is HttpOnly`);
  assert.equal(cookie.attributes.get('samesite'), 'Lax');
  assert.equal(cookie.attributes.get('path'), '/');
  assert.ok(!cookie.attributes.has('domain'), `${cookie.name} is host-only`);
}

describe('first-party cookies', () => {
  const dataDir = makeTempDir();
  let server: ServerProcess;
  let key: string;
  let visitorValue = '';
  let sessionValue = '';
  /** Every cookie value the edge issued, for the leak check at the end. */
  const issued = new Set<string>();

  before(async () => {
    assert.equal((await runCli(['sites', 'add', SITE, '--first-party-host', FIRST_PARTY_HOST, '--data', dataDir])).code, 0);
    assert.equal((await runCli(['consent', 'set', SITE, '--mode', 'consent-cookies', '--data', dataDir])).code, 0);
    key = (await runCli(['keys', 'create', '--data', dataDir])).stdout.trim().split('\n').at(-1)!;
    server = await startServerProcess({ dataDir, args: ['--log-level', 'trace'] });
  });

  after(async () => {
    await server?.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function track(options: { host?: string; consent?: string; cookies?: string; userAgent?: string; page?: string }): Promise<RawResponse> {
    const headers: Record<string, string> = {
      Host: options.host ?? FIRST_PARTY_HOST,
      'Content-Type': 'text/plain',
      'User-Agent': options.userAgent ?? DESKTOP_CHROME_UA,
    };
    if (options.cookies) headers.Cookie = options.cookies;
    const payload: Record<string, unknown> = { n: 'pageview', u: `https://${SITE}${options.page ?? '/'}`, d: SITE };
    if (options.consent) payload.c = options.consent;
    const response = await rawRequest(`${server.url}/_dk/e`, { headers, body: JSON.stringify(payload) });
    assert.equal(response.status, 202, response.body);
    for (const cookie of setCookies(response)) if (cookie.value) issued.add(cookie.value);
    return response;
  }

  it('sets both cookies on a granted first visit', async () => {
    const response = await track({ consent: 'g---', page: '/first' });
    assert.equal(response.headers['x-datakant-stored'], '1');
    const cookies = setCookies(response);
    assert.deepEqual(cookies.map((cookie) => cookie.name).sort(), [SESSION_COOKIE, VISITOR_COOKIE]);
    const visitor = cookies.find((cookie) => cookie.name === VISITOR_COOKIE)!;
    const session = cookies.find((cookie) => cookie.name === SESSION_COOKIE)!;
    assertEdgeCookieFlags(visitor);
    assertEdgeCookieFlags(session);
    assert.equal(visitor.attributes.get('max-age'), String(390 * 24 * 60 * 60));
    assert.equal(session.attributes.get('max-age'), '1800');
    const visitorExpiry = Date.parse(visitor.attributes.get('expires')!);
    assert.ok(Math.abs(visitorExpiry - (Date.now() + 390 * DAY_MS)) < DAY_MS, 'visitor cookie expires in 390 days');
    const sessionExpiry = Date.parse(session.attributes.get('expires')!);
    assert.ok(Math.abs(sessionExpiry - (Date.now() + 30 * 60 * 1000)) < 5 * 60 * 1000, 'session cookie expires in 30 minutes');
    assert.match(visitor.value, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(visitor.value, session.value);
    assert.equal(response.headers['cache-control'], 'no-store');
    visitorValue = visitor.value;
    sessionValue = session.value;
  });

  it('renews only the session cookie on a second visit', async () => {
    const response = await track({ consent: 'g---', cookies: `${VISITOR_COOKIE}=${visitorValue}; ${SESSION_COOKIE}=${sessionValue}; _ga=GA1.1.5`, page: '/second' });
    const cookies = setCookies(response);
    assert.deepEqual(cookies.map((cookie) => cookie.name), [SESSION_COOKIE]);
    assert.equal(cookies[0]!.value, sessionValue);
    assert.equal(cookies[0]!.attributes.get('max-age'), '1800');
  });

  it('takes the visitor from the cookie, not the hash', async () => {
    // Another user-agent gives another daily hash, but the cookie keeps the visitor and session.
    await track({ consent: 'g---', cookies: `${VISITOR_COOKIE}=${visitorValue}; ${SESSION_COOKIE}=${sessionValue}`, userAgent: FIREFOX_UA, page: '/third' });
    assert.equal(await totalOf(server.url, key, SITE, 'pageviews'), 3);
    assert.equal(await totalOf(server.url, key, SITE, 'visitors'), 1);
    assert.equal(await totalOf(server.url, key, SITE, 'visits'), 1);
  });

  it('sets no cookie without an analytics signal', async () => {
    const response = await track({ cookies: `${VISITOR_COOKIE}=${visitorValue}`, page: '/no-signal' });
    assert.equal(response.headers['x-datakant-stored'], '1');
    assert.equal(response.headers['set-cookie'], undefined);
    // Without a grant the cookie is not read: the event gets the daily-hash visitor.
    assert.equal(await totalOf(server.url, key, SITE, 'visitors'), 2);
  });

  it('sets no cookie on the standard route', async () => {
    const response = await track({ host: '127.0.0.1', consent: 'g---', page: '/standard' });
    assert.equal(response.headers['x-datakant-stored'], '1');
    assert.equal(response.headers['set-cookie'], undefined);
    const denied = await track({ host: '127.0.0.1', consent: 'd---', cookies: `${VISITOR_COOKIE}=${visitorValue}` });
    assert.equal(denied.headers['set-cookie'], undefined);
  });

  it('clears both cookies on withdrawal', async () => {
    const response = await track({ consent: 'd---', cookies: `${VISITOR_COOKIE}=${visitorValue}; ${SESSION_COOKIE}=${sessionValue}` });
    assert.equal(response.headers['x-datakant-stored'], '0');
    const cookies = setCookies(response);
    assert.deepEqual(cookies.map((cookie) => cookie.name).sort(), [SESSION_COOKIE, VISITOR_COOKIE]);
    for (const cookie of cookies) {
      assert.equal(cookie.value, '');
      assert.equal(cookie.attributes.get('max-age'), '0');
      assert.equal(Date.parse(cookie.attributes.get('expires')!), 0);
      assertEdgeCookieFlags(cookie);
    }
  });

  it('sets no cookie in the cookieless mode', async () => {
    assert.equal((await runCli(['consent', 'set', SITE, '--mode', 'cookieless', '--data', dataDir])).code, 0);
    const response = await waitFor(
      async () => {
        const answer = await track({ consent: 'g---', page: '/cookieless' });
        return answer.headers['set-cookie'] === undefined ? answer : undefined;
      },
      10_000,
      'the cookieless mode to apply',
    );
    assert.equal(response.headers['x-datakant-stored'], '1');
    const leftover = await track({ consent: 'g---', cookies: `${VISITOR_COOKIE}=${visitorValue}` });
    const cleared = setCookies(leftover);
    assert.ok(cleared.length === 2 && cleared.every((cookie) => cookie.attributes.get('max-age') === '0'), 'leftover cookies are cleared');
  });

  it('keeps cookie values out of files, logs and rows', async () => {
    assert.ok(issued.size >= 2);
    await server.stop();
    const needles = [...issued].flatMap((value) => [Buffer.from(value), Buffer.from(value, 'base64url')]);
    const leaks = (haystack: Buffer) => needles.filter((needle) => haystack.includes(needle)).length;

    const files = fs.readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    for (const file of files) {
      const full = path.join(file.parentPath, file.name);
      assert.equal(leaks(fs.readFileSync(full)), 0, `no cookie value in ${path.relative(dataDir, full)}`);
    }
    assert.equal(leaks(Buffer.from(server.output())), 0, 'no cookie value in the log output');
    assert.ok(server.output().includes('"statusCode":202'), 'the log did record the requests');

    const instance = await DuckDBInstance.create(path.join(dataDir, 'events.duckdb'));
    const connection = await instance.connect();
    const rows = (await connection.runAndReadAll('SELECT * FROM events')).getRowObjectsJson();
    connection.closeSync();
    instance.closeSync();
    assert.ok(rows.length >= 6);
    assert.equal(leaks(Buffer.from(JSON.stringify(rows))), 0, 'no cookie value in the stored rows');
  });
});
