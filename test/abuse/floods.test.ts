/**
 * Floods a real `datakant serve`: oversized bodies, slowly trickled bodies, many idle
 * connections, and many properties and unknown hosts at once. Limits must hold, and a
 * well-behaved client must still be answered within WELL_BEHAVED_BOUND_MS while the flood
 * runs. The bound is generous on purpose: it separates "still served" from "starved", it
 * does not measure speed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { DESKTOP_CHROME_UA, postEvent } from '../helpers/http.js';
import { makeTempDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { setUpProperties, storedEventCount } from './abuse-helpers.js';
import { buildRequest, sendRaw } from './raw-http.js';

const WELL_BEHAVED_BOUND_MS = 5_000;
const PUBLIC_HOST = 'ingest.flood.test';
const PROPERTIES = Array.from({ length: 40 }, (_, index) => `site${index}.flood.test`);
/** The server's requestTimeout: a request must be complete within this many milliseconds. */
const REQUEST_TIMEOUT_MS = 10_000;
/** How late after requestTimeout the server may close a trickling connection. */
const TIMEOUT_SLACK_MS = 5_000;

let dataDir: string;
let key: string;
let server: ServerProcess;

before(async () => {
  dataDir = makeTempDir('datakant-floods-');
  key = await setUpProperties(dataDir, PROPERTIES.map((domain) => ({ domain })));
  // 127.0.0.1 stays public so the Stats API can be read at the server's URL.
  server = await startServerProcess({ dataDir, env: { DATAKANT_PUBLIC_HOSTS: `${PUBLIC_HOST},127.0.0.1` } });
});

after(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function eventBody(domain: string, path = '/'): string {
  return JSON.stringify({ domain, name: 'pageview', url: `https://${domain}${path}` });
}

/** Sends one valid event the way a backend would and returns its status and duration. */
async function wellBehavedRequest(): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const response = await postEvent(server.url, eventBody(PROPERTIES[0]!), { 'User-Agent': DESKTOP_CHROME_UA, Host: PUBLIC_HOST });
  return { status: response.status, ms: Date.now() - started };
}

function assertServed(result: { status: number; ms: number }, during: string): void {
  assert.equal(result.status, 202, `a well-behaved event during ${during} got ${result.status}`);
  assert.ok(result.ms <= WELL_BEHAVED_BOUND_MS, `a well-behaved event during ${during} took ${result.ms} ms`);
}

test('oversized bodies get 413 while others are served', async () => {
  const big = 'x'.repeat(1024 * 1024);
  const flood = Array.from({ length: 30 }, (_, index) =>
    sendRaw(
      server.port,
      buildRequest({
        path: index % 2 === 0 ? '/api/event' : '/_dk/e',
        host: PUBLIC_HOST,
        headers: [{ name: 'User-Agent', value: DESKTOP_CHROME_UA }, { name: 'Content-Type', value: 'text/plain' }],
        body: `{"domain":"${PROPERTIES[1]}","name":"pageview","url":"https://${PROPERTIES[1]}/","props":{"a":"${big}"}}`,
      }),
    ),
  );
  const served = await wellBehavedRequest();
  const statuses = await Promise.all(flood);

  assert.deepEqual([...new Set(statuses)], [413]);
  assertServed(served, 'a flood of 1 MiB bodies');
  assert.equal(await storedEventCount(server.url, key, PROPERTIES[1]!), 0);
});

// Node 20 checks requestTimeout only every connectionsCheckingInterval (30 s by default); the
// server is created with a shorter interval so that this holds.
test('trickled body is cut off at requestTimeout', async () => {
  const body = eventBody(PROPERTIES[2]!);
  const socket = net.connect({ host: '127.0.0.1', port: server.port });
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  socket.on('error', () => undefined);
  const started = Date.now();
  const closed = new Promise<number | null>((resolve) => {
    socket.on('close', () => resolve(Date.now() - started));
    setTimeout(() => resolve(null), REQUEST_TIMEOUT_MS + TIMEOUT_SLACK_MS);
  });
  socket.write(
    `POST /api/event HTTP/1.1\r\nHost: ${PUBLIC_HOST}\r\nUser-Agent: ${DESKTOP_CHROME_UA}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  // One byte every 400 ms would need more than 30 s for the whole body.
  let sent = 0;
  const trickle = setInterval(() => {
    if (sent < body.length - 1 && !socket.destroyed) socket.write(body[sent++]!);
  }, 400);

  const served = await wellBehavedRequest();
  const closedAfterMs = await closed;
  clearInterval(trickle);
  socket.destroy();

  assertServed(served, 'a trickled body');
  assert.notEqual(closedAfterMs, null, `the connection was still open ${REQUEST_TIMEOUT_MS + TIMEOUT_SLACK_MS} ms after the request started`);
  assert.ok(closedAfterMs! >= REQUEST_TIMEOUT_MS - 500, `closed after ${closedAfterMs} ms, before the request timeout`);
  assert.ok(sent < body.length - 1, 'the body must still have been incomplete when the server gave up');
  assert.match(received, /^HTTP\/1\.1 408|^$/, 'the server answers 408 or just closes');
  assert.equal(await storedEventCount(server.url, key, PROPERTIES[2]!), 0);
});

test('many idle connections do not starve clients', async () => {
  const idle: net.Socket[] = [];
  for (let index = 0; index < 500; index += 1) {
    const socket = net.connect({ host: '127.0.0.1', port: server.port });
    socket.on('error', () => undefined);
    idle.push(socket);
  }
  await Promise.all(idle.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
  try {
    const served = await wellBehavedRequest();
    assertServed(served, '500 idle connections');
  } finally {
    for (const socket of idle) socket.destroy();
  }
});

test('many properties and unknown hosts at once', async () => {
  const requests: Promise<number>[] = [];
  const expected = new Map<string, number>();
  for (let index = 0; index < 400; index += 1) {
    const domain = PROPERTIES[index % PROPERTIES.length]!;
    const kind = index % 4;
    // Known host and property; unknown host; unknown property; another property's page URL.
    const host = kind === 1 ? `unknown${index}.evil.test` : PUBLIC_HOST;
    const body =
      kind === 2
        ? eventBody(`nobody${index}.flood.test`)
        : kind === 3
          ? JSON.stringify({ domain, name: 'pageview', url: `https://${PROPERTIES[(index + 1) % PROPERTIES.length]}/` })
          : eventBody(domain, `/p${index}`);
    if (kind === 0) expected.set(domain, (expected.get(domain) ?? 0) + 1);
    const request = buildRequest({
      path: '/api/event',
      host,
      headers: [{ name: 'User-Agent', value: DESKTOP_CHROME_UA }, { name: 'Content-Type', value: 'application/json' }],
      body,
    });
    requests.push(sendRaw(server.port, request));
  }
  const served = await wellBehavedRequest();
  const statuses = await Promise.all(requests);

  assertServed(served, 'a flood across 40 properties and unknown hosts');
  statuses.forEach((status, index) => {
    const wanted = [202, 421, 400, 400][index % 4];
    assert.equal(status, wanted, `request ${index} (kind ${index % 4}) got ${status}`);
  });
  for (const domain of PROPERTIES.slice(3)) {
    assert.equal(await storedEventCount(server.url, key, domain), expected.get(domain) ?? 0, `events stored for ${domain}`);
  }
});
