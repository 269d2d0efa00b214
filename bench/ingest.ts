/**
 * Ingest benchmarks: maximum requests per second of the full edge on `POST /api/event`
 * against a bare `node:http` server answering 202 (same run, same load tool, same request
 * mix), latency at half the edge's maximum, and the edge's peak RSS over both.
 */
import type { AutocannonConfig, AutocannonFigures } from './load-autocannon.js';
import type { FixedRateConfig, FixedRateFigures } from './load-fixed-rate.js';
import { makeTempDir, peakRssBytes, runCli, runLoadClient, startBareServer, startDatakant, type RunningProcess } from './lib/processes.js';
import fs from 'node:fs';

export const BENCH_DOMAIN = 'bench.example';

export interface IngestOptions {
  durationSeconds: number;
  connections: number;
}

export interface IngestFigures {
  bare: AutocannonFigures;
  edge: AutocannonFigures;
  ratio: number;
  halfRate: FixedRateFigures & { targetRate: number };
  peakRssBytes: number | null;
  conditions: Record<string, string | number>;
}

const POOL_SIZE = 5_000;

function autocannonConfig(url: string, options: IngestOptions, durationSeconds: number, seed: number): AutocannonConfig {
  return { url, domain: BENCH_DOMAIN, connections: options.connections, durationSeconds, poolSize: POOL_SIZE, seed };
}

/** Runs a short load first so both servers are measured with warm JIT and open sockets. */
async function warmUp(server: RunningProcess, options: IngestOptions): Promise<void> {
  await runLoadClient<AutocannonFigures>('bench/load-autocannon.ts', autocannonConfig(server.url, options, 2, 99));
}

export async function runIngestBenchmark(options: IngestOptions, log: (line: string) => void): Promise<IngestFigures> {
  const dataDir = makeTempDir('datakant-bench-ingest-');
  await runCli(['sites', 'add', BENCH_DOMAIN, '--timezone', 'UTC', '--data', dataDir]);
  const edgeServer = await startDatakant({ dataDir, args: ['--trusted-proxies', '127.0.0.1'] });
  const bareServer = await startBareServer();
  try {
    log(`ingest: warming up both servers (${options.connections} connections, 2 s each)`);
    await warmUp(bareServer, options);
    await warmUp(edgeServer, options);

    log(`ingest: bare node:http server, ${options.durationSeconds} s`);
    const bare = await runLoadClient<AutocannonFigures>('bench/load-autocannon.ts', autocannonConfig(bareServer.url, options, options.durationSeconds, 1));
    await bareServer.stop();
    log(`ingest: datakant edge, ${options.durationSeconds} s`);
    const edge = await runLoadClient<AutocannonFigures>('bench/load-autocannon.ts', autocannonConfig(edgeServer.url, options, options.durationSeconds, 1));

    const targetRate = Math.max(1, Math.round(edge.requestsPerSecond / 2));
    log(`ingest: datakant edge at ${targetRate} requests/s (half its maximum), ${options.durationSeconds} s`);
    const fixedRate: FixedRateConfig = {
      url: edgeServer.url,
      domain: BENCH_DOMAIN,
      rate: targetRate,
      durationSeconds: options.durationSeconds,
      maxSockets: options.connections,
      poolSize: POOL_SIZE,
      seed: 2,
    };
    const halfRate = await runLoadClient<FixedRateFigures>('bench/load-fixed-rate.ts', fixedRate);
    const peak = peakRssBytes(edgeServer.pid);

    return {
      bare,
      edge,
      ratio: bare.requestsPerSecond > 0 ? edge.requestsPerSecond / bare.requestsPerSecond : 0,
      halfRate: { ...halfRate, targetRate },
      peakRssBytes: peak,
      conditions: {
        endpoint: 'POST /api/event',
        loadTool: `autocannon ${edge.autocannonVersion} in its own process`,
        latencyTool: 'bench/load-fixed-rate.ts (open loop, node:http keep-alive agent) in its own process',
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        requestMix: `${POOL_SIZE} distinct Events API requests, User-Agents from ${edge.userAgents} (${edge.userAgentCount}), X-Forwarded-For visitor addresses, --trusted-proxies 127.0.0.1`,
        server: 'datakant serve, default settings, log to a file',
      },
    };
  } finally {
    await bareServer.stop();
    await edgeServer.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
