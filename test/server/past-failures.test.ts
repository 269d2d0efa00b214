/**
 * Inputs that once broke the server, each with the answer it must get now.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { makeTempDir, runCli, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { DESKTOP_CHROME_UA, postEvent, queryStats, rawRequest } from '../helpers/http.js';

const SITE = 'past.example';

/** Send raw bytes and return what the server wrote before closing. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.write(bytes);
  });
}

function jsonBodyOf(response: string): { error: { code: string } } {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
}

describe('past failures', () => {
  const dataDir = makeTempDir();
  let server: ServerProcess;
  let key: string;

  before(async () => {
    assert.equal((await runCli(['sites', 'add', SITE, '--data', dataDir])).code, 0);
    key = (await runCli(['keys', 'create', '--data', dataDir])).stdout.trim().split('\n').at(-1)!;
    server = await startServerProcess({ dataDir });
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps property reports working after lone surrogates', async () => {
    // JSON escapes of lone surrogates once made every event:props report fail with 503.
    const tracker = await rawRequest(`${server.url}/_dk/e`, {
      headers: { 'Content-Type': 'text/plain', 'User-Agent': DESKTOP_CHROME_UA },
      body: '{"n":"X","u":"https://past.example/x","d":"past.example","p":{"plan":"\\udc00","\\ud800":"v"}}',
    });
    assert.equal(tracker.status, 202, tracker.body);
    const api = await postEvent(server.url, '{"domain":"past.example","name":"Y","url":"https://past.example/y","props":{"plan":"a\\ud83d"}}');
    assert.equal(api.status, 202, api.body);

    const report = await queryStats(server.url, key, { site_id: SITE, metrics: ['events'], date_range: 'all', dimensions: ['event:props:plan'] });
    const plans = Object.fromEntries(report.results.map((row) => [row.dimensions[0], row.metrics[0]]));
    assert.deepEqual(plans, { '\ufffd': 1, 'a\ufffd': 1 });
  });

  it('keeps a __proto__ property', async () => {
    const response = await postEvent(server.url, '{"domain":"past.example","name":"Z","url":"https://past.example/z","props":{"__proto__":"kept"}}');
    assert.equal(response.status, 202, response.body);
    const report = await queryStats(server.url, key, {
      site_id: SITE,
      metrics: ['events'],
      date_range: 'all',
      dimensions: ['event:props:__proto__'],
      filters: [['is', 'event:name', ['Z']]],
    });
    assert.deepEqual(report.results.map((row) => row.dimensions[0]), ['kept']);
  });

  it('does not echo a malformed body', async () => {
    const response = await postEvent(server.url, 'domain=secret-page.example&x=1');
    assert.equal(response.status, 400);
    assert.equal(JSON.parse(response.body).error.code, 'invalid_json');
    assert.ok(!response.body.includes('secret-page'), response.body);
  });

  it('answers an unknown method in the catalogue shape', async () => {
    const response = await rawExchange(server.port, 'FOO /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.match(response, /^HTTP\/1\.1 400 /);
    assert.equal(jsonBodyOf(response).error.code, 'bad_request');
  });

  it('answers oversized headers in the catalogue shape', async () => {
    const response = await rawExchange(server.port, `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
    assert.match(response, /^HTTP\/1\.1 431 /);
    assert.equal(jsonBodyOf(response).error.code, 'headers_too_large');
  });

  it('rejects a Stats API body that is not JSON', async () => {
    const response = await rawRequest(`${server.url}/api/v2/query`, {
      headers: { 'Content-Type': 'text/plain', Authorization: `Bearer ${key}` },
      body: JSON.stringify({ site_id: SITE, metrics: ['visitors'], date_range: 'all' }),
    });
    assert.equal(response.status, 415, response.body);
    assert.equal(JSON.parse(response.body).error.code, 'unsupported_media_type');
  });
});

describe('start-up settings', () => {
  const dataDir = makeTempDir();

  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const cases: [string, string[], RegExp][] = [
    ['empty port', ['--port', ''], /must be a TCP port/],
    ['hexadecimal port', ['--port', '0x1F41'], /must be a TCP port/],
    ['invalid trusted proxy', ['--trusted-proxies', 'garbage'], /--trusted-proxies: .*garbage/],
    ['missing geo database', ['--geo-database', '/nonexistent/geo.mmdb'], /--geo-database: .*\/nonexistent\/geo\.mmdb/],
    ['invalid public host', ['--public-hosts', 'a b'], /--public-hosts must list host names/],
  ];
  for (const [name, args, message] of cases) {
    it(`rejects ${name} with a message`, async () => {
      const result = await runCli(['serve', '--data', dataDir, ...args]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });
  }

  it('names the setting when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const result = await runCli(['serve', '--data', dataDir, '--host', '127.0.0.1', '--port', String(port)]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      blocker.close();
    }
  });
});
