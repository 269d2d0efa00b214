import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { defaultGeoDatabasePath, GeoLookup, geoFromRecord } from '../../src/edge/geo.js';
import { truncateAddress } from '../../src/edge/truncate.js';

describe('GeoLookup with the default database', () => {
  let geo: GeoLookup;
  before(async () => {
    geo = await GeoLookup.open();
  });

  // Prefixes of well-known operators, checked against the shipped database: RIPE NCC
  // (Amsterdam), CESNET (the Czech research network) and Cloudflare's resolver.
  const known: [address: string, country: string][] = [
    ['2001:67c:2e8:22::c100:68b', 'NL'],
    ['193.0.6.139', 'NL'],
    ['195.113.144.201', 'CZ'],
    ['1.1.1.1', 'AU'],
  ];
  for (const [address, country] of known) {
    test(`${address} is in ${country} after truncation`, () => {
      const result = geo.lookup(truncateAddress(address));
      assert.equal(result.country, country);
      assert.equal(result.region, null);
    });
  }

  const unroutable = ['10.1.2.0', '192.168.1.0', '127.0.0.0', '::', '::1', 'fe80::', 'fd12:3456:789a::', '100.64.0.0', '0.0.0.0'];
  for (const address of unroutable) {
    test(`${address} has no country`, () => {
      assert.deepEqual(geo.lookup(address), { country: null, region: null });
    });
  }

  test('input that is no address has no country', () => {
    assert.deepEqual(geo.lookup('not an address'), { country: null, region: null });
    assert.deepEqual(geo.lookup(''), { country: null, region: null });
  });

  test('default path points into the npm package', () => {
    assert.match(defaultGeoDatabasePath(), /@ip-location-db[\\/]geo-whois-asn-country-mmdb[\\/]geo-whois-asn-country\.mmdb$/);
  });
});

describe('GeoLookup.open errors', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'datakant-geo-'));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  test('missing file names the path', async () => {
    const path = join(directory, 'missing.mmdb');
    await assert.rejects(GeoLookup.open(path), (error: Error) => error.message.includes('not found') && error.message.includes(path));
  });

  test('directory is not a database', async () => {
    await assert.rejects(GeoLookup.open(directory), (error: Error) => error.message.includes('not a file'));
  });

  test('file that is no mmdb names the path', async () => {
    const path = join(directory, 'text.mmdb');
    await writeFile(path, 'this is not a MaxMind database\n'.repeat(100));
    await assert.rejects(
      GeoLookup.open(path),
      (error: Error) => error.message.includes('not a valid MaxMind DB') && error.message.includes(path),
    );
  });
});

describe('geoFromRecord', () => {
  test('reads the ip-location-db layout', () => {
    assert.deepEqual(geoFromRecord({ country_code: 'NL' }), { country: 'NL', region: null });
  });

  test('reads the MaxMind country layout', () => {
    assert.deepEqual(geoFromRecord({ country: { iso_code: 'FR', names: { en: 'France' } } }), { country: 'FR', region: null });
  });

  test('reads the MaxMind city layout with a region', () => {
    const record = {
      city: { names: { en: 'Munich' } },
      country: { iso_code: 'DE' },
      subdivisions: [{ iso_code: 'BY', names: { en: 'Bavaria' } }, { iso_code: 'UPB' }],
    };
    assert.deepEqual(geoFromRecord(record), { country: 'DE', region: 'DE-BY' });
  });

  test('subdivision without a code gives no region', () => {
    assert.deepEqual(geoFromRecord({ country: { iso_code: 'DE' }, subdivisions: [{ names: { en: 'Bavaria' } }] }), {
      country: 'DE',
      region: null,
    });
  });

  test('lower-case country code is upper-cased', () => {
    assert.deepEqual(geoFromRecord({ country_code: 'se' }), { country: 'SE', region: null });
  });

  const unusable: [name: string, record: Record<string, unknown>][] = [
    ['empty record', {}],
    ['unknown country ZZ', { country_code: 'ZZ' }],
    ['three-letter code', { country_code: 'NLD' }],
    ['number code', { country_code: 528 }],
    ['continent only', { continent: { code: 'EU' } }],
    ['region without country', { subdivisions: [{ iso_code: 'BY' }] }],
  ];
  for (const [name, record] of unusable) {
    test(`${name} gives nulls`, () => {
      assert.deepEqual(geoFromRecord(record), { country: null, region: null });
    });
  }
});
