import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { makeTempDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { rawRequest } from '../helpers/http.js';

describe('tracker script route', () => {
  const dataDir = makeTempDir();
  let server: ServerProcess;

  before(async () => {
    server = await startServerProcess({ dataDir, env: { DATAKANT_EVENT_PATH: '/px/in' } });
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  for (const path of ['/_dk/s.js', '/_dk/s.cmp.js']) {
    it(`serves ${path} with the configured event path`, async () => {
      const response = await rawRequest(`${server.url}${path}`, { method: 'GET' });
      assert.equal(response.status, 200);
      assert.match(String(response.headers['content-type']), /^application\/javascript/);
      assert.ok(response.body.includes('"/px/in"'), 'the event path is filled in');
      assert.ok(!response.body.includes('__DATAKANT_EVENT_PATH__'), 'no placeholder is left');

      const etag = String(response.headers.etag);
      const again = await rawRequest(`${server.url}${path}`, { method: 'GET', headers: { 'If-None-Match': etag } });
      assert.equal(again.status, 304);
    });
  }

  it('serves the two builds as different scripts', async () => {
    const standard = await rawRequest(`${server.url}/_dk/s.js`, { method: 'GET' });
    const cmp = await rawRequest(`${server.url}/_dk/s.cmp.js`, { method: 'GET' });
    assert.ok(cmp.body.includes('__tcfapi'), 'the CMP build reads IAB TCF');
    assert.ok(!standard.body.includes('__tcfapi'), 'the default build does not');
  });
});
