import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runStatsQuery } from '../../src/stats/index.js';
import { FIXTURE_SITE, FixtureStore } from './fixture-store.js';
import { SHOP_EVENTS, shopQuery } from './shop-fixture.js';

const site = { id: FIXTURE_SITE, timezone: 'UTC' };

describe('stats metrics', () => {
  let fixture: FixtureStore;
  before(async () => {
    fixture = await FixtureStore.open();
    await fixture.insert(SHOP_EVENTS);
  });
  after(() => fixture.close());

  const aggregate = async (metric: string, extra: Record<string, unknown> = {}): Promise<number | undefined> => {
    const response = await runStatsQuery(fixture.store, site, shopQuery({ metrics: [metric], ...extra }));
    assert.equal(response.results.length, 1);
    return response.results[0]?.metrics[0];
  };

  it('visitors counts distinct visitors', async () => {
    assert.equal(await aggregate('visitors'), 3);
  });

  it('visits counts sessions', async () => {
    assert.equal(await aggregate('visits'), 4);
  });

  it('pageviews counts pageview events', async () => {
    assert.equal(await aggregate('pageviews'), 6);
  });

  it('events counts every event', async () => {
    assert.equal(await aggregate('events'), 8);
  });

  it('bounce_rate counts sessions with one interactive event', async () => {
    assert.equal(await aggregate('bounce_rate'), 50);
  });

  it('visit_duration is the rounded mean session length', async () => {
    assert.equal(await aggregate('visit_duration'), 49);
  });

  it('views_per_visit divides pageviews by visits', async () => {
    assert.equal(await aggregate('views_per_visit'), 1.5);
  });

  it('all metrics together keep request order', async () => {
    const response = await runStatsQuery(
      fixture.store,
      site,
      shopQuery({ metrics: ['visit_duration', 'visitors', 'bounce_rate', 'events', 'visits', 'views_per_visit', 'pageviews'] }),
    );
    assert.deepEqual(response.results, [{ metrics: [49, 3, 50, 8, 4, 1.5, 6], dimensions: [] }]);
  });

  it('empty range reports zeros', async () => {
    const response = await runStatsQuery(
      fixture.store,
      site,
      shopQuery({ date_range: ['2025-01-01', '2025-01-02'], metrics: ['visitors', 'visits', 'bounce_rate', 'visit_duration', 'views_per_visit'] }),
    );
    assert.deepEqual(response.results, [{ metrics: [0, 0, 0, 0, 0], dimensions: [] }]);
  });

  it('other properties stay out', async () => {
    const other = await FixtureStore.open();
    await other.insert(SHOP_EVENTS);
    await other.insert([{ site: 'other.example', visitor: 50, session: 50, at: '2026-03-10T10:00:00Z' }]);
    try {
      const response = await runStatsQuery(other.store, site, shopQuery({ metrics: ['visitors', 'pageviews'] }));
      assert.deepEqual(response.results[0]?.metrics, [3, 6]);
    } finally {
      other.close();
    }
  });

  it('simple metrics skip session aggregation', async () => {
    fixture.statements.length = 0;
    await runStatsQuery(fixture.store, site, shopQuery({ metrics: ['visitors', 'pageviews', 'events'], dimensions: ['event:page'] }));
    const statement = fixture.statements.at(-1) ?? '';
    assert.doesNotMatch(statement, /session_totals/);
    assert.doesNotMatch(statement, /GROUP BY\s+e\.session_id/);
  });
});

describe('stats metric rounding', () => {
  it('bounce_rate and visit_duration round half to even', async () => {
    const fixture = await FixtureStore.open();
    try {
      // Eight sessions. Session 1 has one pageview and bounces: 1 / 8 is 12.5 %, rounded to 12.
      // Sessions 2-8 have two pageviews; those of sessions 2-6 are 4 s apart: 20 s / 8 is 2.5 s,
      // rounded to 2. Pageviews 15 / 8 visits is 1.875, rounded to 1.88.
      const events = [{ visitor: 1, session: 1, at: '2026-03-10T10:00:00Z' }];
      for (let session = 2; session <= 8; session++) {
        events.push({ visitor: session, session, at: '2026-03-10T10:00:00Z' });
        events.push({ visitor: session, session, at: session <= 6 ? '2026-03-10T10:00:04Z' : '2026-03-10T10:00:00Z' });
      }
      await fixture.insert(events);
      const response = await runStatsQuery(
        fixture.store,
        site,
        shopQuery({ metrics: ['bounce_rate', 'visit_duration', 'views_per_visit'] }),
      );
      assert.deepEqual(response.results[0]?.metrics, [12, 2, 1.88]);
    } finally {
      fixture.close();
    }
  });
});
