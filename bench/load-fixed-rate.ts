/**
 * Open-loop load client for latency: sends the Events API request mix at a fixed rate, on a
 * schedule that does not wait for answers, and prints one JSON line with latency percentiles.
 * Latency counts from each request's scheduled send time, so a stalled server cannot hide
 * its queueing delay by slowing the client down (coordinated omission).
 *
 *   node --import tsx bench/load-fixed-rate.ts '{"url":"http://127.0.0.1:PORT","rate":1000,...}'
 */
import http from 'node:http';
import { buildEventsApiRequests } from './lib/request-mix.js';

export interface FixedRateConfig {
  url: string;
  domain: string;
  /** Requests per second. */
  rate: number;
  durationSeconds: number;
  /** Keep-alive sockets at most. */
  maxSockets: number;
  poolSize: number;
  seed: number;
}

export interface FixedRateFigures {
  requestsPerSecond: number;
  requests: number;
  status202: number;
  statusOther: number;
  errors: number;
  latencyP50Ms: number;
  latencyP90Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as FixedRateConfig;
const { requests: pool } = buildEventsApiRequests(config.domain, config.poolSize, config.seed);
const agent = new http.Agent({ keepAlive: true, maxSockets: config.maxSockets });
const target = new URL(config.url);

const latencies: number[] = [];
let status202 = 0;
let statusOther = 0;
let errors = 0;

function send(index: number, scheduledAt: number): Promise<void> {
  const picked = pool[index % pool.length]!;
  return new Promise((resolve) => {
    const request = http.request(
      { host: target.hostname, port: target.port, method: picked.method, path: picked.path, headers: picked.headers, agent },
      (response) => {
        response.resume();
        response.on('end', () => {
          latencies.push(performance.now() - scheduledAt);
          if (response.statusCode === 202) status202 += 1;
          else statusOther += 1;
          resolve();
        });
      },
    );
    request.on('error', () => {
      errors += 1;
      resolve();
    });
    request.end(picked.body);
  });
}

const total = Math.round(config.rate * config.durationSeconds);
const intervalMs = 1000 / config.rate;
const started = performance.now();
const inFlight: Promise<void>[] = [];
let sent = 0;
await new Promise<void>((resolve) => {
  const tick = setInterval(() => {
    const now = performance.now();
    while (sent < total && started + sent * intervalMs <= now) {
      inFlight.push(send(sent, started + sent * intervalMs));
      sent += 1;
    }
    if (sent >= total) {
      clearInterval(tick);
      resolve();
    }
  }, 1);
});
await Promise.all(inFlight);
const elapsedSeconds = (performance.now() - started) / 1000;
agent.destroy();

latencies.sort((a, b) => a - b);
const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
const round = (value: number) => Math.round(value * 100) / 100;
const figures: FixedRateFigures = {
  requestsPerSecond: round(latencies.length / elapsedSeconds),
  requests: latencies.length + errors,
  status202,
  statusOther,
  errors,
  latencyP50Ms: round(percentile(0.5)),
  latencyP90Ms: round(percentile(0.9)),
  latencyP99Ms: round(percentile(0.99)),
  latencyMaxMs: round(latencies.at(-1) ?? 0),
};
console.log(JSON.stringify(figures));
