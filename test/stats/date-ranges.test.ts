import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runStatsQuery } from '../../src/stats/index.js';
import { FIXTURE_SITE, FixtureStore } from './fixture-store.js';

const berlin = { id: FIXTURE_SITE, timezone: 'Europe/Berlin' };
/** 12:00 in Berlin on Thursday 2026-04-02. */
const NOW = new Date('2026-04-02T10:00:00Z');

describe('stats date ranges', () => {
  let fixture: FixtureStore;
  before(async () => {
    fixture = await FixtureStore.open();
    await fixture.insert([
      { visitor: 1, session: 1, at: '2025-11-15T12:00:00Z' },
      { visitor: 2, session: 2, at: '2026-03-02T23:30:00Z' }, // 2026-03-03 00:30 in Berlin
      { visitor: 3, session: 3, at: '2026-03-25T12:00:00Z' },
      { visitor: 4, session: 4, at: '2026-03-26T12:00:00Z' },
      { visitor: 5, session: 5, at: '2026-04-01T21:59:59Z' }, // 23:59:59 on 2026-04-01 in Berlin
      { visitor: 6, session: 6, at: '2026-04-01T22:15:00Z' }, // 00:15 on 2026-04-02 in Berlin
      { visitor: 7, session: 7, at: '2026-04-30T21:00:00Z' }, // 23:00 on 2026-04-30 in Berlin
    ]);
  });
  after(() => fixture.close());

  const run = async (dateRange: unknown, now = NOW) =>
    runStatsQuery(fixture.store, berlin, { site_id: FIXTURE_SITE, metrics: ['visitors'], date_range: dateRange }, now);

  const cases: [string, unknown, [string, string], number][] = [
    ['day is today', 'day', ['2026-04-02T00:00:00+02:00', '2026-04-02T23:59:59+02:00'], 1],
    ['7d ends yesterday', '7d', ['2026-03-26T00:00:00+01:00', '2026-04-01T23:59:59+02:00'], 2],
    ['30d ends yesterday', '30d', ['2026-03-03T00:00:00+01:00', '2026-04-01T23:59:59+02:00'], 4],
    ['month is the whole month', 'month', ['2026-04-01T00:00:00+02:00', '2026-04-30T23:59:59+02:00'], 3],
    ['year is the whole year', 'year', ['2026-01-01T00:00:00+01:00', '2026-12-31T23:59:59+01:00'], 6],
    ['all starts at the first event', 'all', ['2025-11-15T00:00:00+01:00', '2026-04-02T23:59:59+02:00'], 6],
    ['date pair is inclusive', ['2026-03-25', '2026-03-26'], ['2026-03-25T00:00:00+01:00', '2026-03-26T23:59:59+01:00'], 2],
    [
      'timestamp pair is exact',
      ['2026-04-01T23:59:59+02:00', '2026-04-02T00:15:00+02:00'],
      ['2026-04-01T23:59:59+02:00', '2026-04-02T00:15:00+02:00'],
      2,
    ],
  ];
  for (const [name, dateRange, echo, visitors] of cases) {
    it(`date range ${name}`, async () => {
      const response = await run(dateRange);
      assert.deepEqual(response.query.date_range, echo);
      assert.equal(response.results[0]?.metrics[0], visitors);
    });
  }

  it('today follows the property time zone', async () => {
    // 00:30 on 2026-04-02 in Berlin is still 2026-04-01 in UTC.
    const response = await run('day', new Date('2026-04-01T22:30:00Z'));
    assert.deepEqual(response.query.date_range, ['2026-04-02T00:00:00+02:00', '2026-04-02T23:59:59+02:00']);
    assert.equal(response.results[0]?.metrics[0], 1);
  });

  it('all on an empty property is today', async () => {
    const empty = await FixtureStore.open();
    try {
      const response = await runStatsQuery(empty.store, berlin, { site_id: FIXTURE_SITE, metrics: ['visitors'], date_range: 'all' }, NOW);
      assert.deepEqual(response.query.date_range, ['2026-04-02T00:00:00+02:00', '2026-04-02T23:59:59+02:00']);
      assert.equal(response.results[0]?.metrics[0], 0);
    } finally {
      empty.close();
    }
  });
});

