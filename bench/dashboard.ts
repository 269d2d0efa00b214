/**
 * Dashboard benchmark: generates a month of events for one property into a fresh data
 * directory, measures bytes on disk per event, then times through the Stats API of a running
 * `datakant serve` each query a dashboard's first load makes, and the whole set sent at once.
 * Checks that the visitor counts the API returns equal exact counts taken from the database.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { PENDING_SESSIONS_TABLE } from '../src/storage/duckdb/schema.js';
import { addDays, localDateOf, startOfLocalDate } from '../src/stats/time-zone.js';
import { generateEvents, type GeneratorSummary } from './lib/generate-events.js';
import { makeTempDir, runCli, startDatakant } from './lib/processes.js';

const SITE = 'dashboard.example';
const TIME_ZONE = 'Europe/Berlin';
const DAYS = 30;
/** Timed repetitions after the first (cold) run; the median is reported. */
const REPETITIONS = 3;
/** Parallel requests of a browser to one host over HTTP/1.1. */
const BROWSER_CONNECTIONS = 6;

export interface DashboardOptions {
  events: number;
}

export interface QueryTiming {
  name: string;
  coldMs: number;
  medianMs: number;
  rows: number;
}

export interface DashboardFigures {
  generator: GeneratorSummary;
  databaseBytes: number;
  bytesPerEvent: number;
  firstLoadColdMs: number;
  firstLoadMedianMs: number;
  queries: QueryTiming[];
  visitorsExact: boolean;
  visitorChecks: { range: string; api: number; database: number }[];
  conditions: Record<string, string | number>;
}

type Query = Record<string, unknown>;

/** The queries a dashboard's first load makes for the last 30 days, as Plausible's dashboard does. */
function firstLoadQueries(previousPeriod: [string, string]): { name: string; body: Query }[] {
  const base = { site_id: SITE, date_range: '30d' };
  const top = (dimension: string, metrics: string[] = ['visitors']) => ({
    ...base,
    metrics,
    dimensions: [dimension],
    pagination: { limit: 9, offset: 0 },
  });
  const topMetrics = ['visitors', 'visits', 'pageviews', 'views_per_visit', 'bounce_rate', 'visit_duration'];
  return [
    { name: 'top stats', body: { ...base, metrics: topMetrics } },
    { name: 'top stats, previous period', body: { site_id: SITE, date_range: previousPeriod, metrics: topMetrics } },
    { name: 'time series (day)', body: { ...base, metrics: ['visitors'], dimensions: ['time:day'] } },
    { name: 'sources', body: top('visit:source') },
    { name: 'UTM mediums', body: top('visit:utm_medium') },
    { name: 'UTM sources', body: top('visit:utm_source') },
    { name: 'UTM campaigns', body: top('visit:utm_campaign') },
    { name: 'top pages', body: top('event:page') },
    { name: 'entry pages', body: top('visit:entry_page', ['visitors', 'visits']) },
    { name: 'exit pages', body: top('visit:exit_page', ['visitors', 'visits']) },
    { name: 'countries', body: top('visit:country') },
    { name: 'devices', body: top('visit:device') },
    {
      name: 'custom events',
      body: { ...top('event:name', ['visitors', 'events']), filters: [['is_not', 'event:name', ['pageview']]] },
    },
  ];
}

const agent = new http.Agent({ keepAlive: true, maxSockets: BROWSER_CONNECTIONS });

