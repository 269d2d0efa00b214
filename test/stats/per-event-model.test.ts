import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildStatsSql } from '../../src/stats/build-sql.js';
import { resolveDateRange } from '../../src/stats/date-range.js';
import { runStatsQuery, type StatsResultRow } from '../../src/stats/index.js';
import { resolveStatsQuery } from '../../src/stats/stats-query.js';
import { validateStatsRequest } from '../../src/stats/validate-request.js';
import { FixtureStore } from './fixture-store.js';
import {
  randomTraffic,
  roundHalfEven,
  scoped,
  sessionsOf,
  toFixtureEvents,
  visitorsBy,
  visitsBy,
  visitsByEvent,
  type ModelEvent,
} from './reference-model.js';

const site = { id: 'shop.example', timezone: 'UTC' };
const RANGE: [string, string] = ['2026-03-10', '2026-03-12'];
const START_MS = Date.UTC(2026, 2, 10);
const END_MS = Date.UTC(2026, 2, 13);

function byDimensions(results: StatsResultRow[]): Record<string, number[]> {
  return Object.fromEntries(results.map((row) => [row.dimensions.join('|'), row.metrics]));
}

function single(counts: Record<string, number>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(counts).map(([key, value]) => [key, [value]]));
}

const day = (event: ModelEvent): string => new Date(event.ms).toISOString().slice(0, 10);

