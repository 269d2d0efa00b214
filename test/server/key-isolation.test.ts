/**
 * One property's data is never visible to a key of another property, through the Stats API
 * or the consent settings API.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { makeTempDir, runCli, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { postEvent, queryStats, rawRequest } from '../helpers/http.js';

function lastLine(output: string): string {
  return output.trim().split('\n').at(-1)!;
}

describe('key isolation between properties', () => {
  const dataDir = makeTempDir();
  let server: ServerProcess;
  let keyA: string;
  let keyB: string;
  let operatorKey: string;

  before(async () => {
    for (const site of ['a.example', 'b.example']) {
      assert.equal((await runCli(['sites', 'add', site, '--data', dataDir])).code, 0);
    }
    keyA = lastLine((await runCli(['keys', 'create', '--site', 'a.example', '--data', dataDir])).stdout);
    keyB = lastLine((await runCli(['keys', 'create', '--site', 'b.example', '--data', dataDir])).stdout);
    operatorKey = lastLine((await runCli(['keys', 'create', '--data', dataDir])).stdout);
    server = await startServerProcess({ dataDir });
    for (const [site, count] of [['a.example', 2], ['b.example', 3]] as const) {
      for (let index = 0; index < count; index += 1) {
        const response = await postEvent(server.url, { domain: site, name: 'pageview', url: `https://${site}/${index}` });
        assert.equal(response.status, 202, response.body);
      }
    }
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const query = (siteId: string, key: string | null) =>
    rawRequest(`${server.url}/api/v2/query`, {
      headers: { 'Content-Type': 'application/json', ...(key === null ? {} : { Authorization: `Bearer ${key}` }) },
      body: JSON.stringify({ site_id: siteId, metrics: ['pageviews'], date_range: 'all' }),
    });

  it('reads only its own property', async () => {
    const own = await queryStats(server.url, keyA, { site_id: 'a.example', metrics: ['pageviews'], date_range: 'all' });
    assert.equal(own.results[0]?.metrics[0], 2);
    const other = await queryStats(server.url, keyB, { site_id: 'b.example', metrics: ['pageviews'], date_range: 'all' });
    assert.equal(other.results[0]?.metrics[0], 3);
  });

  const forbidden: [string, string][] = [
    ['another property', 'b.example'],
    ['another property in upper case', 'B.EXAMPLE'],
    ['another property with www', 'www.b.example'],
    ['another property with a trailing dot', 'b.example.'],
    ['a property that does not exist', 'c.example'],
  ];
  for (const [name, siteId] of forbidden) {
    it(`rejects ${name}`, async () => {
      const response = await query(siteId, keyA);
      assert.equal(response.status, 403, response.body);
      assert.equal(JSON.parse(response.body).error.code, 'forbidden_property');
      assert.ok(!response.body.includes('"results"'), 'no data in the answer');
    });
  }

  it('rejects missing and unknown keys', async () => {
    for (const key of [null, 'dk_unknown', keyA + 'x', '']) {
      const response = await query('a.example', key);
      assert.equal(response.status, 401, `${key}: ${response.body}`);
    }
  });

  it('lets an operator key read every property', async () => {
    for (const [siteId, pageviews] of [['a.example', 2], ['b.example', 3]] as const) {
      const answer = await queryStats(server.url, operatorKey, { site_id: siteId, metrics: ['pageviews'], date_range: 'all' });
      assert.equal(answer.results[0]?.metrics[0], pageviews);
    }
  });

  it('keeps consent settings of another property closed', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/sites/b.example/consent'],
      ['DELETE', '/api/v1/sites/b.example/consent'],
      ['GET', '/api/v1/sites/b.example/consent/drops'],
    ]) {
      const response = await rawRequest(`${server.url}${path}`, { method, headers: { Authorization: `Bearer ${keyA}` } });
      assert.equal(response.status, 403, `${method} ${path}: ${response.body}`);
    }
    const put = await rawRequest(`${server.url}/api/v1/sites/b.example/consent`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${keyA}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ mode: 'cookieless' }),
    });
    assert.equal(put.status, 403, put.body);
  });
});
