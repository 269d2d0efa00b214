import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runStatsQuery } from '../../src/stats/index.js';
import { FIXTURE_SITE, FixtureStore } from './fixture-store.js';
import { SHOP_EVENTS, shopQuery } from './shop-fixture.js';

const site = { id: FIXTURE_SITE, timezone: 'UTC' };

describe('stats ordering and pagination', () => {
  let fixture: FixtureStore;
  before(async () => {
    fixture = await FixtureStore.open();
    await fixture.insert(SHOP_EVENTS);
  });
  after(() => fixture.close());

  const pages = async (extra: Record<string, unknown>) => {
    const response = await runStatsQuery(fixture.store, site, shopQuery({ metrics: ['pageviews'], dimensions: ['event:page'], ...extra }));
    return response;
  };
  const labels = (response: Awaited<ReturnType<typeof pages>>) => response.results.map((row) => row.dimensions[0]);

  it('default order is first metric descending', async () => {
    const response = await pages({});
    assert.deepEqual(labels(response), ['/blog', '/', '/pricing']);
    assert.deepEqual(response.query.order_by, [['pageviews', 'desc']]);
  });

  it('default order puts time first', async () => {
    const response = await runStatsQuery(fixture.store, site, shopQuery({ metrics: ['pageviews'], dimensions: ['time:hour'] }));
    assert.deepEqual(response.query.order_by, [
      ['time:hour', 'asc'],
      ['pageviews', 'desc'],
    ]);
    assert.deepEqual(
      response.results.map((row) => row.dimensions[0]),
      ['2026-03-10 10:00:00', '2026-03-10 11:00:00', '2026-03-10 12:00:00', '2026-03-10 15:00:00'],
    );
  });

  it('order by dimension ascending', async () => {
    assert.deepEqual(labels(await pages({ order_by: [['event:page', 'asc']] })), ['/', '/blog', '/pricing']);
  });

  it('order by metric ascending', async () => {
    assert.deepEqual(labels(await pages({ order_by: [['pageviews', 'asc']] })), ['/pricing', '/', '/blog']);
  });

  it('order by several keys', async () => {
    const response = await runStatsQuery(
      fixture.store,
      site,
      shopQuery({ metrics: ['visitors', 'events'], dimensions: ['event:page'], order_by: [['visitors', 'asc'], ['events', 'desc']] }),
    );
    // "/" and /pricing have one visitor each; "/" has three events, /pricing two.
    assert.deepEqual(
      response.results.map((row) => row.dimensions[0]),
      ['/', '/pricing', '/blog'],
    );
  });

  it('time resolved in order_by', async () => {
    const response = await runStatsQuery(
      fixture.store,
      site,
      shopQuery({ metrics: ['pageviews'], dimensions: ['time'], order_by: [['time', 'desc']] }),
    );
    assert.deepEqual(response.query.order_by, [['time:hour', 'desc']]);
    assert.equal(response.results[0]?.dimensions[0], '2026-03-10 15:00:00');
  });

  it('limit and offset page through rows', async () => {
    const first = await pages({ pagination: { limit: 2, offset: 0 }, include: { total_rows: true } });
    assert.deepEqual(labels(first), ['/blog', '/']);
    assert.equal(first.meta.total_rows, 3);
    const second = await pages({ pagination: { limit: 2, offset: 2 }, include: { total_rows: true } });
    assert.deepEqual(labels(second), ['/pricing']);
    assert.equal(second.meta.total_rows, 3);
    assert.deepEqual(second.query.pagination, { limit: 2, offset: 2 });
  });

  it('offset past the end still counts rows', async () => {
    const response = await pages({ pagination: { limit: 2, offset: 10 }, include: { total_rows: true } });
    assert.deepEqual(response.results, []);
    assert.equal(response.meta.total_rows, 3);
  });

  it('total_rows absent unless asked', async () => {
    const response = await pages({});
    assert.deepEqual(response.meta, {});
    assert.deepEqual(response.query.include, {});
  });

  it('query echo', async () => {
    const filters = [['is', 'visit:country', ['DE']]];
    const response = await runStatsQuery(
      fixture.store,
      site,
      shopQuery({ metrics: ['visitors'], dimensions: ['visit:source'], filters, include: { total_rows: true } }),
    );
    assert.deepEqual(response.query, {
      site_id: 'shop.example',
      metrics: ['visitors'],
      date_range: ['2026-03-10T00:00:00Z', '2026-03-10T23:59:59Z'],
      filters,
      dimensions: ['visit:source'],
      order_by: [['visitors', 'desc']],
      include: { total_rows: true },
      pagination: { limit: 10000, offset: 0 },
    });
  });
});