describe('stats time buckets', () => {
  let fixture: FixtureStore;
  before(async () => {
    fixture = await FixtureStore.open();
    await fixture.insert([
      // Around the start of summer time in Berlin, 2026-03-29 02:00 CET → 03:00 CEST.
      { visitor: 1, session: 1, at: '2026-03-28T22:30:00Z' }, // 03-28 23:30 CET
      { visitor: 2, session: 2, at: '2026-03-28T23:30:00Z' }, // 03-29 00:30 CET
      { visitor: 3, session: 3, at: '2026-03-29T00:30:00Z' }, // 03-29 01:30 CET
      { visitor: 4, session: 4, at: '2026-03-29T01:30:00Z' }, // 03-29 03:30 CEST
      { visitor: 5, session: 5, at: '2026-03-29T22:30:00Z' }, // 03-30 00:30 CEST
      // Around its end, 2026-10-25 03:00 CEST → 02:00 CET: 02:30 happens twice.
      { visitor: 6, session: 6, at: '2026-10-25T00:30:00Z' }, // 02:30 CEST
      { visitor: 7, session: 7, at: '2026-10-25T01:30:00Z' }, // 02:30 CET
      // A session that starts on one day and ends on the next, in Berlin.
      { visitor: 8, session: 8, at: '2026-03-04T22:50:00Z' }, // 03-04 23:50
      { visitor: 8, session: 8, at: '2026-03-04T23:10:00Z' }, // 03-05 00:10
    ]);
  });
  after(() => fixture.close());

  const rows = async (body: Record<string, unknown>) => {
    const response = await runStatsQuery(fixture.store, berlin, { site_id: FIXTURE_SITE, ...body }, NOW);
    return response.results.map((row) => [...row.dimensions, ...row.metrics]);
  };

  it('days follow the property time zone across DST', async () => {
    assert.deepEqual(await rows({ metrics: ['pageviews'], date_range: ['2026-03-28', '2026-03-30'], dimensions: ['time:day'] }), [
      ['2026-03-28', 1],
      ['2026-03-29', 3],
      ['2026-03-30', 1],
    ]);
  });

  it('hours skip the missing hour of DST start', async () => {
    assert.deepEqual(await rows({ metrics: ['pageviews'], date_range: ['2026-03-29', '2026-03-29'], dimensions: ['time:hour'] }), [
      ['2026-03-29 00:00:00', 1],
      ['2026-03-29 01:00:00', 1],
      ['2026-03-29 03:00:00', 1],
    ]);
  });

  it('repeated hour of DST end is one bucket', async () => {
    assert.deepEqual(await rows({ metrics: ['pageviews'], date_range: ['2026-10-25', '2026-10-25'], dimensions: ['time:hour'] }), [
      ['2026-10-25 02:00:00', 2],
    ]);
  });

  it('session metrics bucket by session start', async () => {
    assert.deepEqual(
      await rows({ metrics: ['pageviews', 'visits'], date_range: ['2026-03-04', '2026-03-05'], dimensions: ['time:day'] }),
      [
        ['2026-03-04', 1, 1],
        ['2026-03-05', 1, 0],
      ],
    );
  });

  it('weeks start on Monday, not before the range', async () => {
    assert.deepEqual(await rows({ metrics: ['pageviews'], date_range: ['2026-03-04', '2026-03-31'], dimensions: ['time:week'] }), [
      ['2026-03-04', 2],
      ['2026-03-23', 4],
      ['2026-03-30', 1],
    ]);
  });

  it('months', async () => {
    assert.deepEqual(await rows({ metrics: ['visitors'], date_range: 'year', dimensions: ['time:month'] }), [
      ['2026-03-01', 6],
      ['2026-10-01', 2],
    ]);
  });

  it('time picks the bucket by range length', async () => {
    const resolved = async (dateRange: unknown): Promise<string | undefined> => {
      const response = await runStatsQuery(
        fixture.store,
        berlin,
        { site_id: FIXTURE_SITE, metrics: ['visitors'], date_range: dateRange, dimensions: ['time'] },
        NOW,
      );
      return response.query.dimensions[0];
    };
    assert.equal(await resolved('day'), 'time:hour');
    assert.equal(await resolved(['2026-03-01', '2026-03-02']), 'time:hour');
    assert.equal(await resolved(['2026-03-01', '2026-03-03']), 'time:day');
    assert.equal(await resolved('7d'), 'time:day');
    assert.equal(await resolved('30d'), 'time:day');
    assert.equal(await resolved('month'), 'time:day');
    assert.equal(await resolved(['2026-01-01', '2026-02-15']), 'time:week');
    assert.equal(await resolved('year'), 'time:week');
    assert.equal(await resolved(['2024-01-01', '2026-03-01']), 'time:month');
  });

  it('time labels list every bucket', async () => {
    const labels = async (dimension: string, dateRange: unknown): Promise<string[] | undefined> => {
      const response = await runStatsQuery(
        fixture.store,
        berlin,
        { site_id: FIXTURE_SITE, metrics: ['visitors'], date_range: dateRange, dimensions: [dimension], include: { time_labels: true } },
        NOW,
      );
      return response.meta.time_labels;
    };
    assert.deepEqual(await labels('time:day', ['2026-02-27', '2026-03-02']), ['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    assert.deepEqual(await labels('time:week', ['2026-03-04', '2026-03-31']), ['2026-03-04', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30']);
    assert.deepEqual(await labels('time:month', ['2026-01-15', '2026-03-02']), ['2026-01-01', '2026-02-01', '2026-03-01']);
    const hours = await labels('time:hour', 'day');
    assert.equal(hours?.length, 24);
    assert.equal(hours?.[0], '2026-04-02 00:00:00');
    assert.equal(hours?.[23], '2026-04-02 23:00:00');
  });
});
