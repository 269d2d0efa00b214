/**
 * Start-up benchmark: time from spawning `datakant serve` to the first event it accepts with
 * 202, on a data directory that has one property and no events yet.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { CLI, freePort, makeTempDir, runCli } from './lib/processes.js';

const SITE = 'startup.example';
const RUNS = 5;

export interface StartupFigures {
  runsMs: number[];
  medianMs: number;
  maxMs: number;
  conditions: Record<string, string | number>;
}

function postOnce(port: number): Promise<number> {
  return new Promise((resolve) => {
    const request = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/api/event', agent: false, headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', () => resolve(0));
    request.end(JSON.stringify({ domain: SITE, name: 'pageview', url: `https://${SITE}/` }));
  });
}

async function measureOnce(): Promise<number> {
  const dataDir = makeTempDir('datakant-bench-startup-');
  try {
    await runCli(['sites', 'add', SITE, '--data', dataDir]);
    const port = await freePort();
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--data', dataDir], { stdio: 'ignore' });
    try {
      const deadline = started + 30_000;
      while (performance.now() < deadline) {
        if ((await postOnce(port)) === 202) return performance.now() - started;
        if (child.exitCode !== null) throw new Error(`datakant serve exited with code ${child.exitCode} during start-up.`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error('datakant serve accepted no event within 30 s.');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runStartupBenchmark(log: (line: string) => void): Promise<StartupFigures> {
  log(`start-up: ${RUNS} runs`);
  const runsMs: number[] = [];
  for (let run = 0; run < RUNS; run += 1) runsMs.push(Math.round(await measureOnce()));
  const sorted = [...runsMs].sort((a, b) => a - b);
  return {
    runsMs,
    medianMs: sorted[Math.floor(sorted.length / 2)]!,
    maxMs: sorted.at(-1)!,
    conditions: {
      measured: 'spawn of `node dist/cli.js serve` until the first POST /api/event answered 202, polling every 5 ms',
      dataDirectory: 'fresh, one property, no events',
      runs: RUNS,
    },
  };
}
