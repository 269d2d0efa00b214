import type { StoredEvent } from '../domain.js';

/**
 * The one interface every event engine implements (DuckDB now, ClickHouse later).
 *
 * `append` resolves only once the events are durable: a process crash after it resolves loses
 * none of them. Implementations batch concurrent appends into one commit (group commit).
 */
export interface EventStore {
  /**
   * Store events durably, resolving after the commit that contains them. Rejects with a
   * `StorageError` when an event is invalid (nothing of that call is stored) or when the commit
   * failed (none of the batch's events are stored), so the caller can answer with an error.
   */
  append(events: readonly StoredEvent[]): Promise<void>;
  /**
   * Commit everything queued now, without waiting for the batch timer. Resolves once every
   * event queued before the call was committed or rejected. Failures reach the `append` callers.
   */
  flush(): Promise<void>;
  /**
   * Run a read-only SQL query built by the stats module; returns plain row objects.
   *
   * Parameters are positional: `?` takes them in order, and `$1`, `$2`, ... refer to one by
   * number (use one style per statement). Result values:
   * - UBIGINT columns (`visitor_id`, `session_id`) are `bigint`.
   * - Other integers, counts included, are `number` when safe integers, else `bigint`.
   * - DECIMAL is an exact decimal string, TIMESTAMP an ISO 8601 string with a `Z` suffix,
   *   DATE `YYYY-MM-DD`, DOUBLE a `number`.
   *
   * Failures reject with a `StorageError` carrying the SQL, without the parameter values.
   */
  query(sql: string, params: readonly QueryParameter[]): Promise<Record<string, unknown>[]>;
  /** Delete a property's events older than `before` (UTC milliseconds); returns the count. */
  deleteBefore(siteId: string, before: number): Promise<number>;
  /**
   * Sessions with an event at or after `since` (UTC milliseconds), with their latest event,
   * so a restarted edge can continue them instead of opening new ones.
   */
  recentSessions(since: number): Promise<RecentSession[]>;
  /** Flush, then release files and connections. */
  close(): Promise<void>;
}

export type QueryParameter = string | number | bigint | boolean | null;

export interface RecentSession {
  siteId: string;
  visitorId: bigint;
  sessionId: bigint;
  lastTimestamp: number;
  entryPage: string;
  referrer: string | null;
  referrerSource: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmContent: string | null;
  utmTerm: string | null;
  clickIdParameter: string | null;
}
