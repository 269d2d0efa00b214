/**
 * Starts one datakant process: configuration store, event store, edge pipeline and HTTP
 * server, plus the background work (configuration reload, retention, session eviction).
 */
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { ConfigStore } from '../config-store/config-store.js';
import { ConfigError, type ServerConfig } from '../config.js';
import { SESSION_TIMEOUT_MS } from '../domain.js';
import { parseTrustedProxies } from '../edge/client-ip.js';
import { GeoLookup } from '../edge/geo.js';
import { EdgePipeline } from '../edge/pipeline.js';
import { HostRouter } from '../edge/routing.js';
import { SessionTracker } from '../edge/sessions.js';
import { VisitorHasher, utcDay } from '../edge/visitor.js';
import { DuckDBEventStore } from '../storage/duckdb/duckdb-event-store.js';
import { buildApp } from './app.js';
import { loggerOptions } from './logger.js';
import { defaultTrackerDir, loadTrackerScripts } from './routes/tracker-script.js';

export const EVENTS_DATABASE_FILE = 'events.duckdb';

/** How often the server checks the configuration database for changes, in milliseconds. */
const CONFIG_POLL_MS = 1000;
/** How often retention deletes expired events, in milliseconds. */
const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Turn a failed listen into a message that names the setting to change. */
function listenError(error: unknown, config: ServerConfig): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new ConfigError(`Port ${config.port} on ${config.host} is already in use; choose another with --port or DATAKANT_PORT.`);
  }
  if (code === 'ENOTFOUND' || code === 'EADDRNOTAVAIL' || code === 'EAI_AGAIN') {
    return new ConfigError(`Cannot listen on "${config.host}" (${code}); set --host or DATAKANT_HOST to a local address such as 127.0.0.1 or 0.0.0.0.`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Standard output for log lines, written asynchronously. A synchronous destination retries a
 * write to a closed pipe (EPIPE) forever, which blocked the process, signal handlers included,
 * once the reader of its output had gone; here such errors end log output instead.
 */
function standardOutput(): pino.DestinationStream {
  const destination = pino.destination({ dest: 1, sync: false });
  destination.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') destination.destroy();
  });
  return destination;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  logger: Logger;
  /** Stop accepting requests, commit queued events and close the stores. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Destination of log lines; default standard output. */
  logDestination?: pino.DestinationStream;
  /** Folder of the built tracker (`s.js`, `s.cmp.js`); default `dist/tracker`. */
  trackerDir?: string;
  /** Extra routes registered before the server listens (the demo page uses it). */
  configure?: (app: FastifyInstance) => Promise<void>;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = pino(loggerOptions(config.logLevel) as pino.LoggerOptions, options.logDestination ?? standardOutput());
  const trustedProxies = parseTrustedProxies(config.trustedProxies);
  const trackerScripts = loadTrackerScripts(options.trackerDir ?? defaultTrackerDir(), config.eventPath);
  let geo: GeoLookup;
  try {
    geo = await GeoLookup.open(config.geoDatabase ?? undefined);
  } catch (error) {
    throw new ConfigError(`DATAKANT_GEO_DATABASE / --geo-database: ${(error as Error).message}`);
  }

  const configStore = await ConfigStore.open(config.dataDir);
  const eventStore = await DuckDBEventStore.open({
    path: path.join(config.dataDir, EVENTS_DATABASE_FILE),
    maxBatchDelayMs: config.commitDelayMs,
    logger,
  });

  const timers: NodeJS.Timeout[] = [];
  let app: FastifyInstance | undefined;
  let url: string;
  let router: HostRouter;
  try {
    router = new HostRouter(config.publicHosts);
    router.update(await configStore.listSites());
    let configVersion = configStore.changeVersion();

    const sessions = new SessionTracker();
    sessions.restore(await eventStore.recentSessions(Date.now() - SESSION_TIMEOUT_MS));
    const hasher = new VisitorHasher(configStore);
    const pipeline = new EdgePipeline({ router, trustedProxies, geo, hasher, sessions, store: eventStore });

    let ready = false;
    const builtApp = await buildApp({ config, logger, configStore, eventStore, router, pipeline, trackerScripts, isReady: () => ready });
    app = builtApp;

    const currentRouter = router;
    const reloadConfiguration = async (): Promise<void> => {
      const version = configStore.changeVersion();
      if (version === configVersion) return;
      const sites = await configStore.listSites();
      currentRouter.update(sites);
      // Recorded only after the update, so a failed read is retried on the next poll.
      configVersion = version;
      logger.info({ properties: sites.length }, 'configuration reloaded');
    };

    // A salt is destroyed when its UTC day ends even if no event arrives to replace it.
    const destroyStaleSalt = async (now: number): Promise<void> => {
      if (!hasher.dropStaleSalt(now)) return;
      const destroyed = await configStore.destroySaltsExcept(utcDay(now));
      logger.info({ destroyed }, 'visitor-hash salts of past days destroyed');
    };

    const applyRetention = async (): Promise<void> => {
      for (const site of await configStore.listSites()) {
        if (site.retentionDays === null) continue;
        await eventStore.deleteBefore(site.domain, Date.now() - site.retentionDays * DAY_MS);
      }
    };
    const runRetention = () => {
      applyRetention().catch((error: unknown) => logger.error({ err: error }, 'retention failed'));
    };

    timers.push(
      setInterval(() => {
        const now = Date.now();
        reloadConfiguration().catch((error: unknown) => logger.error({ err: error }, 'configuration reload failed'));
        destroyStaleSalt(now).catch((error: unknown) => logger.error({ err: error }, 'salt destruction failed'));
        sessions.evictExpired(now);
      }, CONFIG_POLL_MS),
      setInterval(runRetention, RETENTION_INTERVAL_MS),
    );
    for (const timer of timers) timer.unref();

    if (options.configure) await options.configure(builtApp);
    let address: string;
    try {
      address = await builtApp.listen({ port: config.port, host: config.host });
    } catch (error) {
      throw listenError(error, config);
    }
    ready = true;
    url = address.replace('[::1]', 'localhost');
    // Retention runs after the server listens, so a large deletion does not delay start-up.
    runRetention();
  } catch (error) {
    for (const timer of timers) clearInterval(timer);
    await app?.close();
    await eventStore.close();
    await configStore.close();
    throw error;
  }
  logger.info({ url, dataDir: config.dataDir, properties: router.siteCount }, 'datakant listening');
  const runningApp = app;

  let closing: Promise<void> | null = null;
  return {
    url,
    app: runningApp,
    logger,
    close() {
      closing ??= (async () => {
        for (const timer of timers) clearInterval(timer);
        await runningApp.close();
        await eventStore.close();
        await configStore.close();
        logger.info('datakant stopped');
        await new Promise<void>((resolve) => logger.flush(() => resolve()));
      })();
      return closing;
    },
  };
}
