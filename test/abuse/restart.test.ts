/**
 * Restart under load: clients keep sending events while the server gets SIGTERM and is
 * started again on the same data directory. Every event answered 202 must be stored.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, test } from 'node:test';
import { DESKTOP_CHROME_UA, postEvent } from '../helpers/http.js';
import { makeTempDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { setUpProperties, storedEventCount } from './abuse-helpers.js';

const SITE = 'restart.example';
const CLIENTS = 16;

const dataDir = makeTempDir('datakant-restart-');
let server: ServerProcess | undefined;

after(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Sends events from CLIENTS loops until `stop()`; counts 202s and other outcomes. */
function loadClients(url: string): { stop: () => Promise<{ accepted: number; sent: number; failed: number }> } {
  let running = true;
  let accepted = 0;
  let sent = 0;
  let failed = 0;
  const loops = Array.from({ length: CLIENTS }, async (_, client) => {
    while (running) {
      sent += 1;
      try {
        const response = await postEvent(url, { domain: SITE, name: 'pageview', url: `https://${SITE}/c${client}/${sent}` }, { 'User-Agent': DESKTOP_CHROME_UA });
        if (response.status === 202) accepted += 1;
        else failed += 1;
      } catch {
        failed += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { accepted, sent, failed };
    },
  };
}

test('SIGTERM under load keeps acknowledged events', async () => {
  const key = await setUpProperties(dataDir, [{ domain: SITE }]);
  server = await startServerProcess({ dataDir });
  const firstUrl = server.url;
  const firstLoad = loadClients(firstUrl);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const exitCode = await server.stop();
  const first = await firstLoad.stop();

  server = await startServerProcess({ dataDir });
  const secondLoad = loadClients(server.url);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const second = await secondLoad.stop();
  const stored = await storedEventCount(server.url, key, SITE);

  assert.equal(exitCode, 0, 'a SIGTERM stops the server cleanly');
  assert.ok(first.accepted > 0, 'the first server accepted events before the restart');
  assert.ok(second.accepted > 0, 'the restarted server accepts events');
  assert.ok(stored >= first.accepted + second.accepted, `stored ${stored}, acknowledged ${first.accepted + second.accepted}`);
  assert.ok(stored <= first.sent + second.sent, `stored ${stored} but only ${first.sent + second.sent} were sent`);
});
