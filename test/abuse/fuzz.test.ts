/**
 * Fuzzes both intake endpoints of a real `datakant serve` with random bytes, mutations of
 * valid payloads, odd encodings, huge and deeply nested JSON and odd headers. Every answer
 * must be 202 or 4xx, the process must stay up, the stored events must equal the 202s (so no
 * malformed request left a row behind), and memory must stay flat across rounds.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { seededRandom } from '../../bench/lib/request-mix.js';
import { DESKTOP_CHROME_UA } from '../helpers/http.js';
import { makeTempDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { residentBytes, setUpProperties, storedEventCount } from './abuse-helpers.js';
import { buildRequest, sendRaw, type RawHeader } from './raw-http.js';

const SITE = 'fuzz.example';
const EVENT_PATH = '/_dk/e';
/** Requests per round; three rounds run, the first one warms the server up. */
const REQUESTS_PER_ROUND = 400;
const CONCURRENCY = 8;
/** RSS may grow by at most this much between the end of the first and of the last round. */
const RSS_GROWTH_LIMIT = 80 * 1024 * 1024;

type Random = () => number;
type Mutator = (value: Record<string, unknown>, random: Random) => void;

function pick<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random() * items.length)]!;
}

const ODD_VALUES: unknown[] = [
  null, true, 0, -0, 1e308, -1, 3.5, '', ' ', 'x'.repeat(3000), '\u0000', '\ud800', '😀'.repeat(50), [], [1, 2], {}, { a: { b: 1 } },
  'javascript:alert(1)', 'https://evil.example/', `https://${SITE}.evil.example/`, `https://user:pass@${SITE}/`, `//${SITE}/`,
  `https://${SITE.toUpperCase()}./x`, `https://${SITE}:99999/`, `https://xn--${SITE}/`, 'NaN', '1e5',
];

const MUTATORS: Mutator[] = [
  (value, random) => {
    delete value[pick(Object.keys(value), random)];
  },
  (value, random) => {
    value[pick(Object.keys(value), random)] = pick(ODD_VALUES, random);
  },
  (value, random) => {
    value[`extra${Math.floor(random() * 1000)}`] = pick(ODD_VALUES, random);
  },
  (value, random) => {
    const props: Record<string, unknown> = {};
    const count = Math.floor(random() * 60);
    for (let index = 0; index < count; index += 1) props[`k${index}`] = pick(ODD_VALUES, random);
    value[pick(['p', 'props'], random)] = props;
  },
  (value, random) => {
    value[pick(['$', 'revenue'], random)] = { amount: pick(['1e5', 'NaN', 1e300, '-0.0001', '12.34567', 12], random), currency: pick(['EUR', 'EURO', 'eu', 1], random) };
  },
  (value, random) => {
    value[pick(['u', 'url'], random)] = pick(ODD_VALUES.filter((item) => typeof item === 'string'), random);
  },
];

function validPayload(endpoint: 'tracker' | 'events-api', random: Random): Record<string, unknown> {
  const path = pick(['/', '/pricing', '/blog/a?utm_source=x', '/ü/ß?q=1#f'], random);
  if (endpoint === 'tracker') return { n: 'pageview', u: `https://${SITE}${path}`, d: SITE, r: null, p: { plan: 'pro' } };
  return { name: 'Signup', url: `https://www.${SITE}${path}`, domain: SITE, props: { plan: 'pro' }, revenue: { amount: '9.99', currency: 'EUR' } };
}

/** Encodes a text body in one of several encodings, most of them wrong for JSON. */
function encodeOddly(text: string, random: Random): { body: Buffer; contentType: string | null } {
  switch (Math.floor(random() * 7)) {
    case 0:
      return { body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), contentType: 'application/json; charset=utf-16' };
    case 1:
      return { body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), contentType: 'text/plain' };
    case 2:
      return { body: Buffer.from(text.replace('pageview', 'pagevi\u00e9w'), 'latin1'), contentType: 'text/plain;charset=latin1' };
    case 3: {
      const bytes = Buffer.from(text);
      const at = Math.floor(random() * bytes.length);
      return { body: Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc3, 0x28, 0xe2, 0x82]), bytes.subarray(at)]), contentType: 'application/json' };
    }
    case 4:
      return { body: Buffer.from(text), contentType: 'multipart/form-data; boundary=x' };
    case 5:
      return { body: Buffer.from(text), contentType: null };
    default:
      return { body: Buffer.from(text), contentType: 'application/json; charset=utf-8' };
  }
}

const ODD_HEADERS: RawHeader[][] = [
  [{ name: 'User-Agent', value: 'x'.repeat(8000) }],
  [{ name: 'User-Agent', value: Buffer.from([0x4d, 0x6f, 0x7a, 0xff, 0xfe, 0x01]) }],
  [{ name: 'User-Agent', value: DESKTOP_CHROME_UA }, { name: 'User-Agent', value: 'curl/8.0' }],
  [{ name: 'User-Agent', value: DESKTOP_CHROME_UA }, { name: 'X-Forwarded-For', value: 'not-an-ip, , 999.1.1.1, [::1' }],
  [{ name: 'User-Agent', value: DESKTOP_CHROME_UA }, { name: 'Forwarded', value: 'for="[2001:db8::1;proto=https, for=' }],
  [{ name: 'User-Agent', value: DESKTOP_CHROME_UA }, { name: 'Sec-CH-UA-Mobile', value: '?2' }, { name: 'Sec-CH-UA', value: '"' }],
  [{ name: 'User-Agent', value: DESKTOP_CHROME_UA }, { name: 'Content-Encoding', value: 'gzip' }],
  [{ name: 'User-Agent', value: DESKTOP_CHROME_UA }, ...Array.from({ length: 150 }, (_, index) => ({ name: `X-Fuzz-${index}`, value: 'y' }))],
  [],
];

