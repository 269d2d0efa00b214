import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDBEventStore } from '../../src/storage/duckdb/duckdb-event-store.js';

const testDirectory = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = resolve(testDirectory, '../..');
const writerScript = join(testDirectory, 'fixtures', 'crash-writer.ts');

const directory = mkdtempSync(join(tmpdir(), 'datakant-duckdb-crash-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/** Acknowledged batches after which the writer is killed, in each round. */
const KILL_AFTER_ACKS = [1, 40, 150];

test('acknowledged events survive kill -9', { timeout: 120_000 }, async () => {
  const path = join(directory, 'events.duckdb');
  const acknowledged = new Set<bigint>();

  // Several rounds on one file: each writer replays the WAL its killed predecessor left.
  for (const [round, killAfter] of KILL_AFTER_ACKS.entries()) {
    const firstSessionId = round * 1_000_000;
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, path, String(firstSessionId)], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolveExit) => {
      child.on('exit', (_code, signal) => resolveExit(signal));
    });

    let acks = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      const [kind, batch, size] = line.split(' ');
      if (kind !== 'ack') continue;
      for (let index = 0; index < Number(size); index++) {
        acknowledged.add(BigInt(firstSessionId + Number(batch) * Number(size) + index));
      }
      acks += 1;
      if (acks === killAfter) child.kill('SIGKILL');
    }
    const signal = await exited;
    assert.equal(signal, 'SIGKILL', `writer exited before it was killed: ${stderr}`);
    assert.ok(acks >= killAfter);
  }

  const store = await DuckDBEventStore.open({ path });
  try {
    const rows = await store.query('SELECT session_id FROM events', []);
    const stored = new Set(rows.map((row) => row.session_id as bigint));
    const missing = [...acknowledged].filter((sessionId) => !stored.has(sessionId));
    assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.size} acknowledged events are missing`);
  } finally {
    await store.close();
  }
});
