import { it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigStore } from '../../src/config-store/config-store.js';
import { VisitorHasher } from '../../src/edge/visitor.js';
import { makeTempDir } from '../helpers/server-process.js';

/** Every byte of the configuration database files, main file and write-ahead log. */
function databaseBytes(dataDir: string): Buffer {
  const files = ['config.sqlite', 'config.sqlite-wal'].map((name) => path.join(dataDir, name)).filter((file) => fs.existsSync(file));
  return Buffer.concat(files.map((file) => fs.readFileSync(file)));
}

it('destroys a past salt on disk while the store is open', async () => {
  const dataDir = makeTempDir();
  const store = await ConfigStore.open(dataDir);
  try {
    const first = await store.saltForDay('2026-01-01');
    assert.ok(databaseBytes(dataDir).includes(first), 'the salt is stored while its day lasts');

    const second = await store.saltForDay('2026-01-02');
    assert.notDeepEqual(second, first);
    assert.ok(!databaseBytes(dataDir).includes(first), 'no copy of the past salt in the file or its WAL');
    assert.ok(databaseBytes(dataDir).includes(second));

    assert.equal(await store.destroySaltsExcept('2026-01-03'), 1);
    assert.ok(!databaseBytes(dataDir).includes(second), 'an idle day end destroys the salt too');
  } finally {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

it('drops the cached salt when its day ends', async () => {
  const requested: string[] = [];
  const hasher = new VisitorHasher({
    async saltForDay(day: string) {
      requested.push(day);
      return Buffer.alloc(32, requested.length);
    },
  });
  const dayOne = Date.UTC(2026, 0, 1, 23, 59, 0);
  const dayTwo = Date.UTC(2026, 0, 2, 0, 0, 1);
  const idOne = await hasher.visitorId(dayOne, 'shop.example', '203.0.113.9', 'UA');
  assert.equal(hasher.dropStaleSalt(dayOne), false, 'kept within its day');
  assert.equal(hasher.dropStaleSalt(dayTwo), true, 'dropped once the day is over');
  assert.equal(hasher.dropStaleSalt(dayTwo), false, 'nothing left to drop');
  const idTwo = await hasher.visitorId(dayTwo, 'shop.example', '203.0.113.9', 'UA');
  assert.notEqual(idTwo, idOne, 'the next day hashes with a new salt');
  assert.deepEqual(requested, ['2026-01-01', '2026-01-02']);
});
