/**
 * Measures the ways of appending events to DuckDB, one transaction per batch, and prints
 * rows/s per method and the longest stretch each method blocked the event loop. Then measures
 * `DuckDBEventStore`'s group commit with default options: concurrent clients each append one
 * event per call, and the script prints events/s, events per commit and append latency.
 *
 *   node --import tsx bench/duckdb-append.ts [rows=200000] [batchSize=2048]
 *
 * Each run writes into a fresh database file under os.tmpdir(), removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBListValue,
  DuckDBMapValue,
  LIST,
  MAP,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { StoredEvent } from '../src/domain.js';
import { EVENT_COLUMNS, EVENT_COLUMN_TYPES, readEventColumns } from '../src/storage/duckdb/event-columns.js';
import { DuckDBEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { applyMigrations } from '../src/storage/duckdb/migrate.js';

const totalRows = Number(process.argv[2] ?? 200_000);
const batchSize = Number(process.argv[3] ?? 2048);
/** DuckDB's vector size: one data chunk contains at most this many rows. */
const CHUNK_CAPACITY = 2048;

interface Method {
  name: string;
  /** Creates the table the method writes to, when it differs from the migrated `events`. */
  prepareTable?: (connection: DuckDBConnection) => Promise<void>;
  /** Writes one batch inside the open transaction. */
  writeBatch: (connection: DuckDBConnection, events: readonly StoredEvent[]) => Promise<void>;
}

function makeEvents(count: number): StoredEvent[] {
  const events: StoredEvent[] = [];
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0; i < count; i++) {
    const custom = i % 10 === 0;
    events.push({
      siteId: `site-${i % 5}.example`,
      timestamp: start + i * 250,
      name: custom ? 'Purchase' : 'pageview',
      hostname: 'shop.example',
      pathname: `/products/${i % 400}`,
      visitorId: BigInt(i % 20_000) * 2_654_435_761n,
      sessionId: BigInt(Math.floor(i / 7)) * 40_503n,
      route: i % 3 === 0 ? 'standard' : 'first-party',
      device: i % 4 === 0 ? 'mobile' : 'desktop',
      country: 'DE',
      region: i % 2 === 0 ? 'DE-BY' : null,
      session: {
        entryPage: '/',
        referrer: i % 5 === 0 ? 'www.google.com/' : null,
        referrerSource: i % 5 === 0 ? 'Google' : null,
        utmSource: null,
        utmMedium: null,
        utmCampaign: i % 7 === 0 ? 'spring' : null,
        utmContent: null,
        utmTerm: null,
        clickIdParameter: null,
      },
      props: custom ? { plan: 'pro', coupon: `C${i % 13}` } : {},
      revenue: custom ? { amount: `${i % 1000}.${i % 100}`, currency: 'EUR' } : null,
      interactive: true,
    });
  }
  return events;
}

function appendRow(appender: DuckDBAppender, row: readonly DuckDBValue[], types: readonly DuckDBType[]): void {
  row.forEach((value, index) => appender.appendValue(value, types[index]));
  appender.endRow();
}

function rowsOf(events: readonly StoredEvent[]): DuckDBValue[][] {
  return events.map((event) => EVENT_COLUMNS.map((column) => column.read(event)));
}

const MAP_PROPS_TYPE = MAP(VARCHAR, VARCHAR);

const appenderRowsMap: Method = {
  name: 'appender, row by row, props as MAP',
  prepareTable: async (connection) => {
    await connection.run('CREATE TABLE events_map AS SELECT * EXCLUDE (props), MAP {}::MAP(VARCHAR, VARCHAR) AS props FROM events LIMIT 0');
  },
  writeBatch: async (connection, events) => {
    const appender = await connection.createAppender('events_map');
    const types = [...EVENT_COLUMN_TYPES.filter((_, index) => EVENT_COLUMNS[index]?.name !== 'props'), MAP_PROPS_TYPE];
    for (const event of events) {
      const row = EVENT_COLUMNS.filter((column) => column.name !== 'props').map((column) => column.read(event));
      const props = new DuckDBMapValue(Object.entries(event.props).map(([key, value]) => ({ key, value })));
      appendRow(appender, [...row, props], types);
    }
    appender.flushSync();
    appender.closeSync();
  },
};

const appenderRowsJson: Method = {
  name: 'appender, row by row, props as JSON text',
  writeBatch: async (connection, events) => {
    const appender = await connection.createAppender('events');
    for (const row of rowsOf(events)) appendRow(appender, row, EVENT_COLUMN_TYPES);
    appender.flushSync();
    appender.closeSync();
  },
};

