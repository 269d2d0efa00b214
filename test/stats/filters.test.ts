import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runStatsQuery } from '../../src/stats/index.js';
import { FIXTURE_SITE, FixtureStore } from './fixture-store.js';
import { SHOP_EVENTS, shopQuery } from './shop-fixture.js';

const site = { id: FIXTURE_SITE, timezone: 'UTC' };
const METRICS = ['visitors', 'visits', 'pageviews', 'events'];

describe('stats filters', () => {
  let fixture: FixtureStore;
  before(async () => {
    fixture = await FixtureStore.open();
    await fixture.insert(SHOP_EVENTS);
  });
  after(() => fixture.close());

  const filtered = async (filters: unknown[], metrics = METRICS): Promise<number[] | undefined> => {
    const response = await runStatsQuery(fixture.store, site, shopQuery({ metrics, filters }));
    return response.results[0]?.metrics;
  };

  // Expected [visitors, visits, pageviews, events], worked out from the table in shop-fixture.ts.
  const cases: [string, unknown[], number[]][] = [
    ['is on a visit dimension', [['is', 'visit:country', ['DE']]], [1, 2, 3, 5]],
    ['is with several values', [['is', 'visit:country', ['DE', 'FR']]], [2, 3, 4, 6]],
    ['is_not keeps missing values', [['is_not', 'visit:country', ['DE']]], [2, 2, 3, 3]],
    ['contains on an event dimension', [['contains', 'event:page', ['blog']]], [2, 2, 3, 3]],
    ['contains_not', [['contains_not', 'event:page', ['blog']]], [1, 2, 3, 5]],
    ['matches a regular expression', [['matches', 'event:page', ['^/(pricing|blog)$']]], [3, 3, 4, 5]],
    ['matches_not', [['matches_not', 'event:page', ['^/(pricing|blog)$']]], [1, 2, 2, 3]],
    ['is without case sensitivity', [['is', 'event:name', ['signup'], { case_sensitive: false }]], [1, 1, 0, 1]],
    ['is is case sensitive by default', [['is', 'event:name', ['signup']]], [0, 0, 0, 0]],
    ['contains without case sensitivity', [['contains', 'visit:source', ['goo'], { case_sensitive: false }]], [1, 2, 3, 5]],
    ['top-level filters all hold', [['is', 'visit:source', ['Google']], ['is', 'event:name', ['pageview']]], [1, 2, 3, 3]],
    ['and', [['and', [['is', 'visit:source', ['Google']], ['is', 'event:name', ['pageview']]]]], [1, 2, 3, 3]],
    ['or', [['or', [['is', 'visit:country', ['FR']], ['is', 'event:page', ['/pricing']]]]], [2, 2, 2, 3]],
    ['not', [['not', ['is', 'visit:source', ['Google']]]], [2, 2, 3, 3]],
    [
      'nested and, or, not',
      [['and', [['or', [['is', 'visit:country', ['DE']], ['is', 'visit:country', ['FR']]]], ['not', ['contains', 'event:page', ['pricing']]]]]],
      [2, 3, 3, 4],
    ],
    ['custom property value', [['is', 'event:props:plan', ['pro']]], [1, 1, 0, 1]],
    ['custom property missing', [['is', 'event:props:plan', ['(none)']]], [3, 4, 6, 7]],
    ['source Direct / None', [['is', 'visit:source', ['Direct / None']]], [1, 1, 1, 1]],
    ['exit page', [['is', 'visit:exit_page', ['/blog']]], [2, 2, 3, 3]],
    ['entry page', [['is', 'visit:entry_page', ['/']]], [1, 2, 3, 5]],
    ['route', [['is', 'visit:route', ['first-party']]], [2, 2, 4, 5]],
    ['hostname', [['is', 'event:hostname', ['blog.shop.example']]], [1, 1, 2, 2]],
    ['region', [['is', 'visit:region', ['DE-BY']]], [1, 1, 2, 3]],
    ['utm campaign', [['is', 'visit:utm_campaign', ['launch']]], [1, 1, 2, 3]],
    ['lower-case country code', [['is', 'visit:country', ['fr']]], [1, 1, 1, 1]],
  ];
  for (const [name, filters, expected] of cases) {
    it(`filter ${name}`, async () => {
      assert.deepEqual(await filtered(filters), expected);
    });
  }

  it('event filter keeps whole sessions for session metrics', async () => {
    // Session 1 contains the Signup event; its bounce rate, duration and pageviews are those of
    // the whole session, as in Plausible.
    assert.deepEqual(await filtered([['is', 'event:name', ['Signup']]], ['visits', 'visit_duration', 'views_per_visit', 'bounce_rate']), [
      1, 120, 2, 0,
    ]);
  });

  it('page filter limits bounce rate to entries', async () => {
    // Sessions 1 and 3 viewed "/" and both entered there; session 3 bounced.
    assert.deepEqual(await filtered([['is', 'event:page', ['/']]], ['visits', 'bounce_rate']), [2, 50]);
    // Session 1 viewed /pricing but entered on "/", so no session counts for the bounce rate.
    assert.deepEqual(await filtered([['is', 'event:page', ['/pricing']]], ['visits', 'bounce_rate']), [1, 0]);
  });
});

describe('stats bot exclusion', () => {
  let fixture: FixtureStore;
  before(async () => {
    fixture = await FixtureStore.open();
    await fixture.insert(SHOP_EVENTS);
  });
  after(() => fixture.close());

  const run = async (extra: Record<string, unknown>) => runStatsQuery(fixture.store, site, shopQuery({ metrics: ['visitors', 'pageviews'], ...extra }));

  it('bots are left out by default', async () => {
    assert.deepEqual((await run({})).results[0]?.metrics, [3, 6]);
  });

  it('device breakdown has no bot row', async () => {
    const response = await run({ dimensions: ['visit:device'] });
    assert.equal(response.results.some((row) => row.dimensions[0] === 'bot'), false);
  });

  it('device filter on bot includes bots', async () => {
    assert.deepEqual((await run({ filters: [['is', 'visit:device', ['bot']]] })).results[0]?.metrics, [1, 1]);
  });

  it('any device filter turns exclusion off', async () => {
    // Everything but mobile: visitors 1, 3 and the bot 9; pageviews 2 + 1 + 2 + 1.
    assert.deepEqual((await run({ filters: [['is_not', 'visit:device', ['mobile']]] })).results[0]?.metrics, [3, 6]);
    const nested = await run({ filters: [['or', [['is', 'visit:device', ['bot']], ['is', 'visit:country', ['FR']]]]], dimensions: ['visit:device'] });
    assert.deepEqual(
      nested.results.map((row) => [row.dimensions[0], ...row.metrics]),
      [
        ['bot', 1, 1],
        ['mobile', 1, 1],
      ],
    );
  });
});
