/**
 * Consent on the Events API and the tracker endpoint, through the real server: denied events
 * get status 202 with `X-Datakant-Stored: 0`, stored nowhere and counted as drops.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { makeTempDir, runCli, startServerProcess, waitFor, type ServerProcess } from '../helpers/server-process.js';
import { DESKTOP_CHROME_UA, postEvent, rawRequest, totalOf } from '../helpers/http.js';
import { allPurposesExcept, buildTcString } from '../consent/tc-strings.js';

const SITE = 'consent.example';
const EVENT = { domain: SITE, name: 'pageview', url: 'https://consent.example/' };

describe('consent at intake', () => {
  let dataDir: string;
  let server: ServerProcess;
  let key: string;
  /** Events expected in the store so far. */
  let expectedStored = 0;

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

  async function send(body: Record<string, unknown>, headers: Record<string, string> = {}) {
    return postEvent(server.url, { ...EVENT, ...body }, { 'User-Agent': DESKTOP_CHROME_UA, ...headers });
  }

  function trackerEvent(fields: Record<string, unknown>) {
    return rawRequest(`${server.url}/_dk/e`, {
      headers: { 'Content-Type': 'text/plain', 'User-Agent': DESKTOP_CHROME_UA },
      body: JSON.stringify({ n: 'pageview', u: 'https://consent.example/t', d: SITE, ...fields }),
    });
  }

  it('stores nothing when analytics_storage is denied', async () => {
    const answer = await send({ consent: { analytics_storage: 'denied' } });
    assert.equal(answer.status, 202, answer.body);
    assert.equal(answer.headers['x-datakant-stored'], '0');
    assert.equal(await totalOf(server.url, key, SITE, 'events'), expectedStored);
  });

  it('stores the event when analytics_storage is granted', async () => {
    const answer = await send({ consent: { analytics_storage: 'granted', ad_storage: 'denied' } });
    assert.equal(answer.status, 202, answer.body);
    assert.equal(answer.headers['x-datakant-stored'], '1');
    expectedStored += 1;
    assert.equal(await totalOf(server.url, key, SITE, 'events'), expectedStored);
  });

  it('stores the event without a consent field', async () => {
    const answer = await send({});
    assert.equal(answer.headers['x-datakant-stored'], '1');
    expectedStored += 1;
    assert.equal(await totalOf(server.url, key, SITE, 'events'), expectedStored);
  });

  it('stores nothing when the TC string lacks Purpose 8', async () => {
    const answer = await send({ gdpr_consent: buildTcString({ consents: allPurposesExcept(8) }) });
    assert.equal(answer.status, 202, answer.body);
    assert.equal(answer.headers['x-datakant-stored'], '0');
    assert.equal(await totalOf(server.url, key, SITE, 'events'), expectedStored);
  });

  it('stores the event with a TC string granting everything', async () => {
    const answer = await send({ gdpr_consent: buildTcString({ consents: allPurposesExcept() }) });
    assert.equal(answer.headers['x-datakant-stored'], '1');
    expectedStored += 1;
    assert.equal(await totalOf(server.url, key, SITE, 'events'), expectedStored);
  });

  it('stores analytics events despite Sec-GPC', async () => {
    const answer = await send({ consent: { analytics_storage: 'granted' } }, { 'Sec-GPC': '1' });
    assert.equal(answer.headers['x-datakant-stored'], '1');
    expectedStored += 1;
    assert.equal(await totalOf(server.url, key, SITE, 'events'), expectedStored);
  });

  it('applies the tracker consent field', async () => {
    const denied = await trackerEvent({ c: 'dggg' });
    assert.equal(denied.status, 202, denied.body);
    assert.equal(denied.headers['x-datakant-stored'], '0');
    const granted = await trackerEvent({ c: 'g---', g: 1 });
    assert.equal(granted.headers['x-datakant-stored'], '1');
    expectedStored += 1;
    assert.equal(await totalOf(server.url, key, SITE, 'events'), expectedStored);
  });

  const INVALID: { name: string; send: () => ReturnType<typeof rawRequest>; code: string; path: string }[] = [
    { name: 'an undecodable gdpr_consent', send: () => send({ gdpr_consent: 'not-a-tc-string' }), code: 'invalid_tc_string', path: '/gdpr_consent' },
    { name: 'an undecodable tc field', send: () => trackerEvent({ tc: 'CQ!!' }), code: 'invalid_tc_string', path: '/tc' },
    { name: 'a consent value other than granted or denied', send: () => send({ consent: { analytics_storage: 'yes' } }), code: 'invalid_body', path: '/consent/analytics_storage' },
    { name: 'an unknown consent type', send: () => send({ consent: { analytics: 'granted' } }), code: 'invalid_body', path: '/consent/analytics' },
    { name: 'a c field of the wrong length', send: () => trackerEvent({ c: 'ggg' }), code: 'invalid_body', path: '/c' },
    { name: 'a c field with other letters', send: () => trackerEvent({ c: 'gxgg' }), code: 'invalid_body', path: '/c' },
  ];
  for (const invalid of INVALID) {
    it(`rejects ${invalid.name}`, async () => {
      const answer = await invalid.send();
      assert.equal(answer.status, 400, answer.body);
      const body = JSON.parse(answer.body) as { error: { code: string; fields?: { path: string }[] } };
      assert.equal(body.error.code, invalid.code);
      assert.ok(body.error.fields?.some((field) => field.path === invalid.path), answer.body);
    });
  }

  it('counts consent drops per system and reason', async () => {
    const answer = await rawRequest(`${server.url}/api/v1/sites/${SITE}/consent/drops`, { method: 'GET', headers: { Authorization: `Bearer ${key}` } });
    assert.equal(answer.status, 200, answer.body);
    const body = JSON.parse(answer.body) as { site_id: string; drops: { system: string; reason: string; count: number }[] };
    assert.equal(body.site_id, SITE);
    assert.deepEqual(body.drops, [{ system: 'datakant', reason: 'consent_denied', count: 3 }]);
  });

  it('drops no-signal events once the CLI says so', async () => {
    const changed = await runCli(['consent', 'set', SITE, '--no-signal', 'drop', '--data', dataDir]);
    assert.equal(changed.code, 0, changed.stderr);
    // The running server notices the change through SQLite within about a second.
    await waitFor(async () => ((await send({})).headers['x-datakant-stored'] === '0' ? true : undefined), 10_000, 'the no-signal drop');
    const withSignal = await send({ consent: { analytics_storage: 'granted' } });
    assert.equal(withSignal.headers['x-datakant-stored'], '1');
    expectedStored += 1;
    // Events sent while waiting may have been stored before the reload.
    const total = await totalOf(server.url, key, SITE, 'events');
    assert.ok(total >= expectedStored, `at least ${expectedStored} events, got ${total}`);
    const drops = await rawRequest(`${server.url}/api/v1/sites/${SITE}/consent/drops`, { method: 'GET', headers: { Authorization: `Bearer ${key}` } });
    const counts = (JSON.parse(drops.body) as { drops: { reason: string; count: number }[] }).drops;
    assert.ok(counts.some((entry) => entry.reason === 'no_signal' && entry.count >= 1), drops.body);
  });
});