const appenderDataChunk: Method = {
  name: 'appender, DataChunk, props as JSON text',
  writeBatch: async (connection, events) => {
    const appender = await connection.createAppender('events');
    for (let offset = 0; offset < events.length; offset += CHUNK_CAPACITY) {
      const slice = events.slice(offset, offset + CHUNK_CAPACITY);
      const chunk = DuckDBDataChunk.create(EVENT_COLUMN_TYPES, slice.length);
      chunk.setColumns(readEventColumns(slice));
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
    appender.closeSync();
  },
};

/** Rows per multi-row INSERT statement (24 parameters each). */
const VALUES_ROWS_PER_STATEMENT = 256;
const preparedInserts = new Map<number, DuckDBPreparedStatement>();

const insertValuesPrepared: Method = {
  name: 'prepared multi-row INSERT … VALUES',
  writeBatch: async (connection, events) => {
    for (let offset = 0; offset < events.length; offset += VALUES_ROWS_PER_STATEMENT) {
      const slice = events.slice(offset, offset + VALUES_ROWS_PER_STATEMENT);
      let statement = preparedInserts.get(slice.length);
      if (statement === undefined) {
        const placeholders = `(${EVENT_COLUMNS.map(() => '?').join(', ')})`;
        statement = await connection.prepare(`INSERT INTO events VALUES ${Array(slice.length).fill(placeholders).join(', ')}`);
        preparedInserts.set(slice.length, statement);
      }
      const types = slice.flatMap(() => EVENT_COLUMN_TYPES);
      statement.bind(rowsOf(slice).flat(), types);
      await statement.run();
    }
  },
};

const insertUnnestLists: Method = {
  name: 'INSERT … SELECT unnest(list parameters)',
  writeBatch: async (connection, events) => {
    const columns = readEventColumns(events).map((values) => new DuckDBListValue(values));
    const select = EVENT_COLUMNS.map((_, index) => `unnest($${index + 1})`).join(', ');
    await connection.run(`INSERT INTO events SELECT ${select}`, columns, EVENT_COLUMN_TYPES.map((type) => LIST(type)));
  },
};

const JSON_STRUCTURE = JSON.stringify(
  Object.fromEntries(EVENT_COLUMNS.map((column) => [column.name, column.name === 'props' ? 'JSON' : 'VARCHAR'])),
);

const insertJsonParameter: Method = {
  name: 'INSERT … SELECT from one JSON text parameter',
  writeBatch: async (connection, events) => {
    const rows = events.map((event) =>
      Object.fromEntries(
        EVENT_COLUMNS.map((column) => {
          const value = column.read(event);
          if (column.name === 'props') return [column.name, event.props];
          if (column.name === 'ts') return [column.name, String(event.timestamp)];
          return [column.name, value === null || typeof value === 'boolean' ? value : String(value)];
        }),
      ),
    );
    const casts = EVENT_COLUMNS.map((column) =>
      column.name === 'ts' ? 'epoch_ms(r.ts::BIGINT)' : `r.${column.name}::${column.type.toString()}`,
    ).join(', ');
    await connection.run(
      `INSERT INTO events SELECT ${casts} FROM (SELECT unnest(from_json($1, '[${JSON_STRUCTURE}]')) AS r)`,
      [JSON.stringify(rows)],
    );
  },
};

async function readDuckDBVersion(): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const version = (await connection.runAndReadAll('SELECT version()')).getRows()[0]?.[0];
  connection.closeSync();
  instance.closeSync();
  return String(version);
}

async function measure(method: Method, events: readonly StoredEvent[]): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'datakant-bench-'));
  const instance = await DuckDBInstance.create(join(directory, 'events.duckdb'));
  const connection = await instance.connect();
  preparedInserts.clear();
  try {
    await applyMigrations(connection);
    await method.prepareTable?.(connection);

    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const started = performance.now();
    for (let offset = 0; offset < events.length; offset += batchSize) {
      await connection.run('BEGIN TRANSACTION');
      await method.writeBatch(connection, events.slice(offset, offset + batchSize));
      await connection.run('COMMIT');
    }
    const seconds = (performance.now() - started) / 1000;
    loopDelay.disable();
    // The histogram's maximum delay of a 1 ms timer is how long the event loop was blocked at once.
    const maxBlockedMs = loopDelay.max / 1e6;

    const table = method.prepareTable === undefined ? 'events' : 'events_map';
    const count = (await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${table}`)).getRows()[0]?.[0];
    if (count !== events.length) throw new Error(`${method.name}: expected ${events.length} rows, found ${String(count)}`);

    const rate = Math.round(events.length / seconds).toLocaleString('en-US');
    const perMillion = (seconds * (1_000_000 / events.length)).toFixed(1);
    console.log(
      `${method.name.padEnd(46)} ${rate.padStart(10)} rows/s  ${perMillion.padStart(6)} s per million  ` +
        `event loop blocked up to ${maxBlockedMs.toFixed(1)} ms`,
    );
  } finally {
    preparedInserts.forEach((statement) => statement.destroySync());
    connection.closeSync();
    instance.closeSync();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Runs `clients` loops that each append one event at a time until all `events` were appended. */
async function measureGroupCommit(clients: number, events: readonly StoredEvent[]): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'datakant-bench-'));
  const store = await DuckDBEventStore.open({ path: join(directory, 'events.duckdb') });
  const latencies: number[] = [];
  let next = 0;
  try {
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < events.length) {
          const event = events[next++]!;
          const appendStarted = performance.now();
          await store.append([event]);
          latencies.push(performance.now() - appendStarted);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!;
    const { commits, committedEvents } = store.stats;
    console.log(
      `${String(clients).padStart(5)} clients: ${Math.round(committedEvents / seconds).toLocaleString('en-US').padStart(8)} events/s, ` +
        `${commits} commits, ${(committedEvents / commits).toFixed(1)} events per commit ` +
        `(${(commits / committedEvents).toFixed(3)} commits per event), ` +
        `append latency p50 ${percentile(0.5).toFixed(1)} ms, p99 ${percentile(0.99).toFixed(1)} ms`,
    );
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

const events = makeEvents(totalRows);
console.log(`${totalRows} rows, ${batchSize} rows per transaction, DuckDB ${await readDuckDBVersion()}`);
for (const method of [
  appenderRowsMap,
  appenderRowsJson,
  appenderDataChunk,
  insertValuesPrepared,
  insertUnnestLists,
  insertJsonParameter,
]) {
  await measure(method, events);
}

const groupCommitEvents = events.slice(0, Math.min(totalRows, 50_000));
console.log(`\nDuckDBEventStore group commit, default options, single-event appends (at most 1,000 per client)`);
for (const clients of [1, 16, 256, 4096]) {
  // Each client appends at most 1,000 events, because a lone client waits for every commit.
  await measureGroupCommit(clients, groupCommitEvents.slice(0, clients * 1_000));
}
