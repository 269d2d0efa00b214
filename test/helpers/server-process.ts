/**
 * Runs the built `datakant` CLI as a child process, the way an operator would, for
 * integration tests. Servers listen on 127.0.0.1 on a port the OS picks.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO_ROOT, 'dist/cli.js');

const execFileAsync = promisify(execFile);

export function makeTempDir(prefix = 'datakant-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Run one CLI command to completion. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      timeout: 30_000,
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number };
    return { stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', code: typeof failed.code === 'number' ? failed.code : 1 };
  }
}

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | null>;
  /** SIGKILL (kill -9) and wait for the exit. */
  kill(): Promise<void>;
}

/** Start `datakant serve` and wait for its "listening" log line. */
export async function startServerProcess(options: {
  dataDir: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--data', options.dataDir, ...(options.args ?? [])],
    { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`datakant did not start within ${options.timeoutMs ?? 20_000} ms. Output:\n${output}`));
    }, options.timeoutMs ?? 20_000);
    const onData = (chunk: string) => {
      output += chunk;
      for (const line of output.split('\n')) {
        if (!line.includes('datakant listening')) continue;
        try {
          const parsed = JSON.parse(line) as { url?: string };
          if (parsed.url) {
            clearTimeout(timer);
            resolve(parsed.url);
            return;
          }
        } catch {
          // An incomplete line: wait for the rest.
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: string) => {
      output += chunk;
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`datakant exited with code ${code} before listening. Output:\n${output}`));
    });
  });
  child.stdout!.removeAllListeners('data');
  child.stdout!.on('data', (chunk: string) => {
    output += chunk;
  });

  return {
    url,
    port: Number(new URL(url).port),
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Wait until `check` returns a value that is not undefined, polling every 100 ms. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
