/** The consent settings API and the `datakant consent` commands against one running server. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { makeTempDir, runCli, startServerProcess, waitFor, type ServerProcess } from '../helpers/server-process.js';
import { DESKTOP_CHROME_UA, postEvent, rawRequest } from '../helpers/http.js';

const SITE = 'settings.example';
const OTHER = 'other.example';

interface SettingsBody {
  site_id: string;
  mode: string;
  no_signal: string;
  systems: Record<string, { requires: string[]; drop_fields: Record<string, string[]> }>;
}

describe('consent settings API', () => {
  let dataDir: string;
  let server: ServerProcess;
  let key: string;
  let otherKey: string;
  let readOnlyKey: string;

  before(async () => {
    dataDir = makeTempDir();
    assert.equal((await runCli(['sites', 'add', SITE, '--data', dataDir])).code, 0);
    assert.equal((await runCli(['sites', 'add', OTHER, '--data', dataDir])).code, 0);
    key = (await runCli(['keys', 'create', '--site', SITE, '--write', '--data', dataDir])).stdout.trim().split('\n').at(-1)!;
    otherKey = (await runCli(['keys', 'create', '--site', OTHER, '--write', '--data', dataDir])).stdout.trim().split('\n').at(-1)!;
    readOnlyKey = (await runCli(['keys', 'create', '--site', SITE, '--data', dataDir])).stdout.trim().split('\n').at(-1)!;
    server = await startServerProcess({ dataDir });
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  function call(method: string, path: string, options: { key?: string; body?: unknown } = {}) {
    const headers: Record<string, string> = {};
    if (options.key !== undefined) headers.Authorization = `Bearer ${options.key}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    return rawRequest(`${server.url}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  }

  async function getSettings(): Promise<SettingsBody> {
    const answer = await call('GET', `/api/v1/sites/${SITE}/consent`, { key });
    assert.equal(answer.status, 200, answer.body);
    return JSON.parse(answer.body) as SettingsBody;
  }

  it('returns the defaults', async () => {
    const settings = await getSettings();
    assert.equal(settings.site_id, SITE);
    assert.equal(settings.mode, 'cookieless');
    assert.equal(settings.no_signal, 'store');
    assert.deepEqual(settings.systems.datakant, { requires: ['analytics'], drop_fields: {} });
    assert.deepEqual(settings.systems.ga4!.requires, ['analytics']);
    assert.deepEqual(settings.systems.meta!.requires, ['ad_storage', 'ad_user_data']);
    assert.deepEqual(Object.keys(settings.systems.meta!.drop_fields).sort(), ['click_id', 'fbc', 'fbp']);
  });

  it('rejects a request without a key', async () => {
    const answer = await call('GET', `/api/v1/sites/${SITE}/consent`);
    assert.equal(answer.status, 401);
  });

  it('rejects a key of another property', async () => {
    const read = await call('GET', `/api/v1/sites/${SITE}/consent`, { key: otherKey });
    assert.equal(read.status, 403);
    const write = await call('PUT', `/api/v1/sites/${SITE}/consent`, { key: otherKey, body: await getSettings() });
    assert.equal(write.status, 403);
    assert.equal((await getSettings()).mode, 'cookieless');
  });

  it('lets a read-only key read but not change settings', async () => {
    const read = await call('GET', `/api/v1/sites/${SITE}/consent`, { key: readOnlyKey });
    assert.equal(read.status, 200);
    const settings = await getSettings();
    const write = await call('PUT', `/api/v1/sites/${SITE}/consent`, { key: readOnlyKey, body: { ...settings, mode: 'consent-cookies' } });
    assert.equal(write.status, 403);
    assert.equal(JSON.parse(write.body).error.code, 'read_only_key');
    const reset = await call('DELETE', `/api/v1/sites/${SITE}/consent`, { key: readOnlyKey });
    assert.equal(reset.status, 403);
    assert.equal((await getSettings()).mode, settings.mode, 'the settings did not change');
  });

  it('rejects an unknown property like a forbidden one', async () => {
    const answer = await call('GET', '/api/v1/sites/missing.example/consent', { key });
    assert.equal(answer.status, 403);
  });

  it('replaces the settings with PUT', async () => {
    const settings = await getSettings();
    settings.mode = 'consent-cookies';
    settings.systems.ga4 = { requires: ['analytics', 'ad_user_data'], drop_fields: { click_id: ['ad_storage'] } };
    const answer = await call('PUT', `/api/v1/sites/${SITE}/consent`, { key, body: settings });
    assert.equal(answer.status, 200, answer.body);
    const stored = await getSettings();
    assert.equal(stored.mode, 'consent-cookies');
    assert.deepEqual(stored.systems.ga4, settings.systems.ga4);
  });

  const INVALID: { name: string; change: (settings: Record<string, unknown>) => void; path: string }[] = [
    { name: 'an unknown mode', change: (s) => (s.mode = 'cookies'), path: '/mode' },
    { name: 'an unknown no-signal policy', change: (s) => (s.no_signal = 'keep'), path: '/no_signal' },
    { name: 'a missing system', change: (s) => delete (s.systems as Record<string, unknown>).meta, path: '/systems/meta' },
    { name: 'an unknown purpose', change: (s) => ((s.systems as SettingsBody['systems']).ga4!.requires = ['analytics_storage']), path: '/systems/ga4/requires/0' },
    { name: 'an unknown field', change: (s) => ((s.systems as SettingsBody['systems']).meta!.drop_fields = { email: ['ad_storage'] }), path: '/systems/meta/drop_fields/email' },
    { name: 'another site_id', change: (s) => (s.site_id = OTHER), path: '/site_id' },
    { name: 'storage requiring nothing', change: (s) => ((s.systems as SettingsBody['systems']).datakant!.requires = []), path: '/systems/datakant/requires' },
    { name: 'storage without analytics', change: (s) => ((s.systems as SettingsBody['systems']).datakant!.requires = ['ad_storage']), path: '/systems/datakant/requires' },
    { name: 'a destination requiring nothing', change: (s) => ((s.systems as SettingsBody['systems']).ga4!.requires = []), path: '/systems/ga4/requires' },
    {
      name: 'a __proto__ drop field',
      change: (s) => ((s.systems as SettingsBody['systems']).meta!.drop_fields = JSON.parse('{"__proto__": ["ad_storage"]}') as Record<string, string[]>),
      path: '/systems/meta/drop_fields/__proto__',
    },
  ];
  for (const invalid of INVALID) {
    it(`rejects ${invalid.name}`, async () => {
      const body = (await getSettings()) as unknown as Record<string, unknown>;
      invalid.change(body);
      const answer = await call('PUT', `/api/v1/sites/${SITE}/consent`, { key, body });
      assert.equal(answer.status, 400, answer.body);
      const error = (JSON.parse(answer.body) as { error: { code: string; fields: { path: string }[] } }).error;
      assert.equal(error.code, 'invalid_body');
      assert.ok(error.fields.some((field) => field.path === invalid.path), answer.body);
    });
  }

  it('names the rule that keeps analytics required', async () => {
    const body = await getSettings();
    body.systems.datakant = { requires: [], drop_fields: {} };
    const answer = await call('PUT', `/api/v1/sites/${SITE}/consent`, { key, body });
    assert.equal(answer.status, 400, answer.body);
    assert.match(answer.body, /datakant must require analytics: a denial of analytics always keeps events from datakant/);
    assert.deepEqual((await getSettings()).systems.datakant!.requires, ['analytics']);
  });

  it('stores no analytics denial after a rejected change', async () => {
    const body = await getSettings();
    body.systems.datakant = { requires: [], drop_fields: {} };
    assert.equal((await call('PUT', `/api/v1/sites/${SITE}/consent`, { key, body })).status, 400);
    const event = { domain: SITE, name: 'pageview', url: `https://${SITE}/`, consent: { analytics_storage: 'denied' } };
    const answer = await postEvent(server.url, event, { 'User-Agent': DESKTOP_CHROME_UA });
    assert.equal(answer.status, 202, answer.body);
    assert.equal(answer.headers['x-datakant-stored'], '0');
  });

  it('reports a __proto__ field as unknown', async () => {
    const body = JSON.stringify(await getSettings()).replace('"drop_fields":{}', '"drop_fields":{"__proto__":["ad_storage"]}');
    const answer = await rawRequest(`${server.url}/api/v1/sites/${SITE}/consent`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body,
    });
    assert.equal(answer.status, 400, answer.body);
    const error = (JSON.parse(answer.body) as { error: { code: string; fields: { path: string }[] } }).error;
    assert.equal(error.code, 'invalid_body');
    assert.deepEqual(
      error.fields.map((field) => field.path),
      ['/systems/datakant/drop_fields/__proto__'],
    );
  });

  it('still rejects malformed JSON', async () => {
    const answer = await rawRequest(`${server.url}/api/v1/sites/${SITE}/consent`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: '{"mode":',
    });
    assert.equal(answer.status, 400, answer.body);
    assert.match(answer.body, /invalid_json/);
  });

  it('rejects a CLI change that empties a requirement', async () => {
    for (const [system, rule] of [['datakant', /datakant must require analytics/], ['ga4', /ga4 must require at least one purpose/]] as const) {
      const failed = await runCli(['consent', 'set', SITE, '--system', system, '--requires', 'none', '--data', dataDir]);
      assert.equal(failed.code, 2, failed.stdout);
      assert.match(failed.stderr, rule);
    }
  });

  it('shows API changes in the CLI', async () => {
    const shown = await runCli(['consent', 'show', SITE, '--json', '--data', dataDir]);
    assert.equal(shown.code, 0, shown.stderr);
    const settings = JSON.parse(shown.stdout) as SettingsBody;
    assert.equal(settings.mode, 'consent-cookies');
    assert.deepEqual(settings.systems.ga4!.requires, ['analytics', 'ad_user_data']);
  });

  it('shows CLI changes in the API', async () => {
    const changed = await runCli(['consent', 'set', SITE, '--system', 'meta', '--requires', 'ad_storage,ad_user_data,ad_personalization', '--data', dataDir]);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout, /meta: requires ad_storage, ad_user_data, ad_personalization/);
    const settings = await waitFor(async () => {
      const current = await getSettings();
      return current.systems.meta!.requires.length === 3 ? current : undefined;
    });
    assert.deepEqual(settings.systems.meta!.requires, ['ad_storage', 'ad_user_data', 'ad_personalization']);
  });

  it('rejects invalid CLI options with a message', async () => {
    const failed = await runCli(['consent', 'set', SITE, '--mode', 'cookies', '--data', dataDir]);
    assert.equal(failed.code, 2);
    assert.match(failed.stderr, /--mode must be one of cookieless, consent-cookies/);
    assert.doesNotMatch(failed.stderr, /at .*\.js:\d+/, 'no stack trace');
  });

  it('resets to the defaults with DELETE', async () => {
    const answer = await call('DELETE', `/api/v1/sites/${SITE}/consent`, { key });
    assert.equal(answer.status, 200, answer.body);
    const settings = await getSettings();
    assert.equal(settings.mode, 'cookieless');
    assert.deepEqual(settings.systems.meta!.requires, ['ad_storage', 'ad_user_data']);
    const shown = await runCli(['consent', 'show', SITE, '--data', dataDir]);
    assert.match(shown.stdout, /\(defaults\)/);
  });
});
