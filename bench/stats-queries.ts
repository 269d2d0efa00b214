/**
 * Times a dashboard's first load against the Stats API query engine: ten queries over
 * synthetic events in a DuckDB file opened through `DuckDBEventStore`, as the server opens it.
 *
 *   node --import tsx bench/stats-queries.ts [events, default 1000000] [rounds, default 3]
 *
 * The store summarises the sessions when it opens, because all are older than its idle cut-off.
 *
 * Events are generated in SQL: four events per session, two sessions per visitor, spread
 * over the 30 days before the query time, about 5 % of them from bots. They are written in
 * time order with random 64-bit ids, as the edge writes them. Prints the stored bytes per event, then
 * for each query the median wall-clock and CPU time of the process over the rounds when the
 * queries run one after another, and the wall-clock time of the whole first load when all ten
 * run at once, each on its own connection, as a dashboard sends them. CPU time is the
 * steadier figure on a shared machine.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { applyMigrations } from '../src/storage/duckdb/migrate.js';
import { runStatsQuery } from '../src/stats/index.js';

const eventCount = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 3);
const now = new Date('2026-04-02T10:00:00Z');
const site = { id: 'bench.example', timezone: 'Europe/Berlin' };

async function generate(file: string): Promise<void> {
  const started = performance.now();
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  await applyMigrations(connection);
  const sessions = eventCount / 4;
  await connection.run(`
INSERT INTO events
SELECT
  'bench.example',
  TIMESTAMP '2026-03-03 00:00:00' + to_microseconds(CAST((i // 4) * 2592000000000 // ${sessions} + (i % 4) * 40000000 AS BIGINT)),
  CASE WHEN i % 10 = 3 THEN 'Signup' ELSE 'pageview' END,
  'bench.example',
  '/page-' || ((i * 7919) % 50),
  CAST(hash(i // 8, 'visitor') AS UBIGINT),
  CAST(hash(i // 4, 'session') AS UBIGINT),
  CASE WHEN (i // 4) % 3 = 0 THEN 'first-party' ELSE 'standard' END,
  CASE WHEN (i // 4) % 20 = 0 THEN 'bot' WHEN (i // 4) % 3 = 0 THEN 'mobile' WHEN (i // 4) % 7 = 0 THEN 'tablet' ELSE 'desktop' END,
  ['DE', 'FR', 'US', 'GB', 'NL', NULL][((i // 4) % 6) + 1],
  NULL,
  '/page-' || (((i // 4) * 4 * 7919) % 50),
  NULL,
  ['Google', 'Facebook', NULL, 'Bing'][((i // 4) % 4) + 1],
  NULL, NULL, NULL, NULL, NULL, NULL,
  CASE WHEN i % 10 = 3 THEN '{"plan":"' || ['free', 'pro'][(i % 2) + 1] || '"}' ELSE '{}' END,
  NULL, NULL, true
FROM range(${eventCount}) t(i)
ORDER BY 2`);
  // The store marks the sessions of every committed batch pending; this does it for all at once.
  await connection.run('INSERT INTO pending_sessions SELECT site_id, session_id, min(ts) FROM events GROUP BY ALL');
  await connection.run('CHECKPOINT');
  connection.closeSync();
  instance.closeSync();
  const bytes = statSync(file).size;
  console.log(
    `generated ${eventCount} events in ${Math.round(performance.now() - started)} ms; ` +
      `file ${(bytes / 1e6).toFixed(1)} MB, ${(bytes / eventCount).toFixed(1)} bytes per event`,
  );
}

const dashboard: [string, Record<string, unknown>][] = [
  ['top stats', { metrics: ['visitors', 'visits', 'pageviews', 'views_per_visit', 'bounce_rate', 'visit_duration'] }],
  ['visitors graph', { metrics: ['visitors'], dimensions: ['time:day'] }],
  ['sources', { metrics: ['visitors'], dimensions: ['visit:source'], pagination: { limit: 9 } }],
  ['top pages', { metrics: ['visitors'], dimensions: ['event:page'], pagination: { limit: 9 } }],
  ['entry pages', { metrics: ['visits'], dimensions: ['visit:entry_page'], pagination: { limit: 9 } }],
  ['exit pages', { metrics: ['visits'], dimensions: ['visit:exit_page'], pagination: { limit: 9 } }],
  ['countries', { metrics: ['visitors'], dimensions: ['visit:country'], pagination: { limit: 9 } }],
  ['devices', { metrics: ['visitors'], dimensions: ['visit:device'] }],
  ['goals', { metrics: ['visitors', 'events'], dimensions: ['event:name'], filters: [['is_not', 'event:name', ['pageview']]] }],
  ['props', { metrics: ['visitors'], dimensions: ['event:props:plan'], filters: [['is', 'event:name', ['Signup']]] }],
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function measure(store: DuckDBEventStore): Promise<void> {
  const run = (body: Record<string, unknown>) => runStatsQuery(store, site, { site_id: site.id, date_range: '30d', ...body }, now);
  // One untimed pass loads the columns into DuckDB's buffer pool.
  for (const [, body] of dashboard) await run(body);

  let wallTotal = 0;
  let cpuTotal = 0;
  console.log('query            wall ms   cpu ms   (median of rounds, one query at a time)');
  for (const [name, body] of dashboard) {
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      await run(body);
      walls.push(performance.now() - started);
      const cpu = process.cpuUsage(cpuBefore);
      cpus.push((cpu.user + cpu.system) / 1000);
    }
    wallTotal += median(walls);
    cpuTotal += median(cpus);
    console.log(`${name.padEnd(15)} ${median(walls).toFixed(1).padStart(8)} ${median(cpus).toFixed(1).padStart(8)}`);
  }
  console.log(`${'sum'.padEnd(15)} ${wallTotal.toFixed(1).padStart(8)} ${cpuTotal.toFixed(1).padStart(8)}`);

  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    await Promise.all(dashboard.map(([, body]) => run(body)));
    loads.push(performance.now() - started);
  }
  console.log(`first load, ten queries at once: ${median(loads).toFixed(1)} ms wall (median of ${rounds})`);
}

const directory = mkdtempSync(join(tmpdir(), 'datakant-stats-bench-'));
const path = join(directory, 'events.duckdb');
try {
  await generate(path);
  const opening = performance.now();
  // Opening summarises the sessions idle for long enough, which all generated ones are.
  const store = await DuckDBEventStore.open({ path, summaryIntervalMs: Number.POSITIVE_INFINITY });
  try {
    console.log(`opened the store and summarised its sessions in ${Math.round(performance.now() - opening)} ms`);
    await measure(store);
  } finally {
    await store.close();
  }
  const bytes = statSync(path).size;
  console.log(`file with session summaries ${(bytes / 1e6).toFixed(1)} MB, ${(bytes / eventCount).toFixed(1)} bytes per event`);
  // Blocks freed by deleted rows stay in the file for reuse, so count only the used ones.
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll('SELECT used_blocks * block_size AS used FROM pragma_database_size()');
  const used = Number(reader.getRows()[0]?.[0]);
  console.log(`used blocks ${(used / 1e6).toFixed(1)} MB, ${(used / eventCount).toFixed(1)} bytes per event`);
  connection.closeSync();
  instance.closeSync();
} finally {
  rmSync(directory, { recursive: true, force: true });
}