function postQuery(url: string, key: string, body: Query): Promise<{ results: { metrics: number[] }[]; query: { date_range: [string, string] } }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/api/v2/query`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode !== 200) reject(new Error(`The Stats API returned ${response.statusCode} for ${JSON.stringify(body)}: ${text}`));
          else resolve(JSON.parse(text));
        });
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await work();
  return [performance.now() - started, value];
}

function databaseSize(dataDir: string): number {
  return ['events.duckdb', 'events.duckdb.wal']
    .map((name) => path.join(dataDir, name))
    .filter((file) => fs.existsSync(file))
    .reduce((sum, file) => sum + fs.statSync(file).size, 0);
}

/** Exact distinct visitors of human events in [startMs, endMs), counted by DuckDB itself. */
async function countVisitors(file: string, ranges: { startMs: number; endMs: number }[]): Promise<number[]> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const counts: number[] = [];
    for (const range of ranges) {
      const reader = await connection.runAndReadAll(
        `SELECT count(DISTINCT visitor_id) FROM events
         WHERE site_id = '${SITE}' AND device <> 'bot' AND ts >= epoch_ms(${range.startMs}::BIGINT) AND ts < epoch_ms(${range.endMs}::BIGINT)`,
      );
      counts.push(Number(reader.getRows()[0]?.[0] ?? -1));
    }
    return counts;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export async function runDashboardBenchmark(options: DashboardOptions, log: (line: string) => void): Promise<DashboardFigures> {
  const dataDir = makeTempDir('datakant-bench-dashboard-');
  try {
    await runCli(['sites', 'add', SITE, '--timezone', TIME_ZONE, '--data', dataDir]);
    const key = (await runCli(['keys', 'create', '--name', 'bench', '--data', dataDir])).trim().split('\n').at(-1)!;

    // The store applies its migrations; the generator then writes into the migrated table.
    const file = path.join(dataDir, 'events.duckdb');
    await (await DuckDBEventStore.open({ path: file })).close();
    const today = localDateOf(Date.now(), TIME_ZONE);
    const endMs = startOfLocalDate(today, TIME_ZONE);
    const startMs = startOfLocalDate(addDays(today, -DAYS), TIME_ZONE);
    log(`dashboard: generating ${options.events.toLocaleString('en-US')} events over ${DAYS} days`);
    const instance = await DuckDBInstance.create(file);
    const connection = await instance.connect();
    let generator: GeneratorSummary;
    try {
      generator = await generateEvents(connection, { siteId: SITE, events: options.events, days: DAYS, endMs });
      // Reports rely on every session being either summarised or pending, which the store's
      // appends guarantee; rows written straight into the table must be marked here.
      await connection.run(
        `INSERT INTO ${PENDING_SESSIONS_TABLE} SELECT site_id, session_id, min(ts) FROM events GROUP BY site_id, session_id`,
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    const summaryStarted = performance.now();
    await (await DuckDBEventStore.open({ path: file })).close();
    log(`dashboard: sessions summarised by the store in ${((performance.now() - summaryStarted) / 1000).toFixed(1)} s`);
    const databaseBytes = databaseSize(dataDir);
    log(`dashboard: generated in ${generator.seconds.toFixed(1)} s, ${(databaseBytes / generator.events).toFixed(1)} bytes per event`);

    const previousPeriod: [string, string] = [addDays(today, -2 * DAYS), addDays(today, -DAYS - 1)];
    const queries = firstLoadQueries(previousPeriod);
    const server = await startDatakant({ dataDir });
    let firstLoadColdMs: number;
    const firstLoads: number[] = [];
    const timings: QueryTiming[] = [];
    let apiVisitors: number[];
    try {
      log(`dashboard: first load (${queries.length} queries at once over ${BROWSER_CONNECTIONS} connections), cold then ${REPETITIONS} times`);
      [firstLoadColdMs] = await timed(() => Promise.all(queries.map((query) => postQuery(server.url, key, query.body))));
      for (let run = 0; run < REPETITIONS; run += 1) {
        const [ms] = await timed(() => Promise.all(queries.map((query) => postQuery(server.url, key, query.body))));
        firstLoads.push(ms);
      }
      log('dashboard: each query alone');
      for (const query of queries) {
        const [coldMs, answer] = await timed(() => postQuery(server.url, key, query.body));
        const runs: number[] = [];
        for (let run = 0; run < REPETITIONS; run += 1) runs.push((await timed(() => postQuery(server.url, key, query.body)))[0]);
        timings.push({ name: query.name, coldMs, medianMs: median(runs), rows: answer.results.length });
      }
      const visitorsOf = async (range: string | [string, string]) =>
        (await postQuery(server.url, key, { site_id: SITE, metrics: ['visitors'], date_range: range })).results[0]?.metrics[0] ?? -1;
      apiVisitors = [await visitorsOf('30d'), await visitorsOf('all'), await visitorsOf([addDays(today, -7), addDays(today, -7)])];
    } catch (error) {
      const logFile = path.join(dataDir, 'server.log');
      const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-3000) : '';
      throw new Error(`The dashboard queries failed (server running: ${server.child.exitCode === null}). Server log tail:\n${tail}`, { cause: error });
    } finally {
      agent.destroy();
      await server.stop();
    }

    const dayStart = startOfLocalDate(addDays(today, -7), TIME_ZONE);
    const databaseVisitors = await countVisitors(file, [
      { startMs, endMs },
      { startMs: 0, endMs: Number.MAX_SAFE_INTEGER },
      { startMs: dayStart, endMs: startOfLocalDate(addDays(today, -6), TIME_ZONE) },
    ]);
    const visitorChecks = ['30d', 'all', 'one day'].map((range, index) => ({
      range,
      api: apiVisitors[index] ?? -1,
      database: databaseVisitors[index] ?? -2,
    }));

    return {
      generator,
      databaseBytes,
      bytesPerEvent: databaseBytes / generator.events,
      firstLoadColdMs,
      firstLoadMedianMs: median(firstLoads),
      queries: timings,
      visitorsExact: visitorChecks.every((check) => check.api === check.database),
      visitorChecks,
      conditions: {
        dataset: `${generator.events} generated events, one property, ${DAYS} days, ${generator.sessions} sessions (bench/lib/generate-events.ts)`,
        timeZone: TIME_ZONE,
        client: `node:http, ${BROWSER_CONNECTIONS} keep-alive connections, first load = all ${queries.length} queries at once`,
        repetitions: `cold run, then median of ${REPETITIONS}`,
        server: 'datakant serve on the generated data directory, default settings',
      },
    };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
