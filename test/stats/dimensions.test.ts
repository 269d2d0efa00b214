import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runStatsQuery } from '../../src/stats/index.js';
import { FIXTURE_SITE, FixtureStore } from './fixture-store.js';
import { SHOP_EVENTS, shopQuery } from './shop-fixture.js';

const site = { id: FIXTURE_SITE, timezone: 'UTC' };

/** Rows as `dimension values joined by |` → metrics, for compact expectations. */
function byDimensions(results: { metrics: number[]; dimensions: string[] }[]): Record<string, number[]> {
  return Object.fromEntries(results.map((row) => [row.dimensions.join('|'), row.metrics]));
}

describe('stats dimensions', () => {
  let fixture: FixtureStore;
  before(async () => {
    fixture = await FixtureStore.open();
    await fixture.insert(SHOP_EVENTS);
  });
  after(() => fixture.close());

  const breakdown = async (dimension: string, metrics: string[]): Promise<Record<string, number[]>> => {
    const response = await runStatsQuery(fixture.store, site, shopQuery({ metrics, dimensions: [dimension] }));
    return byDimensions(response.results);
  };

  const cases: [string, string[], Record<string, number[]>][] = [
    ['event:page', ['visitors', 'pageviews', 'events'], { '/': [1, 2, 3], '/pricing': [1, 1, 2], '/blog': [2, 3, 3] }],
    ['event:hostname', ['visitors', 'pageviews'], { 'shop.example': [2, 4], 'blog.shop.example': [1, 2] }],
    ['event:name', ['events'], { pageview: [6], Signup: [1], Outbound: [1] }],
    ['event:props:plan', ['events', 'visitors'], { pro: [1, 1], '(none)': [7, 3] }],
    ['visit:source', ['visitors', 'visits'], { Google: [1, 2], 'Direct / None': [1, 1], Facebook: [1, 1] }],
    ['visit:referrer', ['visits'], { 'google.com/': [2], 'Direct / None': [1], 'facebook.com/': [1] }],
    ['visit:utm_source', ['visits'], { spring: [1], '(not set)': [3] }],
    ['visit:utm_medium', ['visits'], { email: [1], '(not set)': [3] }],
    ['visit:utm_campaign', ['visits'], { launch: [1], '(not set)': [3] }],
    ['visit:utm_content', ['visits'], { banner: [1], '(not set)': [3] }],
    ['visit:utm_term', ['visits'], { shoes: [1], '(not set)': [3] }],
    ['visit:country', ['visitors', 'visits'], { DE: [1, 2], FR: [1, 1], '(not set)': [1, 1] }],
    ['visit:region', ['visits'], { 'DE-BY': [1], 'DE-BE': [1], '(not set)': [2] }],
    ['visit:device', ['visitors', 'visits'], { desktop: [1, 2], mobile: [1, 1], tablet: [1, 1] }],
    ['visit:entry_page', ['visits', 'bounce_rate'], { '/': [2, 50], '/blog': [2, 50] }],
    ['visit:exit_page', ['visits', 'pageviews', 'visit_duration'], { '/pricing': [1, 2, 120], '/blog': [2, 3, 22], '/': [1, 1, 30] }],
    ['visit:route', ['visitors', 'visits'], { 'first-party': [2, 2], standard: [2, 2] }],
    ['time:hour', ['pageviews'], { '2026-03-10 10:00:00': [2], '2026-03-10 11:00:00': [1], '2026-03-10 12:00:00': [2], '2026-03-10 15:00:00': [1] }],
    ['time:day', ['visitors', 'visits'], { '2026-03-10': [3, 4] }],
    ['time:week', ['visits'], { '2026-03-10': [4] }],
    ['time:month', ['visits'], { '2026-03-01': [4] }],
  ];
  for (const [dimension, metrics, expected] of cases) {
    it(`${dimension} groups ${metrics.join(', ')}`, async () => {
      assert.deepEqual(await breakdown(dimension, metrics), expected);
    });
  }

  it('event:page session metrics use entry page', async () => {
    // As in Plausible: visits and bounce rate by page count the sessions that entered there,
    // so /pricing, never an entry page, has no visits.
    assert.deepEqual(await breakdown('event:page', ['visitors', 'visits', 'bounce_rate']), {
      '/': [1, 2, 50],
      '/blog': [2, 2, 50],
      '/pricing': [1, 0, 0],
    });
  });

  it('event:page alone with session metrics', async () => {
    assert.deepEqual(await breakdown('event:page', ['visits']), { '/': [2], '/blog': [2] });
  });

  it('two dimensions group together', async () => {
    const response = await runStatsQuery(
      fixture.store,
      site,
      shopQuery({ metrics: ['pageviews', 'visits'], dimensions: ['visit:country', 'event:page'] }),
    );
    assert.deepEqual(byDimensions(response.results), {
      'DE|/': [2, 2],
      'DE|/pricing': [1, 0],
      'FR|/blog': [1, 1],
      '(not set)|/blog': [2, 1],
    });
  });

  it('property keys with quotes and slashes', async () => {
    const local = await FixtureStore.open();
    try {
      const key = `it's "a"/b~c`;
      await local.insert([
        { visitor: 1, session: 1, at: '2026-03-10T10:00:00Z', name: 'Click', props: { [key]: 'yes', other: 'no' } },
        { visitor: 2, session: 2, at: '2026-03-10T10:00:00Z', name: 'Click', props: { other: 'no' } },
      ]);
      const response = await runStatsQuery(
        local.store,
        site,
        shopQuery({ metrics: ['events'], dimensions: [`event:props:${key}`], filters: [['is', 'event:name', ['Click']]] }),
      );
      assert.deepEqual(byDimensions(response.results), { yes: [1], '(none)': [1] });
    } finally {
      local.close();
    }
  });
});
