import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBEventStore, type DuckDBEventStoreOptions } from '../../src/storage/duckdb/duckdb-event-store.js';
import { applyMigrations } from '../../src/storage/duckdb/migrate.js';
import { MIGRATIONS } from '../../src/storage/duckdb/schema.js';
import { STORAGE_ERROR_CODES, StorageError } from '../../src/storage/errors.js';
import { runEventStoreConformance } from './event-store-conformance.js';
import { makeEvent } from './stored-events.js';

const directory = mkdtempSync(join(tmpdir(), 'datakant-duckdb-test-'));
after(() => rmSync(directory, { recursive: true, force: true }));

let fileCounter = 0;
function newPath(): string {
  fileCounter += 1;
  return join(directory, `store-${fileCounter}`, 'events.duckdb');
}

function openStore(options: Partial<DuckDBEventStoreOptions> = {}): Promise<DuckDBEventStore> {
  return DuckDBEventStore.open({ path: newPath(), ...options });
}

async function countRows(store: DuckDBEventStore, siteId = 'shop.example'): Promise<number> {
  const [row] = await store.query('SELECT count(*) AS n FROM events WHERE site_id = ?', [siteId]);
  return row?.n as number;
}

runEventStoreConformance('DuckDB', () => openStore());

describe('DuckDB event store', () => {
  test('group commit batches concurrent appends', async () => {
    const store = await openStore({ maxBatchSize: 10_000, maxBatchDelayMs: 20 });
    try {
      const appends = Array.from({ length: 500 }, (_, index) => store.append([makeEvent({ sessionId: BigInt(index) })]));
      await Promise.all(appends);
      assert.equal(store.stats.committedEvents, 500);
      assert.ok(store.stats.commits >= 1);
      assert.ok(store.stats.commits < 500, `expected fewer commits than appends, got ${store.stats.commits}`);
      assert.equal(await countRows(store), 500);
    } finally {
      await store.close();
    }
  });

  test('appends during a commit join the next batch', async () => {
    const store = await openStore({ maxBatchSize: 10_000, maxBatchDelayMs: 60_000 });
    try {
      const first = store.append([makeEvent()]);
      const flushed = store.flush();
      // These arrive while the first batch commits, so they wait for the running commit to end.
      const later = Array.from({ length: 100 }, () => store.append([makeEvent()]));
      await flushed;
      await first;
      await Promise.all(later);
      assert.equal(store.stats.commits, 2);
      assert.equal(await countRows(store), 101);
    } finally {
      await store.close();
    }
  });

  test('full batch commits without waiting for timer', { timeout: 30_000 }, async () => {
    const store = await openStore({ maxBatchSize: 10, maxBatchDelayMs: 600_000 });
    try {
      await store.append(Array.from({ length: 10 }, () => makeEvent()));
      assert.equal(store.stats.commits, 1);
    } finally {
      await store.close();
    }
  });

  test('large append is one transaction', async () => {
    const store = await openStore({ maxBatchSize: 100 });
    try {
      await store.append(Array.from({ length: 5_000 }, (_, index) => makeEvent({ timestamp: index })));
      assert.equal(store.stats.commits, 1);
      assert.equal(await countRows(store), 5_000);
    } finally {
      await store.close();
    }
  });

  test('failed batch rejects appends and writes nothing', async () => {
    const store = await openStore({ maxBatchSize: 10_000, maxBatchDelayMs: 60_000 });
    try {
      await store.query('ALTER TABLE events ALTER COLUMN country SET NOT NULL', []);
      const withCountry = store.append([makeEvent({ country: 'DE' }), makeEvent({ country: 'FR' })]);
      const withoutCountry = store.append([makeEvent({ country: null })]);
      await store.flush();

      for (const append of [withCountry, withoutCountry]) {
        await assert.rejects(append, (error: unknown) => {
          assert.ok(error instanceof StorageError);
          assert.equal(error.code, STORAGE_ERROR_CODES.commitFailed);
          assert.match(error.message, /NOT NULL/);
          return true;
        });
      }
      assert.equal(store.stats.failedCommits, 1);
      assert.equal(await countRows(store), 0);

      await store.query('ALTER TABLE events ALTER COLUMN country DROP NOT NULL', []);
      const retried = store.append([makeEvent({ country: null })]);
      await store.flush();
      await retried;
      assert.equal(await countRows(store), 1);
    } finally {
      await store.close();
    }
  });

  test('close commits queued appends', async () => {
    const path = newPath();
    const store = await DuckDBEventStore.open({ path, maxBatchDelayMs: 600_000 });
    const append = store.append([makeEvent(), makeEvent()]);
    await store.close();
    await append;

    const reopened = await DuckDBEventStore.open({ path });
    try {
      assert.equal(await countRows(reopened), 2);
    } finally {
      await reopened.close();
    }
  });

  test('query after close is rejected', async () => {
    const store = await openStore();
    await store.close();
    await assert.rejects(store.query('SELECT 1', []), { code: STORAGE_ERROR_CODES.closed });
  });

  test('second open of one file is rejected', async () => {
    const path = newPath();
    const store = await DuckDBEventStore.open({ path });
    try {
      await assert.rejects(DuckDBEventStore.open({ path }), { code: STORAGE_ERROR_CODES.openFailed });
    } finally {
      await store.close();
    }
    const reopened = await DuckDBEventStore.open({ path });
    await reopened.close();
  });

  test('query converts DuckDB types', async () => {
    const store = await openStore();
    try {
      const [row] = await store.query(
        `SELECT 12.5::DECIMAL(18, 4) AS amount, 2::UBIGINT AS id, 2::BIGINT AS count,
                (2::HUGEINT << 70) AS huge, 0.25::DOUBLE AS ratio, DATE '2026-03-01' AS day,
                TIMESTAMPTZ '2026-03-01 10:00:00+00' AS instant, 'infinity'::TIMESTAMP AS forever,
                [1::BIGINT, 2::BIGINT] AS list, {'a': 1::BIGINT} AS record, NULL AS nothing`,
        [],
      );
      assert.equal(row?.amount, '12.5000');
      assert.equal(row?.id, 2n);
      assert.equal(row?.count, 2);
      assert.equal(row?.huge, 2n << 70n);
      assert.equal(row?.ratio, 0.25);
      assert.equal(row?.day, '2026-03-01');
      assert.equal(row?.instant, '2026-03-01T10:00:00.000Z');
      assert.equal(row?.forever, 'infinity');
      assert.deepEqual(row?.list, [1, 2]);
      assert.deepEqual(row?.record, { a: 1 });
      assert.equal(row?.nothing, null);
    } finally {
      await store.close();
    }
  });

  test('deleteBefore runs beside appends', async () => {
    const store = await openStore({ maxBatchDelayMs: 1 });
    try {
      await store.append(Array.from({ length: 100 }, (_, index) => makeEvent({ timestamp: index })));
      const appends = Array.from({ length: 50 }, () => store.append([makeEvent({ timestamp: 1_000 })]));
      const deleted = await store.deleteBefore('shop.example', 50);
      await Promise.all(appends);
      assert.equal(deleted, 50);
      assert.equal(await countRows(store), 100);
    } finally {
      await store.close();
    }
  });
});

