import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StatsQueryError, runStatsQuery } from '../../src/stats/index.js';
import { FIXTURE_SITE, FixtureStore } from './fixture-store.js';

const site = { id: FIXTURE_SITE, timezone: 'Europe/Berlin' };
const VALID = { site_id: FIXTURE_SITE, metrics: ['visitors'], date_range: '7d' };

const PAGE_FILTER = ['is', 'event:page', ['/']];

/** Wraps a page filter in `levels - 1` nots, so that it nests `levels` levels deep. */
function nestedNots(levels: number): unknown {
  let filter: unknown = PAGE_FILTER;
  for (let level = 1; level < levels; level++) filter = ['not', filter];
  return filter;
}

/** [case, body, expected path, pattern the message must match] */
const INVALID: [string, unknown, string, RegExp][] = [
  ['body not an object', 'visitors', '', /JSON object/],
  ['missing metrics', { site_id: FIXTURE_SITE, date_range: '7d' }, '/metrics', /missing required field.*metric names/],
  ['missing date_range', { site_id: FIXTURE_SITE, metrics: ['visitors'] }, '/date_range', /missing required field/],
  ['empty metrics', { ...VALID, metrics: [] }, '/metrics', /non-empty array of metric names/],
  ['unknown metric', { ...VALID, metrics: ['visitors', 'conversion_rate'] }, '/metrics/1', /unknown metric 'conversion_rate'; allowed: visitors, visits/],
  ['metric not a string', { ...VALID, metrics: [7] }, '/metrics/0', /metric name/],
  ['duplicate metric', { ...VALID, metrics: ['visits', 'visits'] }, '/metrics/1', /listed twice/],
  ['unknown dimension', { ...VALID, dimensions: ['visit:browser'] }, '/dimensions/0', /unknown dimension 'visit:browser'; allowed: .*visit:route/],
  ['unknown time bucket', { ...VALID, dimensions: ['time:minute'] }, '/dimensions/0', /unknown dimension 'time:minute'.*time:hour/],
  ['two time dimensions', { ...VALID, dimensions: ['time:day', 'time'] }, '/dimensions/1', /only one time dimension/],
  ['duplicate dimension', { ...VALID, dimensions: ['event:page', 'event:page'] }, '/dimensions/1', /listed twice/],
  ['property without key', { ...VALID, dimensions: ['event:props:'] }, '/dimensions/0', /has no key/],
  ['property key too long', { ...VALID, dimensions: [`event:props:${'k'.repeat(301)}`] }, '/dimensions/0', /longer than 300/],
  ['property key with control character', { ...VALID, dimensions: ['event:props:a\nb'] }, '/dimensions/0', /control character/],
  ['unknown period', { ...VALID, date_range: '14days' }, '/date_range', /invalid date_range '14days'; allowed: "day", "7d"/],
  ['zero days', { ...VALID, date_range: '0d' }, '/date_range', /invalid date_range '0d'/],
  ['impossible date', { ...VALID, date_range: ['2026-02-30', '2026-03-01'] }, '/date_range', /dates "YYYY-MM-DD" that exist/],
  ['reversed dates', { ...VALID, date_range: ['2026-03-02', '2026-03-01'] }, '/date_range', /starts \(2026-03-02\) after it ends/],
  ['one date', { ...VALID, date_range: ['2026-03-01'] }, '/date_range', /pair of dates/],
  ['timestamp without offset', { ...VALID, date_range: ['2026-03-01T00:00:00', '2026-03-02T00:00:00'] }, '/date_range', /with offset/],
  ['range from year 1000 to 9000', { ...VALID, date_range: ['1000-01-01', '9000-12-31'] }, '/date_range', /"1000-01-01" is outside the supported dates; both ends must lie between 1970-01-01 and 2199-12-31/],
  ['range in year 1', { ...VALID, date_range: ['0001-01-01', '0001-01-02'] }, '/date_range', /"0001-01-01" is outside the supported dates/],
  ['range ending in 9999', { ...VALID, date_range: ['2026-01-01', '9999-12-31'], dimensions: ['time:month'] }, '/date_range', /"9999-12-31" is outside/],
  ['range ending in 2200', { ...VALID, date_range: ['2026-01-01', '2200-01-01'] }, '/date_range', /"2200-01-01" is outside/],
  ['timestamp before 1970', { ...VALID, date_range: ['1969-12-31T23:00:00Z', '2026-01-01T00:00:00Z'] }, '/date_range', /"1969-12-31T23:00:00Z" is outside/],
  ['range over 100 years', { ...VALID, date_range: ['1970-01-01', '2070-01-01'] }, '/date_range', /covers 36526 days; at most 36525 days/],
  ['timestamps over 100 years', { ...VALID, date_range: ['1970-01-01T00:00:00Z', '2070-01-01T00:00:00Z'] }, '/date_range', /covers 36526 days/],
  ['hours over 366 days', { ...VALID, date_range: ['2025-01-01', '2026-01-02'], dimensions: ['time:hour'] }, '/dimensions/0', /time:hour allows date ranges of at most 366 days, and this one covers 367 days; use time:day, time:week or time:month/],
  ['hours over 5000d', { ...VALID, date_range: '5000d', dimensions: ['event:page', 'time:hour'] }, '/dimensions/1', /at most 366 days/],
  ['days over 20 years', { ...VALID, date_range: ['2000-01-01', '2020-01-01'], dimensions: ['time:day'] }, '/dimensions/0', /time:day allows date ranges of at most 7305 days, and this one covers 7306 days; use time:week or time:month/],
  ['filters not an array', { ...VALID, filters: { is: 'x' } }, '/filters', /array of filters/],
  ['filter not an array', { ...VALID, filters: ['is'] }, '/filters/0', /invalid filter; expected \["is"/],
  ['filter without values', { ...VALID, filters: [['is', 'visit:country']] }, '/filters/0', /expected \["is", dimension, \[values...\]\]/],
  ['unknown operator', { ...VALID, filters: [['starts_with', 'event:page', ['/a']]] }, '/filters/0/0', /unknown filter operator 'starts_with'; allowed: is, is_not/],
  ['values not an array', { ...VALID, filters: [['is', 'event:page', '/']] }, '/filters/0/2', /non-empty array of strings/],
  ['empty values', { ...VALID, filters: [['is', 'event:page', []]] }, '/filters/0/2', /non-empty array of strings/],
  ['unknown filter dimension', { ...VALID, filters: [['is', 'visit:city', ['Berlin']]] }, '/filters/0/1', /unknown dimension 'visit:city'/],
  ['time filter', { ...VALID, filters: [['is', 'time:day', ['2026-03-01']]] }, '/filters/0/1', /time dimensions cannot be filtered/],
  ['bad modifiers', { ...VALID, filters: [['is', 'event:page', ['/'], { case_sensitive: 'no' }]] }, '/filters/0/3', /case_sensitive/],
  ['unknown device class', { ...VALID, filters: [['is', 'visit:device', ['Desktop', 'robot']]] }, '/filters/0/2/0', /allowed: mobile, tablet, desktop, bot/],
  ['unknown route', { ...VALID, filters: [['is', 'visit:route', ['cname']]] }, '/filters/0/2/0', /allowed: first-party, standard/],
  ['country not a code', { ...VALID, filters: [['is', 'visit:country', ['Germany']]] }, '/filters/0/2/0', /ISO 3166-1 alpha-2/],
  ['empty and', { ...VALID, filters: [['and', []]] }, '/filters/0', /at least one filter/],
  ['nested malformed filter', { ...VALID, filters: [['or', [['is', 'event:page', ['/']], ['not', ['bogus', 'x', ['y']]]]]] }, '/filters/0/1/1/1/0', /unknown filter operator 'bogus'/],
  ['not with two filters', { ...VALID, filters: [['not', ['is', 'event:page', ['/']], ['is', 'event:page', ['/a']]]] }, '/filters/0', /\["not", filter\]/],
  ['5000 nested nots', { ...VALID, filters: [nestedNots(5000)] }, `/filters/0${'/1'.repeat(32)}`, /nest too deeply; at most 32 levels/],
  ['33 nested levels', { ...VALID, filters: [nestedNots(33)] }, `/filters/0${'/1'.repeat(32)}`, /nest too deeply; at most 32 levels/],
  ['1001 filters in one or', { ...VALID, filters: [['or', Array.from({ length: 1000 }, () => PAGE_FILTER)]] }, '/filters/0/1/999', /at most 1000 filters/],
  ['1001 top-level filters', { ...VALID, filters: Array.from({ length: 1001 }, () => PAGE_FILTER) }, '/filters/1000', /at most 1000 filters/],
  ['order by unknown key', { ...VALID, order_by: [['pageviews', 'desc']] }, '/order_by/0/0', /not a metric or dimension of this query; allowed: visitors/],
  ['order by bad direction', { ...VALID, order_by: [['visitors', 'up']] }, '/order_by/0/1', /"asc" or "desc"/],
  ['unknown include option', { ...VALID, include: { comparisons: true } }, '/include/comparisons', /unknown field; allowed fields: total_rows, time_labels, imports/],
  ['time labels without time', { ...VALID, include: { time_labels: true } }, '/include/time_labels', /needs a time dimension/],
  ['limit zero', { ...VALID, pagination: { limit: 0 } }, '/pagination/limit', /integer from 1 to 10000/],
  ['limit too large', { ...VALID, pagination: { limit: 10001 } }, '/pagination/limit', /integer from 1 to 10000/],
  ['negative offset', { ...VALID, pagination: { offset: -1 } }, '/pagination/offset', /integer from 0 to 1000000000/],
  ['offset beyond int64', { ...VALID, pagination: { offset: 1e300 } }, '/pagination/offset', /integer from 0 to 1000000000/],
  ['offset too large', { ...VALID, pagination: { offset: 1_000_000_001 } }, '/pagination/offset', /integer from 0 to 1000000000/],
  ['fractional offset', { ...VALID, pagination: { offset: 1.5 } }, '/pagination/offset', /integer from 0 to 1000000000/],
  ['unknown field', { ...VALID, interval: 'date' }, '/interval', /unknown field; allowed fields: site_id, metrics/],
  ['empty site_id', { ...VALID, site_id: '' }, '/site_id', /non-empty string/],
];

describe('stats query validation', () => {
  let fixture: FixtureStore;
  before(async () => {
    fixture = await FixtureStore.open();
  });
  after(() => fixture.close());

  const problemsOf = async (body: unknown): Promise<{ path: string; message: string }[]> => {
    try {
      await runStatsQuery(fixture.store, site, body, new Date('2026-04-02T10:00:00Z'));
    } catch (error) {
      assert.ok(error instanceof StatsQueryError, `expected StatsQueryError, got ${String(error)}`);
      return error.errors;
    }
    assert.fail('query was accepted');
  };

  for (const [name, body, path, message] of INVALID) {
    it(`rejects ${name}`, async () => {
      const problems = await problemsOf(body);
      const problem = problems.find((candidate) => candidate.path === path);
      assert.ok(problem, `no problem at ${path}; got ${JSON.stringify(problems)}`);
      assert.match(problem.message, message);
    });
  }

  it('rejects invalid regular expression', async () => {
    const problems = await problemsOf({ ...VALID, filters: [['matches', 'event:page', ['^/ok$', '[']]] });
    assert.equal(problems[0]?.path, '/filters/0/2/1');
    assert.match(problems[0]?.message ?? '', /invalid regular expression \(RE2 syntax\): missing \]/);
  });

  it('reports every problem at once', async () => {
    const problems = await problemsOf({ ...VALID, metrics: ['hits'], dimensions: ['visit:os'], date_range: 'forever' });
    assert.deepEqual(
      problems.map((problem) => problem.path),
      ['/metrics/0', '/dimensions/0', '/date_range'],
    );
  });

  it('accepts every documented form', async () => {
    const response = await runStatsQuery(
      fixture.store,
      site,
      {
        ...VALID,
        metrics: ['visitors', 'visits', 'pageviews', 'events', 'views_per_visit', 'bounce_rate', 'visit_duration'],
        dimensions: ['time', 'visit:country', 'event:props:plan'],
        filters: [
          ['and', [['is_not', 'visit:device', ['bot']], ['or', [['contains', 'event:page', ['a']], ['not', ['matches', 'event:page', ['^/b']]]]]]],
          ['contains_not', 'visit:source', ['spam'], { case_sensitive: false }],
          ['matches_not', 'event:props:plan', ['^x']],
        ],
        order_by: [['visit:country', 'asc']],
        include: { total_rows: true, time_labels: true, imports: false },
        pagination: { limit: 5, offset: 0 },
      },
      new Date('2026-04-02T10:00:00Z'),
    );
    assert.deepEqual(response.results, []);
    assert.equal(response.meta.total_rows, 0);
  });

  it('accepts a range of 366 days by hour', async () => {
    const body = { ...VALID, date_range: ['2025-01-01', '2026-01-01'], dimensions: ['time:hour'], include: { time_labels: true } };
    const response = await runStatsQuery(fixture.store, site, body, new Date('2026-04-02T10:00:00Z'));
    assert.equal(response.meta.time_labels?.length, 366 * 24);
  });

  it('accepts a range of 20 years by day', async () => {
    const body = { ...VALID, date_range: ['2000-01-01', '2019-12-31'], dimensions: ['time:day'], include: { time_labels: true } };
    const response = await runStatsQuery(fixture.store, site, body, new Date('2026-04-02T10:00:00Z'));
    assert.equal(response.meta.time_labels?.length, 7305);
  });

  for (const dateRange of [['1970-01-01', '2069-12-31'], ['2100-01-01', '2199-12-31']]) {
    it(`accepts 100 years from ${dateRange[0]} by month`, async () => {
      const body = { ...VALID, date_range: dateRange, dimensions: ['time:month'], include: { time_labels: true } };
      const response = await runStatsQuery(fixture.store, site, body, new Date('2026-04-02T10:00:00Z'));
      assert.equal(response.meta.time_labels?.length, 1200);
      assert.equal(response.query.date_range[0].slice(0, 10), dateRange[0]);
    });
  }

  it('accepts filters 32 levels deep', async () => {
    const response = await runStatsQuery(fixture.store, site, { ...VALID, filters: [nestedNots(32)] }, new Date('2026-04-02T10:00:00Z'));
    assert.equal(response.results.length, 1);
  });

  it('accepts 1000 filters', async () => {
    const filters = [['or', Array.from({ length: 999 }, () => PAGE_FILTER)]];
    const response = await runStatsQuery(fixture.store, site, { ...VALID, filters }, new Date('2026-04-02T10:00:00Z'));
    assert.equal(response.results.length, 1);
  });

  it('StatsQueryError message names the first problem', async () => {
    try {
      await runStatsQuery(fixture.store, site, { ...VALID, metrics: ['hits'] });
      assert.fail('query was accepted');
    } catch (error) {
      assert.ok(error instanceof StatsQueryError);
      assert.match(error.message, /\/metrics\/0: unknown metric 'hits'/);
    }
  });
});
