import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { makeTempDir, runCli, startServerProcess, waitFor, type ServerProcess } from './helpers/server-process.js';
import { postEvent } from './helpers/http.js';

describe('datakant CLI', () => {
  const dataDir = makeTempDir();
  let server: ServerProcess | undefined;

  after(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists every command in --help', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    for (const command of ['serve', 'demo', 'sites', 'keys', 'snippet']) {
      assert.match(help.stdout, new RegExp(`^\\s+${command}\\b`, 'm'), `--help lists ${command}`);
    }
  });

  it('adds a property with a time zone and first-party host', async () => {
    const added = await runCli(['sites', 'add', 'WWW.Shop.Example', '--timezone', 'Europe/Berlin', '--first-party-host', 'stats.shop.example', '--data', dataDir]);
    assert.equal(added.code, 0, added.stderr);
    const listed = await runCli(['sites', 'list', '--data', dataDir]);
    assert.match(listed.stdout, /^shop\.example\ttime zone Europe\/Berlin\tretention kept\tfirst-party hosts stats\.shop\.example$/m);
  });

  it('rejects invalid property settings with a message', async () => {
    const cases: [string[], RegExp][] = [
      [['sites', 'add', 'shop.example'], /already exists/],
      [['sites', 'add', 'not a domain'], /not a valid domain/],
      [['sites', 'add', '127.0.0.1'], /not a valid domain/],
      [['sites', 'add', 'b.example', '--timezone', 'Mars/Olympus'], /not an IANA time zone/],
      [['sites', 'add', 'c.example', '--first-party-host', 'stats.other.example'], /must be a subdomain of c\.example/],
      [['sites', 'add', 'd.example', '--retention-days', '0'], /at least 1/],
      [['snippet', 'missing.example'], /No property missing\.example/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli([...args, '--data', dataDir]);
      assert.notEqual(result.code, 0, `${args.join(' ')} fails`);
      assert.match(result.stderr, message);
    }
  });

  it('prints a new key as the last line and stores only its hash', async () => {
    const created = await runCli(['keys', 'create', '--name', 'reporting', '--site', 'shop.example', '--data', dataDir]);
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim().split('\n').at(-1)!;
    assert.match(key, /^dk_[A-Za-z0-9_-]{43}$/);
    const configFile = fs.readFileSync(`${dataDir}/config.sqlite`);
    assert.equal(configFile.includes(key), false, 'the key itself is not in the database');
  });

  it('prints standard and first-party snippets', async () => {
    const standard = await runCli(['snippet', 'shop.example', '--public-url', 'https://ingest.example.net', '--data', dataDir]);
    assert.equal(standard.code, 0, standard.stderr);
    assert.match(standard.stdout, /src="https:\/\/ingest\.example\.net\/_dk\/s\.js"/);
    assert.match(standard.stdout, /data-domain="shop\.example"/);
    const firstParty = await runCli(['snippet', 'shop.example', '--route', 'first-party', '--data', dataDir]);
    assert.equal(firstParty.code, 0, firstParty.stderr);
    assert.match(firstParty.stdout, /src="https:\/\/stats\.shop\.example\/_dk\/s\.js"/);
    const withCmp = await runCli(['snippet', 'shop.example', '--route', 'first-party', '--cmp', '--data', dataDir]);
    assert.match(withCmp.stdout, /src="https:\/\/stats\.shop\.example\/_dk\/s\.cmp\.js"/);
  });

  it('makes a property added while serving usable within seconds', async () => {
    server = await startServerProcess({ dataDir });
    const event = { domain: 'late.example', name: 'pageview', url: 'https://late.example/' };
    assert.equal((await postEvent(server.url, event)).status, 400, 'unknown before it is added');
    assert.equal((await runCli(['sites', 'add', 'late.example', '--data', dataDir])).code, 0);
    await waitFor(async () => ((await postEvent(server!.url, event)).status === 202 ? true : undefined), 5000, 'the new property');
  });
});