/** One fuzz request: a mix of the cases above, weighted towards payload mutations. */
function fuzzRequest(random: Random): Buffer {
  const endpoint = random() < 0.5 ? 'tracker' : 'events-api';
  const path = endpoint === 'tracker' ? EVENT_PATH : '/api/event';
  const headers: RawHeader[] = [{ name: 'User-Agent', value: DESKTOP_CHROME_UA }];
  const kind = random();

  if (kind < 0.12) {
    const bytes = Buffer.alloc(Math.floor(random() * 2000));
    for (let index = 0; index < bytes.length; index += 1) bytes[index] = Math.floor(random() * 256);
    return buildRequest({ path, headers: [...headers, { name: 'Content-Type', value: 'text/plain' }], body: bytes });
  }
  if (kind < 0.2) {
    const depth = 2000 + Math.floor(random() * 6000);
    const text = random() < 0.5 ? '['.repeat(depth) + ']'.repeat(depth) : '{"p":'.repeat(depth / 4) + '1' + '}'.repeat(depth / 4);
    return buildRequest({ path, headers: [...headers, { name: 'Content-Type', value: 'text/plain' }], body: random() < 0.2 ? text.slice(0, -1) : text });
  }
  if (kind < 0.27) {
    const payload = validPayload(endpoint, random);
    const size = pick([15_000, 16_383, 16_385, 40_000, 200_000], random);
    payload[pick(['p', 'props'], random)] = { big: 'z'.repeat(size) };
    return buildRequest({ path, headers: [...headers, { name: 'Content-Type', value: 'application/json' }], body: JSON.stringify(payload) });
  }
  if (kind < 0.37) {
    const encoded = encodeOddly(JSON.stringify(validPayload(endpoint, random)), random);
    const typed = encoded.contentType === null ? headers : [...headers, { name: 'Content-Type', value: encoded.contentType }];
    return buildRequest({ path, headers: typed, body: encoded.body });
  }
  if (kind < 0.47) {
    const body = JSON.stringify(validPayload(endpoint, random));
    return buildRequest({ path, headers: [...pick(ODD_HEADERS, random), { name: 'Content-Type', value: 'text/plain' }], body });
  }
  if (kind < 0.52) {
    const body = JSON.stringify(validPayload(endpoint, random));
    // A Content-Length shorter than the body: the rest is read as a second, garbage request.
    return buildRequest({ path, headers, body, contentLength: Math.floor(body.length / 2) });
  }
  if (kind < 0.55) {
    return buildRequest({ path, host: pick([null, '', 'fuzz.example:abc', 'a'.repeat(300), '[::1'], random), headers, body: JSON.stringify(validPayload(endpoint, random)) });
  }

  const payload = validPayload(endpoint, random);
  const mutations = Math.floor(random() * 3);
  for (let index = 0; index < mutations; index += 1) pick(MUTATORS, random)(payload, random);
  return buildRequest({ path, headers: [...headers, { name: 'Content-Type', value: 'application/json' }], body: JSON.stringify(payload) });
}

async function runRound(port: number, seed: number): Promise<Map<number, number>> {
  const random = seededRandom(seed);
  const requests = Array.from({ length: REQUESTS_PER_ROUND }, () => fuzzRequest(random));
  const statuses = new Map<number, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const status = await sendRaw(port, requests[next++]!);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  return statuses;
}

let dataDir: string;
let key: string;
let server: ServerProcess;

before(async () => {
  dataDir = makeTempDir('datakant-fuzz-');
  key = await setUpProperties(dataDir, [{ domain: SITE }]);
  server = await startServerProcess({ dataDir });
});

after(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('fuzzed intake gets 202 or 4xx, exact rows', async (t) => {
  const pid = server.child.pid!;
  let accepted = 0;
  let rssAfterWarmUp = 0;
  const seen = new Map<number, number>();
  for (const seed of [11, 12, 13]) {
    const statuses = await runRound(server.port, seed);
    for (const [status, count] of statuses) seen.set(status, (seen.get(status) ?? 0) + count);
    accepted += statuses.get(202) ?? 0;
    if (seed === 11) rssAfterWarmUp = residentBytes(pid);
  }

  t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries([...seen].sort(([a], [b]) => a - b)))}`);
  const unexpected = [...seen].filter(([status]) => status !== 202 && !(status >= 400 && status < 500));
  assert.deepEqual(unexpected, [], `statuses other than 202 and 4xx: ${JSON.stringify([...seen])}`);
  assert.ok(accepted > 0, 'some fuzzed requests are still valid events and must be accepted');
  assert.ok((seen.get(400) ?? 0) > 0, 'malformed requests must get 400');
  assert.equal(server.child.exitCode, null, `the server exited. Output:\n${server.output().slice(-2000)}`);
  assert.equal(await storedEventCount(server.url, key, SITE), accepted);

  const growth = residentBytes(pid) - rssAfterWarmUp;
  assert.ok(growth < RSS_GROWTH_LIMIT, `RSS grew by ${Math.round(growth / 1e6)} MB over two rounds of fuzzing`);
});
