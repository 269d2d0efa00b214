/**
 * Privacy canary: distinctive addresses and a distinctive user-agent go in through a trusted
 * proxy; afterwards none of them may appear in any file under the data directory, in the log
 * output, or in an export of every stored row. Country and device class must still be right.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { DuckDBInstance } from '@duckdb/node-api';
import SQLite from 'better-sqlite3';
import { makeTempDir, runCli, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { postEvent, queryStats, rawRequest } from '../helpers/http.js';

const SITE = 'canary.example';
const CANARY_IPV4 = '81.2.69.142'; // in a GB network of the bundled database
const CANARY_IPV6 = '2a01:4f8:1c0c:8a1b:4d2e:77f3:9c5a:1e0b'; // in a DE network
const CANARY_TOKEN = 'Canary/7f3a9c1e';
const CANARY_UA = `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 ${CANARY_TOKEN}`;

/** List every byte form in which a leaked address or user-agent could sit in a file. */
function needles(): { label: string; bytes: Buffer }[] {
  const ipv6 = ipaddr.IPv6.parse(CANARY_IPV6);
  const list: { label: string; text?: string; bytes?: Buffer }[] = [
    { label: 'IPv4 text', text: CANARY_IPV4 },
    { label: 'IPv4 bytes', bytes: Buffer.from(ipaddr.IPv4.parse(CANARY_IPV4).toByteArray()) },
    { label: 'IPv6 text', text: CANARY_IPV6 },
    { label: 'IPv6 full text', text: ipv6.parts.map((part) => part.toString(16).padStart(4, '0')).join(':') },
    { label: 'IPv6 normalised text', text: ipv6.toNormalizedString() },
    { label: 'IPv6 upper-case text', text: CANARY_IPV6.toUpperCase() },
    { label: 'IPv6 bytes', bytes: Buffer.from(ipv6.toByteArray()) },
    { label: 'IPv4-mapped text', text: `::ffff:${CANARY_IPV4}` },
    { label: 'user-agent token', text: CANARY_TOKEN },
    { label: 'user-agent start', text: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' },
  ];
  return list.map((item) => ({ label: item.label, bytes: item.bytes ?? Buffer.from(item.text!, 'utf8') }));
}

function filesUnder(folder: string): string[] {
  return fs.readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function leaksIn(haystack: Buffer): string[] {
  return needles().filter((needle) => haystack.includes(needle.bytes)).map((needle) => needle.label);
}

describe('privacy canary', () => {
  const dataDir = makeTempDir();
  let server: ServerProcess | undefined;

  after(async () => {
    await server?.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps no address or user-agent anywhere', async () => {
    assert.equal((await runCli(['sites', 'add', SITE, '--data', dataDir])).code, 0);
    const key = (await runCli(['keys', 'create', '--data', dataDir])).stdout.trim().split('\n').at(-1)!;
    server = await startServerProcess({ dataDir, args: ['--trusted-proxies', '127.0.0.1/8,::1', '--log-level', 'trace'] });

    const viaTracker = (forwarding: Record<string, string>, page: string) =>
      rawRequest(`${server!.url}/_dk/e`, {
        headers: { 'Content-Type': 'text/plain', 'User-Agent': CANARY_UA, ...forwarding },
        body: JSON.stringify({ n: 'pageview', u: `https://canary.example${page}`, d: SITE, r: 'https://www.google.com/search?q=x' }),
      });
    const answers = [
      await viaTracker({ 'X-Forwarded-For': `10.1.2.3, ${CANARY_IPV4}` }, '/v4'),
      await viaTracker({ Forwarded: `for="[${CANARY_IPV6}]:4711"` }, '/v6'),
      await viaTracker({ 'X-Forwarded-For': `::ffff:${CANARY_IPV4}` }, '/mapped'),
      await postEvent(server.url, { domain: SITE, name: 'Signup', url: 'https://canary.example/signup', props: { plan: 'pro' } }, {
        'User-Agent': CANARY_UA,
        'X-Forwarded-For': CANARY_IPV6,
      }),
    ];
    for (const answer of answers) assert.equal(answer.status, 202, answer.body);

    // Rejected requests and their error log lines must not leak either.
    const rejected = await postEvent(server.url, { domain: SITE, name: 'pageview', url: 'https://elsewhere.example/' }, {
      'User-Agent': CANARY_UA,
      'X-Forwarded-For': CANARY_IPV4,
    });
    assert.equal(rejected.status, 400);
    assert.deepEqual(leaksIn(Buffer.from(rejected.body)), []);

    const byCountry = await queryStats(server.url, key, { site_id: SITE, metrics: ['events'], date_range: 'all', dimensions: ['visit:country'] });
    const countries = Object.fromEntries(byCountry.results.map((row) => [row.dimensions[0], row.metrics[0]]));
    assert.deepEqual(countries, { GB: 2, DE: 2 });
    const byDevice = await queryStats(server.url, key, { site_id: SITE, metrics: ['events'], date_range: 'all', dimensions: ['visit:device'] });
    assert.deepEqual(byDevice.results.map((row) => row.dimensions[0]), ['desktop']);

    await server.stop();

    for (const file of filesUnder(dataDir)) {
      assert.deepEqual(leaksIn(fs.readFileSync(file)), [], `no leak in ${path.relative(dataDir, file)}`);
    }
    assert.deepEqual(leaksIn(Buffer.from(server.output())), [], 'no leak in the log output');
    assert.ok(server.output().includes('"statusCode":400'), 'the log did record the rejected request');

    const instance = await DuckDBInstance.create(path.join(dataDir, 'events.duckdb'));
    const connection = await instance.connect();
    const rows = (await connection.runAndReadAll('SELECT * FROM events')).getRowObjectsJson();
    connection.closeSync();
    instance.closeSync();
    assert.equal(rows.length, 4);
    const exported = JSON.stringify(rows);
    assert.deepEqual(leaksIn(Buffer.from(exported)), [], 'no leak in the stored rows');
    assert.ok(!exported.includes('81.2.69.'), 'the truncated prefix is not stored either');
    assert.ok(!exported.includes('2a01:4f8:1c0c'), 'the truncated IPv6 prefix is not stored either');

    const config = new SQLite(path.join(dataDir, 'config.sqlite'), { readonly: true });
    const tables = config.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    const configDump = JSON.stringify(tables.map((table) => config.prepare(`SELECT * FROM "${table.name}"`).all()));
    config.close();
    assert.deepEqual(leaksIn(Buffer.from(configDump)), [], 'no leak in the configuration rows');
  });
});
