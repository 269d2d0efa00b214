/**
 * Closed-loop load client: runs autocannon against one server with the Events API request mix
 * and prints one JSON line with requests per second and latency. Runs in its own process so
 * the driver's event loop does not compete with it (autocannon itself still shares the
 * machine's cores with the server under test).
 *
 *   node --import tsx bench/load-autocannon.ts '{"url":"http://127.0.0.1:PORT",...}'
 */
import { createRequire } from 'node:module';
import { buildEventsApiRequests, type BenchRequest } from './lib/request-mix.js';

export interface AutocannonConfig {
  url: string;
  domain: string;
  connections: number;
  durationSeconds: number;
  /** Distinct requests in the rotating pool. */
  poolSize: number;
  seed: number;
}

export interface AutocannonFigures {
  requestsPerSecond: number;
  requests: number;
  status2xx: number;
  statusOther: number;
  errors: number;
  timeouts: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  autocannonVersion: string;
  userAgents: string;
  userAgentCount: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

type RequestSetup = (request: Record<string, unknown>) => Record<string, unknown>;
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: { setupRequest: RequestSetup }[];
}) => Promise<AutocannonResult>;

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as Autocannon;
const { version } = require('autocannon/package.json') as { version: string };

const config = JSON.parse(process.argv[2] ?? '{}') as AutocannonConfig;
const { requests: pool, source } = buildEventsApiRequests(config.domain, config.poolSize, config.seed);
let next = 0;

const result = await autocannon({
  url: config.url,
  connections: config.connections,
  duration: config.durationSeconds,
  requests: [
    {
      setupRequest(request) {
        const picked: BenchRequest = pool[next++ % pool.length]!;
        return { ...request, method: picked.method, path: picked.path, headers: picked.headers, body: picked.body };
      },
    },
  ],
});

const figures: AutocannonFigures = {
  requestsPerSecond: result.requests.average,
  requests: result.requests.total,
  status2xx: result['2xx'],
  statusOther: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  latencyP50Ms: result.latency.p50,
  latencyP99Ms: result.latency.p99,
  autocannonVersion: version,
  userAgents: source.userAgents,
  userAgentCount: source.userAgentCount,
};
console.log(JSON.stringify(figures));
