import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { makeTempDir, runCli, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { postEvent, totalOf } from '../helpers/http.js';

const SITE = 'crash.example';
const EVENTS = 300;
const CONCURRENCY = 20;

describe('server killed with SIGKILL', () => {
  const dataDir = makeTempDir();
  let server: ServerProcess | undefined;

  after(async () => {
    await server?.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged event', async () => {
    assert.equal((await runCli(['sites', 'add', SITE, '--data', dataDir])).code, 0);
    const key = (await runCli(['keys', 'create', '--data', dataDir])).stdout.trim().split('\n').at(-1)!;
    server = await startServerProcess({ dataDir });

    let acknowledged = 0;
    let next = 0;
    async function sender(): Promise<void> {
      while (next < EVENTS) {
        const index = next++;
        const response = await postEvent(server!.url, { domain: SITE, name: 'pageview', url: `https://crash.example/page/${index}` });
        if (response.status === 202) acknowledged += 1;
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    // Kill right after the last acknowledgement: nothing gets a chance to flush on the way out.
    await server.kill();
    assert.equal(acknowledged, EVENTS);

    server = await startServerProcess({ dataDir });
    assert.equal(await totalOf(server.url, key, SITE, 'events'), acknowledged);
    assert.equal(await totalOf(server.url, key, SITE, 'pageviews'), acknowledged);
  });
});
