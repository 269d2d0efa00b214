import type { StoredEvent } from '../domain.js';

/**
 * The one interface every event engine implements (DuckDB now, ClickHouse later).
 *
 * `append` resolves only once the events are durable: a process crash after it resolves loses
 * none of them. Implementations batch concurrent appends into one commit (group commit).
 */
export interface EventStore {
  /** Store events durably; resolves after the commit that contains them. */
  append(events: readonly StoredEvent[]): Promise<void>;
  /** Commit everything queued now, without waiting for the batch timer. */
  flush(): Promise<void>;
  /** Run a read-only SQL query built by the stats module; returns plain row objects. */
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
