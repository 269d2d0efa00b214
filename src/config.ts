/**
 * Server configuration: read once from CLI flags and environment variables, validated, then
 * frozen. This is the only module that reads `process.env`.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { parseTrustedProxies } from './edge/client-ip.js';
import { normaliseHost } from './hostnames.js';
import { DEFAULT_EVENT_PATH, DEFAULT_SCRIPT_PATH, cmpScriptPath } from './tracker-paths.js';

export interface ServerConfig {
  /** TCP port. Default 8000. */
  readonly port: number;
  /** Listen address. Default `127.0.0.1`; set `0.0.0.0` to accept other machines. */
  readonly host: string;
  /** Folder that contains all state: `config.sqlite` and `events.duckdb`. Default `./data`. */
  readonly dataDir: string;
  /** Peers whose forwarding headers are believed (CIDRs or addresses). Default: none. */
  readonly trustedProxies: readonly string[];
  /**
   * Host names that serve the standard route. Null (the default) means every host that is
   * not a first-party host serves the standard route.
   */
  readonly publicHosts: readonly string[] | null;
  /** Path of an operator's own mmdb file; null uses the bundled country database. */
  readonly geoDatabase: string | null;
  /** Path the tracker script is served at. Default `/_dk/s.js`. */
  readonly scriptPath: string;
  /** Path the tracker sends events to. Default `/_dk/e`. */
  readonly eventPath: string;
  /** pino level. Default `info`. */
  readonly logLevel: string;
  /**
   * Maximum wait before queued events are committed, in milliseconds. Default 0: an idle
   * store commits on the next timer turn (about 1 ms in Node), and appends that arrive
   * during a commit form the next batch. A 5 ms delay gave a median answer time of 31.6 ms
   * against 10.1 ms at 100 requests/s (`bench/load-fixed-rate.ts`, shared 2-core machine).
   */
  readonly commitDelayMs: number;
}

/** Options given on the command line; each one wins over its environment variable. */
export interface ServerFlags {
  port?: string;
  host?: string;
  data?: string;
  trustedProxies?: string;
  publicHosts?: string;
  geoDatabase?: string;
  logLevel?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Base URL of the standard route's public ingest host, used in the standard snippet.
 * `--public-url`, then `DATAKANT_PUBLIC_URL`, default `http://localhost:8000`.
 */
export function resolvePublicUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const value = flag ?? env.DATAKANT_PUBLIC_URL ?? 'http://localhost:8000';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`DATAKANT_PUBLIC_URL / --public-url must be an absolute URL such as https://ingest.example.com, got "${value}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`DATAKANT_PUBLIC_URL / --public-url must use http or https, got "${value}".`);
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new ConfigError(`DATAKANT_PUBLIC_URL / --public-url must be an origin without a path, such as https://ingest.example.com, got "${value}".`);
  }
  return url.origin;
}

/** Script path from `DATAKANT_SCRIPT_PATH`, for commands that print snippets. */
export function resolveScriptPath(env: NodeJS.ProcessEnv = process.env): string {
  return parsePath(env.DATAKANT_SCRIPT_PATH ?? DEFAULT_SCRIPT_PATH, 'DATAKANT_SCRIPT_PATH');
}

/** Read the data directory alone, for CLI commands that only need it. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(flag ?? env.DATAKANT_DATA_DIR ?? './data');
}

function splitList(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parsePort(value: string, source: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${source} must be a TCP port from 0 to 65535, got "${value}".`);
  }
  return port;
}

function parsePath(value: string, source: string): string {
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(value) || value.includes('//')) {
    throw new ConfigError(`${source} must be an absolute URL path such as /_dk/e, got "${value}".`);
  }
  return value;
}

function parsePublicHost(value: string): string {
  const host = normaliseHost(value) ?? (isIP(value) ? value.toLowerCase() : null);
  if (host === null) {
    throw new ConfigError(`DATAKANT_PUBLIC_HOSTS / --public-hosts must list host names such as ingest.example.com, got "${value}".`);
  }
  return host;
}

function checkTrustedProxies(entries: string[]): string[] {
  try {
    parseTrustedProxies(entries);
  } catch (error) {
    throw new ConfigError(`DATAKANT_TRUSTED_PROXIES / --trusted-proxies: ${(error as Error).message}`);
  }
  return entries;
}

/**
 * Build the server configuration from flags and environment variables.
 * Throws ConfigError with a message that names the setting to change.
 */
export function loadServerConfig(flags: ServerFlags = {}, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const portText = flags.port ?? env.DATAKANT_PORT ?? '8000';
  const logLevel = flags.logLevel ?? env.DATAKANT_LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`DATAKANT_LOG_LEVEL / --log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}".`);
  }
  const scriptPath = parsePath(env.DATAKANT_SCRIPT_PATH ?? DEFAULT_SCRIPT_PATH, 'DATAKANT_SCRIPT_PATH');
  const eventPath = parsePath(env.DATAKANT_EVENT_PATH ?? DEFAULT_EVENT_PATH, 'DATAKANT_EVENT_PATH');
  if (scriptPath === eventPath || cmpScriptPath(scriptPath) === eventPath) {
    throw new ConfigError('DATAKANT_EVENT_PATH must differ from DATAKANT_SCRIPT_PATH and its .cmp.js variant.');
  }
  const commitDelayText = env.DATAKANT_COMMIT_DELAY_MS ?? '0';
  const commitDelayMs = Number(commitDelayText);
  if (!Number.isFinite(commitDelayMs) || commitDelayMs < 0 || commitDelayMs > 1000) {
    throw new ConfigError(`DATAKANT_COMMIT_DELAY_MS must be a number of milliseconds from 0 to 1000, got "${commitDelayText}".`);
  }
  const publicHosts = splitList(flags.publicHosts ?? env.DATAKANT_PUBLIC_HOSTS);
  const config: ServerConfig = {
    port: parsePort(portText, flags.port !== undefined ? '--port' : 'DATAKANT_PORT'),
    host: flags.host ?? env.DATAKANT_HOST ?? '127.0.0.1',
    dataDir: resolveDataDir(flags.data, env),
    trustedProxies: checkTrustedProxies(splitList(flags.trustedProxies ?? env.DATAKANT_TRUSTED_PROXIES) ?? []),
    publicHosts: publicHosts === null || publicHosts.length === 0 ? null : publicHosts.map(parsePublicHost),
    geoDatabase: flags.geoDatabase ?? env.DATAKANT_GEO_DATABASE ?? null,
    scriptPath,
    eventPath,
    logLevel,
    commitDelayMs,
  };
  return Object.freeze(config);
}