describe('DuckDB migrations', () => {
  test('reopening applies no migration twice', async () => {
    const path = newPath();
    const first = await DuckDBEventStore.open({ path });
    await first.append([makeEvent()]);
    await first.close();

    const second = await DuckDBEventStore.open({ path });
    try {
      const versions = await second.query('SELECT version FROM schema_migrations ORDER BY version', []);
      assert.deepEqual(
        versions.map((row) => row.version),
        MIGRATIONS.map((migration) => migration.version),
      );
      assert.equal(await countRows(second), 1);
    } finally {
      await second.close();
    }
  });

  test('applyMigrations is idempotent', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      assert.deepEqual(await applyMigrations(connection), MIGRATIONS.map((migration) => migration.version));
      assert.deepEqual(await applyMigrations(connection), []);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  test('failed migration leaves no trace', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const migrations = [
        { version: 1, sql: 'CREATE TABLE kept (a INTEGER)' },
        { version: 2, sql: 'CREATE TABLE dropped (a INTEGER); SELECT missing_column FROM kept' },
      ];
      await assert.rejects(applyMigrations(connection, migrations), (error: unknown) => {
        assert.ok(error instanceof StorageError);
        assert.equal(error.code, STORAGE_ERROR_CODES.openFailed);
        assert.match(error.message, /Migration 2 failed/);
        return true;
      });
      const tables = await connection.runAndReadAll(
        "SELECT table_name FROM information_schema.tables WHERE table_name IN ('kept', 'dropped')",
      );
      assert.deepEqual(tables.getRows(), [['kept']]);
      const versions = await connection.runAndReadAll('SELECT version FROM schema_migrations');
      assert.deepEqual(versions.getRows(), [[1]]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