// Once with every session pending, so reports count events alone, and once with the sessions
// summarised, so reports read summary rows wherever they are exact.
for (const summarised of [false, true]) describe(`stats against a per-event model, ${summarised ? 'summarised' : 'pending'} sessions`, () => {
  let fixture: FixtureStore;
  let events: ModelEvent[];
  let inRange: ModelEvent[];

  before(async () => {
    events = randomTraffic(20260310, 400);
    inRange = scoped(events, site.id, START_MS, END_MS);
    fixture = await FixtureStore.open();
    await fixture.insert(toFixtureEvents(events));
    if (summarised) assert.ok((await fixture.summarize()) > 0);
  });
  after(() => fixture.close());

  const run = async (body: Record<string, unknown>): Promise<Record<string, number[]>> => {
    const response = await runStatsQuery(fixture.store, site, { site_id: site.id, date_range: RANGE, ...body });
    return byDimensions(response.results);
  };

  it('summary tables match the mode', async () => {
    const [pending] = await fixture.store.query('SELECT count(*) AS n FROM pending_sessions', []);
    const [summaries] = await fixture.store.query('SELECT count(*) AS n FROM sessions', []);
    const sessionCount = new Set(events.map((event) => `${event.site}|${event.session}`)).size;
    assert.equal(Number(pending?.n), summarised ? 0 : sessionCount);
    assert.equal(Number(summaries?.n), summarised ? sessionCount : 0);
  });

  it('random traffic crosses the range and has bots', () => {
    const sessions = new Map<number, ModelEvent[]>();
    for (const event of events) sessions.set(event.session, [...(sessions.get(event.session) ?? []), event]);
    const crossing = [...sessions.values()].filter((list) => list.some((e) => e.ms < START_MS) && list.some((e) => e.ms >= START_MS));
    assert.ok(crossing.length > 0, 'no session crosses the start of the range');
    assert.ok(events.some((event) => event.device === 'bot' && event.ms >= START_MS && event.ms < END_MS));
    const changing = [...sessions.values()].filter((list) => new Set(list.map((e) => `${e.country}|${e.device}`)).size > 1);
    assert.ok(changing.length > 0, 'no session changes its country or device class');
  });

  it('top stats match the model', async () => {
    const sessions = sessionsOf(inRange);
    const visits = sessions.length;
    const bounces = sessions.filter((session) => session.interactions <= 1).length;
    const durations = sessions.reduce((sum, s) => sum + Math.floor(s.end / 1000) - Math.floor(s.start / 1000), 0);
    const pageviews = inRange.filter((event) => event.name === 'pageview').length;
    const expected = [
      new Set(inRange.map((event) => event.visitor)).size,
      visits,
      pageviews,
      roundHalfEven(sessions.reduce((sum, s) => sum + s.pageviews, 0) / visits, 2),
      roundHalfEven((100 * bounces) / visits, 0),
      roundHalfEven(durations / visits, 0),
    ];
    const actual = await run({ metrics: ['visitors', 'visits', 'pageviews', 'views_per_visit', 'bounce_rate', 'visit_duration'] });
    assert.deepEqual(actual, { '': expected });
  });

  it('visitors per day match the model', async () => {
    assert.deepEqual(await run({ metrics: ['visitors'], dimensions: ['time:day'] }), single(visitorsBy(inRange, day)));
  });

  it('visits per day bucket sessions by start', async () => {
    const expected = visitsBy(sessionsOf(inRange), (session) => new Date(session.start).toISOString().slice(0, 10));
    assert.deepEqual(await run({ metrics: ['visits'], dimensions: ['time:day'] }), single(expected));
  });

  it('local days and hours match in Berlin', async () => {
    const berlin = { id: site.id, timezone: 'Europe/Berlin' };
    const local = (ms: number, length: number): string =>
      new Date(ms).toLocaleString('sv-SE', { timeZone: berlin.timezone, hourCycle: 'h23' }).slice(0, length);
    const berlinEvents = scoped(events, site.id, Date.UTC(2026, 2, 9, 23), Date.UTC(2026, 2, 12, 23));
    const runBerlin = async (body: Record<string, unknown>) =>
      byDimensions((await runStatsQuery(fixture.store, berlin, { site_id: site.id, date_range: RANGE, ...body })).results);

    const visitorsPerDay = visitorsBy(berlinEvents, (event) => local(event.ms, 10));
    assert.deepEqual(await runBerlin({ metrics: ['visitors'], dimensions: ['time:day'] }), single(visitorsPerDay));
    const visitsPerDay = visitsBy(sessionsOf(berlinEvents), (session) => local(session.start, 10));
    assert.deepEqual(await runBerlin({ metrics: ['visits'], dimensions: ['time:day'] }), single(visitsPerDay));
    const visitorsPerHour = visitorsBy(berlinEvents, (event) => `${local(event.ms, 13)}:00:00`);
    assert.deepEqual(await runBerlin({ metrics: ['visitors'], dimensions: ['time:hour'] }), single(visitorsPerHour));
  });

  it('visitors per source match the model', async () => {
    const expected = visitorsBy(inRange, (event) => event.source ?? 'Direct / None');
    assert.deepEqual(await run({ metrics: ['visitors'], dimensions: ['visit:source'] }), single(expected));
  });

  it('visitors and pageviews per page match', async () => {
    const visitors = visitorsBy(inRange, (event) => event.pathname);
    const expected = Object.fromEntries(
      Object.entries(visitors).map(([page, count]) => [
        page,
        [count, inRange.filter((event) => event.pathname === page && event.name === 'pageview').length],
      ]),
    );
    assert.deepEqual(await run({ metrics: ['visitors', 'pageviews'], dimensions: ['event:page'] }), expected);
  });

  it('visits per entry page match', async () => {
    const expected = visitsBy(sessionsOf(inRange), (session) => session.entryPage);
    assert.deepEqual(await run({ metrics: ['visits'], dimensions: ['visit:entry_page'] }), single(expected));
  });

  it('visits per exit page match', async () => {
    const expected = visitsBy(sessionsOf(inRange), (session) => session.exitPage);
    assert.deepEqual(await run({ metrics: ['visits'], dimensions: ['visit:exit_page'] }), single(expected));
  });

  it('visitors per country and device match', async () => {
    const countries = visitorsBy(inRange, (event) => event.country ?? '(not set)');
    assert.deepEqual(await run({ metrics: ['visitors'], dimensions: ['visit:country'] }), single(countries));
    const devices = visitorsBy(inRange, (event) => event.device);
    assert.deepEqual(await run({ metrics: ['visitors'], dimensions: ['visit:device'] }), single(devices));
  });

  it('visits per country and device match', async () => {
    const countries = visitsByEvent(inRange, (event) => event.country ?? '(not set)');
    assert.deepEqual(await run({ metrics: ['visits'], dimensions: ['visit:country'] }), single(countries));
    const devices = visitsByEvent(inRange, (event) => event.device);
    assert.deepEqual(await run({ metrics: ['visits'], dimensions: ['visit:device'] }), single(devices));
  });

  it('goals count visitors and events', async () => {
    const goals = inRange.filter((event) => event.name !== 'pageview');
    const visitors = visitorsBy(goals, (event) => event.name);
    const expected = Object.fromEntries(
      Object.entries(visitors).map(([name, count]) => [name, [count, goals.filter((event) => event.name === name).length]]),
    );
    const actual = await run({
      metrics: ['visitors', 'events'],
      dimensions: ['event:name'],
      filters: [['is_not', 'event:name', ['pageview']]],
    });
    assert.deepEqual(actual, expected);
  });

  it('property breakdown of one goal matches', async () => {
    const signups = inRange.filter((event) => event.name === 'Signup');
    const expected = visitorsBy(signups, (event) => event.props.plan ?? '(none)');
    const actual = await run({
      metrics: ['visitors'],
      dimensions: ['event:props:plan'],
      filters: [['is', 'event:name', ['Signup']]],
    });
    assert.deepEqual(actual, single(expected));
  });

  it('stale scan ranges keep results', async () => {
    const request = validateStatsRequest({
      site_id: site.id,
      date_range: RANGE,
      metrics: ['visitors', 'visits', 'pageviews', 'bounce_rate', 'visit_duration'],
      dimensions: ['visit:country'],
    });
    const dateRange = resolveDateRange(request.dateRange, site.timezone, new Date(), null);
    const query = resolveStatsQuery({ ...request, siteId: site.id }, site.timezone, dateRange);
    const run = async (ranges: { startMs: number; endMs: number }[]) => {
      const statement = buildStatsSql(query, true, ranges);
      return fixture.store.query(statement.text, statement.params);
    };
    const reference = await run([]);
    assert.ok(reference.length > 1);
    // A range that covers no irregular session, and two that split the date range at noon.
    assert.deepEqual(await run([{ startMs: START_MS, endMs: START_MS + 1 }]), reference);
    const noon = START_MS + 12 * 3_600_000;
    assert.deepEqual(await run([{ startMs: START_MS, endMs: noon }, { startMs: noon, endMs: END_MS }]), reference);
  });

  it('filtered session metrics match', async () => {
    const matching = new Set(inRange.filter((event) => event.country === 'DE').map((event) => event.session));
    const sessions = sessionsOf(inRange.filter((event) => matching.has(event.session)));
    const bounces = sessions.filter((session) => session.interactions <= 1).length;
    const actual = await run({ metrics: ['visits', 'bounce_rate'], filters: [['is', 'visit:country', ['DE']]] });
    assert.deepEqual(actual, { '': [sessions.length, roundHalfEven((100 * bounces) / sessions.length, 0)] });
  });
});
