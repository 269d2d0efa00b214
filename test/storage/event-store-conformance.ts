/**
 * Engine-independent checks that every `EventStore` must pass. An engine's test file calls
 * `runEventStoreConformance` with a function that opens a fresh, empty store for each test.
 * The SQL here sticks to `SELECT` with `?` parameters over the `events` columns, so every
 * engine can run it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StoredEvent } from '../../src/domain.js';
import { STORAGE_ERROR_CODES, StorageError } from '../../src/storage/errors.js';
import type { EventStore } from '../../src/storage/event-store.js';
import { BASE_TIME, UNSIGNED_64_BIT_MAX, makeEvent } from './stored-events.js';

export type OpenEventStore = () => Promise<EventStore>;

/** Builds a custom event with every field set, unicode text, large props and a maximal revenue. */
function makeFullEvent(): StoredEvent {
  const largeProps: Record<string, string> = {};
  for (let i = 0; i < 200; i++) largeProps[`key_${i}`] = `value ${i} ${'x'.repeat(i)}`;
  largeProps.blob = 'ü€😀'.repeat(5_000);
  largeProps['quote"and\\backslash'] = 'line\nbreak\ttab\u0000nul';
  return makeEvent({
    siteId: 'bücher.example',
    timestamp: BASE_TIME + 1,
    name: 'Kauf abgeschlossen 🛒',
    hostname: 'shop.bücher.example',
    pathname: '/kasse/bestätigung/日本語',
    visitorId: UNSIGNED_64_BIT_MAX,
    sessionId: 9_007_199_254_740_993n,
    route: 'first-party',
    device: 'tablet',
    country: 'DE',
    region: 'DE-BY',
    session: {
      entryPage: '/start',
      referrer: 'www.google.com/search',
      referrerSource: 'Google',
      utmSource: 'newsletter',
      utmMedium: 'email',
      utmCampaign: 'frühling',
      utmContent: 'banner',
      utmTerm: 'bücher kaufen',
      clickIdParameter: 'gclid',
    },
    props: largeProps,
    revenue: { amount: '99999999999999.9999', currency: 'EUR' },
    interactive: false,
  });
}

/** Removes trailing fractional zeros, so `12.5000` and `12.5` compare equal. */
function normalizeDecimal(amount: string): string {
  return amount.includes('.') ? amount.replace(/\.?0+$/, '') : amount;
}

/** Rebuilds a stored event from a `SELECT *` row, to compare it with what was appended. */
export function rowToStoredEvent(row: Record<string, unknown>): StoredEvent {
  const nullableString = (value: unknown) => (value === null ? null : String(value));
  return {
    siteId: row.site_id as string,
    timestamp: Date.parse(row.ts as string),
    name: row.name as string,
    hostname: row.hostname as string,
    pathname: row.pathname as string,
    visitorId: row.visitor_id as bigint,
    sessionId: row.session_id as bigint,
    route: row.route as StoredEvent['route'],
    device: row.device as StoredEvent['device'],
    country: nullableString(row.country),
    region: nullableString(row.region),
    session: {
      entryPage: row.entry_page as string,
      referrer: nullableString(row.referrer),
      referrerSource: nullableString(row.referrer_source),
      utmSource: nullableString(row.utm_source),
      utmMedium: nullableString(row.utm_medium),
      utmCampaign: nullableString(row.utm_campaign),
      utmContent: nullableString(row.utm_content),
      utmTerm: nullableString(row.utm_term),
      clickIdParameter: nullableString(row.click_id_param),
    },
    props: JSON.parse(row.props as string) as Record<string, string>,
    revenue:
      row.revenue_amount === null
        ? null
        : { amount: normalizeDecimal(row.revenue_amount as string), currency: row.revenue_currency as string },
    interactive: row.interactive as boolean,
  };
}

async function countEvents(store: EventStore, siteId: string): Promise<number> {
  const rows = await store.query('SELECT count(*) AS n FROM events WHERE site_id = ?', [siteId]);
  return rows[0]?.n as number;
}

