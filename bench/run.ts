/**
 * `npm run bench`: runs every benchmark, prints a table and writes the same figures, each
 * with its conditions, to bench/results/<time>.json and bench/results/latest.json.
 *
 *   npm run bench -- [--events 10000000] [--duration 10] [--connections 100]
 *                    [--only ingest,dashboard,tracker,startup]
 *
 * Timings are compared within one run only. Other work on the machine skews them, so the
 * load average at the start is recorded with the results.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { runDashboardBenchmark, type DashboardFigures } from './dashboard.js';
import { runIngestBenchmark, type IngestFigures } from './ingest.js';
import { GOALS, formatValue, meetsGoal, type Figure } from './lib/goals.js';
import { REPO_ROOT } from './lib/processes.js';
import { runStartupBenchmark, type StartupFigures } from './startup.js';
import { measureTrackerSize, type TrackerSizeFigures } from './tracker-size.js';

const SECTIONS = ['ingest', 'dashboard', 'tracker', 'startup'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '100' },
    only: { type: 'string', default: SECTIONS.join(',') },
  },
});

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`Invalid --${name} ${text}: expected a whole number of at least 1.`);
  return value;
}

const events = positive('events', values.events);
const durationSeconds = positive('duration', values.duration);
const connections = positive('connections', values.connections);
const sections = values.only.split(',').map((name) => name.trim());
for (const name of sections) {
  if (!SECTIONS.includes(name as Section)) throw new Error(`Unknown section "${name}" in --only: expected some of ${SECTIONS.join(', ')}.`);
}

const require = createRequire(import.meta.url);
function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    return dirty === '' ? commit : `${commit} with uncommitted changes`;
  } catch {
    return 'unknown';
  }
}

const log = (line: string) => console.log(`[bench] ${line}`);
const startedAt = new Date().toISOString();
const machine = {
  cores: os.availableParallelism(),
  cpu: os.cpus()[0]?.model ?? 'unknown',
  memoryBytes: os.totalmem(),
  loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 100) / 100).join(' '),
  platform: `${os.type()} ${os.release()}`,
  node: process.version,
  duckdb: packageVersion('@duckdb/node-api'),
  fastify: packageVersion('fastify'),
  autocannon: packageVersion('autocannon'),
  datakant: gitCommit(),
};
log(`${machine.cores} cores, load average ${machine.loadAverageAtStart}, node ${machine.node}, datakant ${machine.datakant}`);

let ingest: IngestFigures | undefined;
let dashboard: DashboardFigures | undefined;
let tracker: TrackerSizeFigures | undefined;
let startup: StartupFigures | undefined;
if (sections.includes('tracker')) tracker = measureTrackerSize();
if (sections.includes('startup')) startup = await runStartupBenchmark(log);
if (sections.includes('ingest')) ingest = await runIngestBenchmark({ durationSeconds, connections }, log);
if (sections.includes('dashboard')) dashboard = await runDashboardBenchmark({ events }, log);

function describe(conditions: Record<string, string | number> | undefined): string {
  return conditions ? Object.entries(conditions).map(([key, value]) => `${key}: ${value}`).join('; ') : '';
}

function figure(id: string, label: string, value: Figure['value'] | undefined, unit: string, conditions: string): Figure {
  return { id, label, value: value ?? null, unit, goal: GOALS[id] ?? null, conditions };
}

const ingestConditions = describe(ingest?.conditions);
const dashboardConditions = describe(dashboard?.conditions);
const figures: Figure[] = [
  figure('ingest.edge-rps', 'ingest: edge, requests/s', ingest && Math.round(ingest.edge.requestsPerSecond), 'req/s', ingestConditions),
  figure('ingest.bare-rps', 'ingest: bare node:http, requests/s', ingest && Math.round(ingest.bare.requestsPerSecond), 'req/s', ingestConditions),
  figure('ingest.ratio', 'ingest: edge / bare', ingest && Math.round(ingest.ratio * 1000) / 1000, '', ingestConditions),
  figure('ingest.half-rate', 'ingest: half-rate load, requests/s', ingest?.halfRate.requestsPerSecond, 'req/s', ingestConditions),
  figure('ingest.half-rate.p50', 'ingest: latency p50 at half rate', ingest?.halfRate.latencyP50Ms, 'ms', ingestConditions),
  figure('ingest.half-rate.p99', 'ingest: latency p99 at half rate', ingest?.halfRate.latencyP99Ms, 'ms', ingestConditions),
  figure('memory.peak-rss', 'memory: edge peak RSS during ingest', ingest?.peakRssBytes, 'bytes', 'VmHWM of the datakant process at the end of the ingest benchmarks'),
  figure('dashboard.first-load', 'dashboard: first load, median', dashboard && Math.round(dashboard.firstLoadMedianMs), 'ms', dashboardConditions),
  figure('dashboard.first-load-cold', 'dashboard: first load, first after start', dashboard && Math.round(dashboard.firstLoadColdMs), 'ms', dashboardConditions),
  ...(dashboard?.queries ?? []).map((query) =>
    figure(`dashboard.query.${query.name}`, `dashboard: ${query.name}, median`, Math.round(query.medianMs * 10) / 10, 'ms', dashboardConditions),
  ),
  figure('dashboard.visitors-exact', 'dashboard: visitor counts exact', dashboard?.visitorsExact, '', JSON.stringify(dashboard?.visitorChecks ?? [])),
  figure('dashboard.bytes-per-event', 'storage: bytes on disk per event', dashboard && Math.round(dashboard.bytesPerEvent * 10) / 10, 'bytes', `${dashboard?.databaseBytes ?? '?'} bytes after CHECKPOINT for ${dashboard?.generator.events ?? '?'} events`),
  figure('tracker.raw', 'tracker: raw', tracker?.rawBytes, 'bytes', describe(tracker?.conditions)),
  figure('tracker.gzip', 'tracker: gzipped', tracker?.gzipBytes, 'bytes', describe(tracker?.conditions)),
  figure('startup.first-event', 'start-up: to first accepted event, median', startup?.medianMs, 'ms', describe(startup?.conditions)),
  figure('startup.first-event-max', 'start-up: to first accepted event, slowest', startup?.maxMs, 'ms', describe(startup?.conditions)),
].filter((entry) => entry.value !== null || entry.goal !== null);

console.log('');
console.log(`${'figure'.padEnd(48)} ${'value'.padStart(14)}   goal`);
for (const entry of figures) {
  const goal = entry.goal ? `${meetsGoal(entry.value, entry.goal) ? 'met' : 'MISSED'} (${entry.goal.comparison} ${formatValue(entry.goal.value, entry.unit)})` : '';
  console.log(`${entry.label.padEnd(48)} ${formatValue(entry.value, entry.unit).padStart(14)}   ${goal}`);
}

const results = {
  startedAt,
  finishedAt: new Date().toISOString(),
  options: { events, durationSeconds, connections, sections },
  machine,
  figures,
  details: { ingest, dashboard, tracker, startup },
};
const directory = path.join(REPO_ROOT, 'bench/results');
fs.mkdirSync(directory, { recursive: true });
const text = JSON.stringify(results, null, 2) + '\n';
const file = path.join(directory, `${startedAt.replaceAll(':', '-')}.json`);
fs.writeFileSync(file, text);
fs.writeFileSync(path.join(directory, 'latest.json'), text);
console.log(`\nWrote ${path.relative(REPO_ROOT, file)} and bench/results/latest.json; "npm run bench:check" compares them with the goals.`);
