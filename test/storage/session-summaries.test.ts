import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { StoredEvent } from '../../src/domain.js';
import { DuckDBEventStore } from '../../src/storage/duckdb/duckdb-event-store.js';
import { makeEvent } from './stored-events.js';

const directory = mkdtempSync(join(tmpdir(), 'datakant-session-summaries-test-'));
after(() => rmSync(directory, { recursive: true, force: true }));

let fileCounter = 0;
function newPath(): string {
  fileCounter += 1;
  return join(directory, `store-${fileCounter}`, 'events.duckdb');
}

const FAR_FUTURE = Date.UTC(2100, 0, 1);
const MINUTE = 60_000;

/** Events of several sessions, some with custom, non-interactive and bot events. */
function traffic(start: number): StoredEvent[] {
  const events: StoredEvent[] = [];
  for (let session = 1; session <= 30; session++) {
    const base = start + session * 7 * MINUTE;
    const count = 1 + (session % 4);
    for (let index = 0; index < count; index++) {
      const custom = index === count - 1 && session % 3 === 0;
      events.push(
        makeEvent({
          sessionId: BigInt(session),
          visitorId: BigInt(100 + (session % 7)),
          timestamp: base + index * 45_000,
          name: custom ? 'Signup' : 'pageview',
          pathname: `/page-${(session + index) % 5}`,
          interactive: !(custom && session % 2 === 0),
          device: session % 10 === 0 ? 'bot' : 'desktop',
          // Session 11 changes country midway, so its attributes are not uniform.
          country: session === 11 && index > 0 ? 'FR' : 'DE',
        }),
      );
    }
  }
  return events;
}

interface ExpectedSummary {
  session_start_ms: number;
  session_end_ms: number;
  session_events: number;
  session_pageviews: number;
  session_interactions: number;
  session_bot_events: number;
  session_exit_page: string;
  uniform: boolean;
}

/** Summaries computed event by event, keyed by session id. */
function expectedSummaries(events: readonly StoredEvent[]): Map<string, ExpectedSummary> {
  const bySession = new Map<string, StoredEvent[]>();
  for (const event of events) bySession.set(String(event.sessionId), [...(bySession.get(String(event.sessionId)) ?? []), event]);
  const summaries = new Map<string, ExpectedSummary>();
  for (const [session, list] of bySession) {
    const ordered = [...list].sort((a, b) => a.timestamp - b.timestamp);
    const pageviews = ordered.filter((event) => event.name === 'pageview');
    const exit = (pageviews.at(-1) ?? ordered.at(-1)) as StoredEvent;
    summaries.set(session, {
      session_start_ms: (ordered[0] as StoredEvent).timestamp,
      session_end_ms: (ordered.at(-1) as StoredEvent).timestamp,
      session_events: ordered.length,
      session_pageviews: pageviews.length,
      session_interactions: ordered.filter((event) => event.name === 'pageview' || event.interactive).length,
      session_bot_events: ordered.filter((event) => event.device === 'bot').length,
      session_exit_page: exit.pathname,
      uniform: new Set(ordered.map((event) => `${event.visitorId}|${event.country}|${event.device}`)).size === 1,
    });
  }
  return summaries;
}

async function storedSummaries(store: DuckDBEventStore): Promise<Map<string, ExpectedSummary>> {
  const rows = await store.query(
    `SELECT session_id, epoch_ms(session_start) AS session_start_ms, epoch_ms(session_end) AS session_end_ms,
       session_events, session_pageviews, session_interactions, session_bot_events, session_exit_page, uniform
     FROM sessions ORDER BY session_id`,
    [],
  );
  return new Map(rows.map(({ session_id: id, ...row }) => [String(id), row as unknown as ExpectedSummary]));
}

async function pendingCount(store: DuckDBEventStore): Promise<number> {
  const [row] = await store.query('SELECT count(DISTINCT session_id) AS n FROM pending_sessions', []);
  return Number(row?.n);
}

describe('DuckDB session summaries', () => {
  test('summaries match per-event counts', async () => {
    const store = await DuckDBEventStore.open({ path: newPath() });
    try {
      const events = traffic(Date.UTC(2026, 2, 10, 8));
      // Appended in three calls, so sessions span several commits.
      await store.append(events.filter((_, index) => index % 3 === 0));
      await store.append(events.filter((_, index) => index % 3 === 1));
      await store.append(events.filter((_, index) => index % 3 === 2));
      assert.equal(await pendingCount(store), 30);

      assert.equal(await store.summarizeSessions(FAR_FUTURE), 30);
      assert.equal(await pendingCount(store), 0);
      assert.deepEqual(await storedSummaries(store), expectedSummaries(events));
    } finally {
      await store.close();
    }
  });

  test('later events rebuild a summary', async () => {
    const store = await DuckDBEventStore.open({ path: newPath() });
    try {
      const first = makeEvent({ sessionId: 5n, timestamp: Date.UTC(2026, 2, 10, 8), pathname: '/a' });
      const second = makeEvent({ sessionId: 5n, timestamp: Date.UTC(2026, 2, 10, 8, 10), pathname: '/b' });
      await store.append([first]);
      await store.summarizeSessions(FAR_FUTURE);
      await store.append([second]);
      assert.equal(await pendingCount(store), 1);

      await store.summarizeSessions(FAR_FUTURE);
      const summaries = await storedSummaries(store);
      assert.equal(summaries.size, 1);
      assert.deepEqual(summaries, expectedSummaries([first, second]));
    } finally {
      await store.close();
    }
  });

  test('recent sessions stay pending', async () => {
    const store = await DuckDBEventStore.open({ path: newPath() });
    try {
      const now = Date.now();
      await store.append([
        makeEvent({ sessionId: 1n, timestamp: now - 2 * 60 * MINUTE }),
        makeEvent({ sessionId: 2n, timestamp: now - MINUTE }),
      ]);
      assert.equal(await store.summarizeSessions(), 1);
      assert.equal(await pendingCount(store), 1);
      assert.deepEqual([...(await storedSummaries(store)).keys()], ['1']);
    } finally {
      await store.close();
    }
  });

  test('pending sessions survive a restart', async () => {
    const path = newPath();
    const now = Date.now();
    const first = await DuckDBEventStore.open({ path });
    await first.append([makeEvent({ sessionId: 1n, timestamp: now - MINUTE })]);
    await first.close();

    const second = await DuckDBEventStore.open({ path });
    try {
      assert.equal(await pendingCount(second), 1);
      assert.equal(await second.summarizeSessions(FAR_FUTURE), 1);
      assert.equal((await storedSummaries(second)).size, 1);
    } finally {
      await second.close();
    }
  });

  test('retention rebuilds cut sessions', async () => {
    const store = await DuckDBEventStore.open({ path: newPath() });
    try {
      const start = Date.UTC(2026, 2, 10, 8);
      const events = traffic(start);
      await store.append(events);
      await store.summarizeSessions(FAR_FUTURE);

      const cutoff = start + 100 * MINUTE;
      await store.deleteBefore('shop.example', cutoff);
      assert.ok((await pendingCount(store)) > 0);
      await store.summarizeSessions(FAR_FUTURE);
      assert.deepEqual(
        await storedSummaries(store),
        expectedSummaries(events.filter((event) => event.timestamp >= cutoff)),
      );
    } finally {
      await store.close();
    }
  });
});
