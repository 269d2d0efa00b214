/**
 * Times a dashboard's first load against the Stats API query engine: ten queries over
 * synthetic events in an in-memory DuckDB. Prints the time of each query and the total.
 *
 *   node --import tsx bench/stats-queries.ts [events, default 1000000]
 *
 * Events are generated in SQL: four events per session, two sessions per visitor, spread
 * over the 30 days before the query time, about 5 % of them from bots.
 */
import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { MIGRATIONS } from '../src/storage/duckdb/schema.js';
import type { EventStore } from '../src/storage/event-store.js';
import { runStatsQuery } from '../src/stats/index.js';

const eventCount = Number(process.argv[2] ?? 1_000_000);
const now = new Date('2026-04-02T10:00:00Z');
const site = { id: 'bench.example', timezone: 'Europe/Berlin' };

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
for (const migration of MIGRATIONS) await connection.run(migration.sql);

const generateStarted = performance.now();
await connection.run(`
INSERT INTO events
SELECT
  'bench.example',
  TIMESTAMP '2026-03-03 00:00:00' + to_microseconds(CAST((i // 4) * 2592000000000 // ${eventCount / 4} + (i % 4) * 40000000 AS BIGINT)),
  CASE WHEN i % 10 = 3 THEN 'Signup' ELSE 'pageview' END,
  'bench.example',
  '/page-' || ((i * 7919) % 50),
  CAST(i // 8 AS UBIGINT),
  CAST(i // 4 AS UBIGINT),
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
FROM range(${eventCount}) t(i)`);
console.log(`generated ${eventCount} events in ${Math.round(performance.now() - generateStarted)} ms`);

const store: EventStore = {
  query: async (sql, params) => (await connection.runAndReadAll(sql, params as DuckDBValue[])).getRowObjects(),
  append: async () => {},
  flush: async () => {},
  deleteBefore: async () => 0,
  recentSessions: async () => [],
  close: async () => {},
};

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

for (const round of ['first', 'second']) {
  let total = 0;
  for (const [name, body] of dashboard) {
    const started = performance.now();
    await runStatsQuery(store, site, { site_id: site.id, date_range: '30d', ...body }, now);
    const elapsed = performance.now() - started;
    total += elapsed;
    console.log(`${round} run  ${name.padEnd(15)} ${elapsed.toFixed(1).padStart(8)} ms`);
  }
  console.log(`${round} run  total           ${total.toFixed(1).padStart(8)} ms`);
}
connection.closeSync();
instance.closeSync();
