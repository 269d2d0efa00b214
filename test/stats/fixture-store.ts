import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { DeviceClass, Route } from '../../src/domain.js';
import { MIGRATIONS } from '../../src/storage/duckdb/schema.js';
import { summarizeSessions } from '../../src/storage/duckdb/session-summaries.js';
import { StorageError } from '../../src/storage/errors.js';
import type { EventStore, QueryParameter } from '../../src/storage/event-store.js';

/** One row of the events table, with test defaults for everything a test does not set. */
export interface FixtureEvent {
  site?: string;
  /** ISO 8601 instant, for example `2026-03-10T10:00:00Z`. */
  at: string;
  name?: string;
  hostname?: string;
  pathname?: string;
  visitor: number;
  session: number;
  route?: Route;
  device?: DeviceClass;
  country?: string | null;
  region?: string | null;
  entryPage?: string;
  referrer?: string | null;
  source?: string | null;
  utmSource?: string | null;
  utmMedium?: string | null;
  utmCampaign?: string | null;
  utmContent?: string | null;
  utmTerm?: string | null;
  props?: Record<string, string>;
  interactive?: boolean;
}

export const FIXTURE_SITE = 'shop.example';

/**
 * An in-memory DuckDB with the real migrations applied, wrapped in the `query` half of the
 * EventStore interface, which is all the stats module uses.
 */
export class FixtureStore {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** Every SQL statement run through `query`, so tests can check how a query was built. */
  readonly statements: string[] = [];

  static async open(): Promise<FixtureStore> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    for (const migration of MIGRATIONS) await connection.run(migration.sql);
    return new FixtureStore(instance, connection);
  }

  get store(): EventStore {
    const query = async (sql: string, params: readonly QueryParameter[]): Promise<Record<string, unknown>[]> => {
      this.statements.push(sql);
      try {
        const reader = await this.connection.runAndReadAll(sql, params as DuckDBValue[]);
        return reader.getRowObjects();
      } catch (error) {
        // The EventStore contract: a failed query is a StorageError, as the DuckDB store throws.
        throw new StorageError('STORAGE_QUERY_FAILED', (error as Error).message, { sql, cause: error });
      }
    };
    const unused = (): never => {
      throw new Error('not used by the stats module');
    };
    return { query, append: unused, flush: unused, deleteBefore: unused, recentSessions: unused, close: unused };
  }

  /**
   * Inserts events and marks their sessions pending, as the store's commits do, so reports
   * count them from events until `summarize` is called.
   */
  async insert(events: readonly FixtureEvent[]): Promise<void> {
    await this.connection.run('BEGIN TRANSACTION');
    for (const event of events) {
      const pathname = event.pathname ?? '/';
      await this.connection.run(
        `INSERT INTO events (site_id, ts, name, hostname, pathname, visitor_id, session_id, route, device,
           country, region, entry_page, referrer, referrer_source, utm_source, utm_medium, utm_campaign,
           utm_content, utm_term, click_id_param, props, revenue_amount, revenue_currency, interactive)
         VALUES (?, CAST(? AS TIMESTAMP), ?, ?, ?, CAST(? AS UBIGINT), CAST(? AS UBIGINT), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL, NULL, ?)`,
        [
          event.site ?? FIXTURE_SITE,
          new Date(event.at).toISOString().replace('T', ' ').replace('Z', ''),
          event.name ?? 'pageview',
          event.hostname ?? FIXTURE_SITE,
          pathname,
          event.visitor,
          event.session,
          event.route ?? 'standard',
          event.device ?? 'desktop',
          event.country ?? null,
          event.region ?? null,
          event.entryPage ?? pathname,
          event.referrer ?? null,
          event.source ?? null,
          event.utmSource ?? null,
          event.utmMedium ?? null,
          event.utmCampaign ?? null,
          event.utmContent ?? null,
          event.utmTerm ?? null,
          JSON.stringify(event.props ?? {}),
          event.interactive ?? true,
        ],
      );
    }
    await this.connection.run(
      `INSERT INTO pending_sessions SELECT site_id, session_id, min(ts) FROM events GROUP BY site_id, session_id`,
    );
    await this.connection.run('COMMIT');
  }

  /** Summarises every pending session, whatever its age; returns how many. */
  summarize(): Promise<number> {
    return summarizeSessions(this.connection, Date.UTC(2100, 0, 1));
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
