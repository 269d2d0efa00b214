/**
 * Child processes for the benchmarks: the built `datakant` CLI, the bare `node:http` server
 * and the load clients. Every server listens on 127.0.0.1 on a port the OS picked.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO_ROOT, 'dist/cli.js');
const execFileAsync = promisify(execFile);

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Asks the OS for a free loopback port by listening on port 0 and closing again. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs one CLI command (`sites add`, `keys create`, ...) and returns its standard output. */
export async function runCli(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [CLI, ...args], { timeout: 60_000 });
  return stdout;
}

/** Peak resident set size of a live process in bytes (`VmHWM` in /proc), or null elsewhere. */
export function peakRssBytes(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export interface RunningProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** SIGTERM, then wait for the exit (SIGKILL after 20 s). */
  stop(): Promise<void>;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await waitForExit(child);
  clearTimeout(timer);
}

/** Polls `url` until it answers 200, the child exits, or `timeoutMs` passes. */
async function waitUntilHealthy(url: string, child: ChildProcess, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The process exited with code ${child.exitCode} before it was ready. ${describe()}`);
    try {
      const response = await fetch(url);
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} was not healthy within ${timeoutMs} ms. ${describe()}`);
}

/**
 * Starts `datakant serve` on a free port with its log written to `<dataDir>/server.log`, and
 * waits until `/healthz` answers 200.
 */
export async function startDatakant(options: { dataDir: string; args?: string[]; env?: NodeJS.ProcessEnv }): Promise<RunningProcess> {
  const port = await freePort();
  const logFile = path.join(options.dataDir, 'server.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data', options.dataDir, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const tail = () => `Log tail:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`;
  try {
    await waitUntilHealthy(`${url}/healthz`, child, 30_000, tail);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { url, pid: child.pid!, child, stop: () => stopChild(child) };
}

/** Starts the bare `node:http` server of `bench/bare-server.ts` and waits for its port. */
export async function startBareServer(): Promise<RunningProcess> {
  const script = path.join(REPO_ROOT, 'bench/bare-server.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      output += chunk;
      const match = /listening on (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`The bare server exited with code ${code} before listening.`)));
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, child, stop: () => stopChild(child) };
}

/**
 * Runs a load-client script (`bench/load-*.ts`) in its own process, so it does not share an
 * event loop with the benchmark driver, and returns the JSON it prints as its last line.
 */
export async function runLoadClient<T>(script: string, config: unknown): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, script), JSON.stringify(config)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${script} exited with code ${code}. Output:\n${output.slice(-2000)}`);
  const lastLine = output.trim().split('\n').at(-1) ?? '';
  return JSON.parse(lastLine) as T;
}