/** Opens a store, runs `body`, and closes the store even when `body` fails. */
async function withStore(openStore: OpenEventStore, body: (store: EventStore) => Promise<void>): Promise<void> {
  const store = await openStore();
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

export function runEventStoreConformance(name: string, openStore: OpenEventStore): void {
  describe(`${name} event store conformance`, () => {
    test('round trip keeps every column', () =>
      withStore(openStore, async (store) => {
        const full = makeFullEvent();
        const sparse = makeEvent({ siteId: 'bücher.example', revenue: { amount: '-0.0001', currency: 'USD' } });
        await store.append([full, sparse]);

        const rows = await store.query('SELECT * FROM events WHERE site_id = ? ORDER BY ts DESC', ['bücher.example']);
        assert.equal(rows.length, 2);
        const [fullRow, sparseRow] = rows.map(rowToStoredEvent);
        assert.deepEqual(fullRow, full);
        assert.deepEqual(sparseRow, sparse);
        assert.equal(typeof rows[0]?.ts, 'string');
        assert.equal(rows[0]?.ts, new Date(full.timestamp).toISOString());
      }));

    test('revenue keeps decimal precision', () =>
      withStore(openStore, async (store) => {
        const amounts = ['0.1', '0.2', '12.3456', '-99999999999999.9999', '10000000000000', '0.0001'];
        await store.append(
          amounts.map((amount, index) =>
            makeEvent({ timestamp: BASE_TIME + index, revenue: { amount, currency: 'EUR' } }),
          ),
        );
        const rows = await store.query('SELECT revenue_amount FROM events ORDER BY ts', []);
        assert.deepEqual(
          rows.map((row) => normalizeDecimal(row.revenue_amount as string)),
          amounts,
        );
        const [sum] = await store.query("SELECT sum(revenue_amount) AS total FROM events WHERE revenue_amount < 1", []);
        assert.equal(normalizeDecimal(String(sum?.total)), '-99999999999999.6998');
      }));

    test('concurrent appends all resolve', () =>
      withStore(openStore, async (store) => {
        const appends = Array.from({ length: 300 }, (_, index) =>
          store.append([makeEvent({ sessionId: BigInt(index), timestamp: BASE_TIME + index })]),
        );
        await Promise.all(appends);
        assert.equal(await countEvents(store, 'shop.example'), 300);
        const [distinct] = await store.query('SELECT count(DISTINCT session_id) AS n FROM events', []);
        assert.equal(distinct?.n, 300);
      }));

    test('empty append resolves', () =>
      withStore(openStore, async (store) => {
        await store.append([]);
        assert.equal(await countEvents(store, 'shop.example'), 0);
      }));

    test('invalid event is rejected alone', () =>
      withStore(openStore, async (store) => {
        const invalid = makeEvent({ revenue: { amount: '1e5', currency: 'EUR' } });
        const valid = store.append([makeEvent()]);
        await assert.rejects(store.append([makeEvent(), invalid]), (error: unknown) => {
          assert.ok(error instanceof StorageError);
          assert.equal(error.code, STORAGE_ERROR_CODES.invalidEvent);
          assert.match(error.message, /revenue\.amount/);
          return true;
        });
        await valid;
        assert.equal(await countEvents(store, 'shop.example'), 1);
      }));

    test('flush commits queued appends', () =>
      withStore(openStore, async (store) => {
        let resolved = false;
        const append = store.append([makeEvent()]).then(() => {
          resolved = true;
        });
        await store.flush();
        assert.equal(resolved, true);
        await append;
        assert.equal(await countEvents(store, 'shop.example'), 1);
      }));

    test('append after close is rejected', async () => {
      const store = await openStore();
      await store.close();
      await assert.rejects(store.append([makeEvent()]), (error: unknown) => {
        assert.ok(error instanceof StorageError);
        assert.equal(error.code, STORAGE_ERROR_CODES.closed);
        return true;
      });
    });

    test('query binds ? and $n parameters', () =>
      withStore(openStore, async (store) => {
        await store.append([makeEvent({ pathname: '/a' }), makeEvent({ pathname: '/b', timestamp: BASE_TIME + 1 })]);
        const questionMarks = await store.query('SELECT pathname FROM events WHERE site_id = ? AND pathname = ?', [
          'shop.example',
          '/b',
        ]);
        assert.deepEqual(questionMarks, [{ pathname: '/b' }]);
        const numbered = await store.query('SELECT pathname FROM events WHERE pathname = $2 AND site_id = $1', [
          'shop.example',
          '/a',
        ]);
        assert.deepEqual(numbered, [{ pathname: '/a' }]);
      }));

    test('query converts counts ids and times', () =>
      withStore(openStore, async (store) => {
        await store.append([makeEvent({ visitorId: 42n }), makeEvent({ visitorId: 42n, timestamp: BASE_TIME + 2000 })]);
        const [row] = await store.query(
          'SELECT count(*) AS events, count(DISTINCT visitor_id) AS visitors, max(visitor_id) AS visitor, ' +
            'avg(2) AS average, max(ts) AS latest FROM events',
          [],
        );
        assert.equal(row?.events, 2);
        assert.equal(row?.visitors, 1);
        assert.equal(row?.visitor, 42n);
        assert.equal(row?.average, 2);
        assert.equal(row?.latest, new Date(BASE_TIME + 2000).toISOString());
      }));

    test('query error carries sql without parameters', () =>
      withStore(openStore, async (store) => {
        const secretUrl = 'https://shop.example/checkout?email=someone@example.org';
        const sql = 'SELECT CAST(? AS INTEGER) AS n';
        await assert.rejects(store.query(sql, [secretUrl]), (error: unknown) => {
          assert.ok(error instanceof StorageError);
          assert.equal(error.code, STORAGE_ERROR_CODES.queryFailed);
          assert.equal(error.sql, sql);
          assert.ok(error.cause !== undefined);
          assert.doesNotMatch(error.message, /someone@example\.org/);
          assert.doesNotMatch(String((error.cause as Error).message), /someone@example\.org/);
          assert.doesNotMatch(String((error.cause as Error).stack), /someone@example\.org/);
          return true;
        });
      }));

    test('deleteBefore removes one property’s older events', () =>
      withStore(openStore, async (store) => {
        const cutoff = BASE_TIME;
        await store.append([
          makeEvent({ timestamp: cutoff - 86_400_000 }),
          makeEvent({ timestamp: cutoff - 1 }),
          makeEvent({ timestamp: cutoff }),
          makeEvent({ timestamp: cutoff + 1 }),
          makeEvent({ siteId: 'other.example', timestamp: cutoff - 86_400_000 }),
        ]);

        assert.equal(await store.deleteBefore('shop.example', cutoff), 2);
        const remaining = await store.query('SELECT ts FROM events WHERE site_id = ? ORDER BY ts', ['shop.example']);
        assert.deepEqual(
          remaining.map((row) => Date.parse(row.ts as string)),
          [cutoff, cutoff + 1],
        );
        assert.equal(await countEvents(store, 'other.example'), 1);
        assert.equal(await store.deleteBefore('shop.example', cutoff), 0);
      }));

    test('recentSessions returns latest event per session', () =>
      withStore(openStore, async (store) => {
        const since = BASE_TIME;
        const attributes = { ...makeEvent().session, entryPage: '/landing', utmSource: 'news', clickIdParameter: 'fbclid' };
        await store.append([
          makeEvent({ sessionId: 1n, visitorId: 10n, timestamp: since - 1 }),
          makeEvent({ sessionId: 2n, visitorId: 20n, timestamp: since - 60_000, session: attributes }),
          makeEvent({ sessionId: 2n, visitorId: 20n, timestamp: since + 5_000, session: attributes }),
          makeEvent({ sessionId: 2n, visitorId: 20n, timestamp: since + 1_000, session: attributes }),
          makeEvent({ siteId: 'other.example', sessionId: 3n, visitorId: 30n, timestamp: since }),
        ]);

        const sessions = await store.recentSessions(since);
        const bySession = new Map(sessions.map((session) => [session.sessionId, session]));
        assert.equal(sessions.length, 2);
        assert.equal(bySession.has(1n), false);
        assert.deepEqual(bySession.get(2n), {
          siteId: 'shop.example',
          visitorId: 20n,
          sessionId: 2n,
          lastTimestamp: since + 5_000,
          ...attributes,
        });
        assert.equal(bySession.get(3n)?.siteId, 'other.example');
        assert.equal(bySession.get(3n)?.lastTimestamp, since);
        assert.equal(bySession.get(3n)?.referrer, null);
      }));
  });
}
