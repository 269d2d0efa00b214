import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { makeTempDir, runCli, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { DESKTOP_CHROME_UA, postEvent, rawRequest, totalOf } from '../helpers/http.js';

const SITE = 'shop.example';
const VALID = { domain: SITE, name: 'pageview', url: 'https://shop.example/products' };

interface BadCase {
  name: string;
  send: (base: string) => ReturnType<typeof rawRequest>;
  status: number;
  code: string;
  /** A field path the answer must name, when the problem is in one field. */
  path?: string;
}

const CASES: BadCase[] = [
  { name: 'malformed JSON', send: (base) => postEvent(base, '{"domain": "shop.example",'), status: 400, code: 'invalid_json' },
  { name: 'JSON that is not an object', send: (base) => postEvent(base, '[1,2,3]'), status: 400, code: 'invalid_body' },
  { name: 'empty body', send: (base) => postEvent(base, ''), status: 400, code: 'invalid_body' },
  { name: 'name with a NUL character', send: (base) => postEvent(base, { ...VALID, name: 'Sign\u0000up' }), status: 400, code: 'invalid_body', path: '/name' },
  { name: 'name of the wrong type', send: (base) => postEvent(base, { ...VALID, name: 42 }), status: 400, code: 'invalid_body', path: '/name' },
  { name: 'url missing', send: (base) => postEvent(base, { domain: SITE, name: 'pageview' }), status: 400, code: 'invalid_body', path: '/url' },
  { name: 'props nested object', send: (base) => postEvent(base, { ...VALID, props: { a: { b: 1 } } }), status: 400, code: 'invalid_body', path: '/props/a' },
  { name: 'revenue without currency', send: (base) => postEvent(base, { ...VALID, name: 'Buy', revenue: { amount: '1.00' } }), status: 400, code: 'invalid_body', path: '/revenue/currency' },
  { name: 'interactive as a string', send: (base) => postEvent(base, { ...VALID, interactive: 'yes' }), status: 400, code: 'invalid_body', path: '/interactive' },
  { name: 'relative page URL', send: (base) => postEvent(base, { ...VALID, url: '/products' }), status: 400, code: 'invalid_body', path: '/url' },
  { name: 'javascript page URL', send: (base) => postEvent(base, { ...VALID, url: 'javascript:alert(1)' }), status: 400, code: 'invalid_body', path: '/url' },
  { name: 'oversized body', send: (base) => postEvent(base, { ...VALID, props: { big: 'x'.repeat(1000) }, pad: 'y'.repeat(40_000) }), status: 413, code: 'payload_too_large' },
  { name: 'unknown property', send: (base) => postEvent(base, { ...VALID, domain: 'other.example', url: 'https://other.example/' }), status: 400, code: 'unknown_property', path: '/domain' },
  { name: 'page URL on a foreign host', send: (base) => postEvent(base, { ...VALID, url: 'https://evil.example/shop.example' }), status: 400, code: 'foreign_page_url', path: '/url' },
  { name: 'page URL on a look-alike host', send: (base) => postEvent(base, { ...VALID, url: 'https://notshop.example/' }), status: 400, code: 'foreign_page_url', path: '/url' },
  {
    name: 'missing User-Agent',
    send: (base) => rawRequest(`${base}/api/event`, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(VALID) }),
    status: 400,
    code: 'missing_user_agent',
  },
  {
    name: 'tracker payload missing the domain',
    send: (base) => rawRequest(`${base}/_dk/e`, { headers: { 'Content-Type': 'text/plain', 'User-Agent': DESKTOP_CHROME_UA }, body: JSON.stringify({ n: 'pageview', u: 'https://shop.example/' }) }),
    status: 400,
    code: 'invalid_body',
    path: '/d',
  },
  {
    name: 'tracker payload of random bytes',
    send: (base) => rawRequest(`${base}/_dk/e`, { headers: { 'Content-Type': 'text/plain', 'User-Agent': DESKTOP_CHROME_UA }, body: Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22]) }),
    status: 400,
    code: 'invalid_json',
  },
];

describe('intake with bad input', () => {
  let dataDir: string;
  let server: ServerProcess;
  let key: string;

  before(async () => {
    dataDir = makeTempDir();
    assert.equal((await runCli(['sites', 'add', SITE, '--data', dataDir])).code, 0);
    key = (await runCli(['keys', 'create', '--data', dataDir])).stdout.trim().split('\n').at(-1)!;
    server = await startServerProcess({ dataDir });
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  for (const badCase of CASES) {
    it(`rejects ${badCase.name}`, async () => {
      const response = await badCase.send(server.url);
      assert.equal(response.status, badCase.status, response.body);
      const body = JSON.parse(response.body) as { error: { code: string; message: string; fields?: { path: string }[] } };
      assert.equal(body.error.code, badCase.code);
      assert.ok(body.error.message.length > 10, 'the answer explains the problem');
      assert.doesNotMatch(response.body, /at .*\.(ts|js):\d+/, 'no stack trace in the answer');
      if (badCase.path) {
        assert.ok(body.error.fields?.some((field) => field.path === badCase.path), `fields name ${badCase.path}: ${response.body}`);
      }
    });
  }

  it('stores nothing from rejected requests', async () => {
    assert.equal(await totalOf(server.url, key, SITE, 'events'), 0);
    const accepted = await postEvent(server.url, VALID);
    assert.equal(accepted.status, 202, accepted.body);
    assert.equal(await totalOf(server.url, key, SITE, 'events'), 1);
  });

  it('keeps serving after every bad request', async () => {
    const health = await rawRequest(`${server.url}/healthz`, { method: 'GET' });
    assert.equal(health.status, 200);
  });
});
