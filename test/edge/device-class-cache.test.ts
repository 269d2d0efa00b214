import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DeviceClassCache } from '../../src/edge/device-class-cache.js';
import { classifyDevice, type DeviceClassInput } from '../../src/edge/device-class.js';
import { corpusExists, readCorpus } from './device-class-corpus.js';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const MAC_SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const CHROME_ANDROID = 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

const inputs: DeviceClassInput[] = [
  { userAgent: IPHONE },
  { userAgent: MAC_SAFARI },
  { userAgent: MAC_SAFARI, touch: false },
  { userAgent: MAC_SAFARI, touch: true },
  { userAgent: CHROME_ANDROID, clientHints: { 'sec-ch-ua-mobile': '?1', 'sec-ch-ua-platform': '"Android"' } },
  { userAgent: CHROME_ANDROID, clientHints: { 'sec-ch-ua-mobile': '?0', 'sec-ch-ua-platform': '"Android"' } },
  { userAgent: CHROME_ANDROID, clientHints: { 'sec-ch-ua-mobile': '?0', 'sec-ch-ua-platform': '"Windows"' } },
  { userAgent: GOOGLEBOT },
];

test('cache returns what classifyDevice returns', () => {
  const cache = new DeviceClassCache();
  // Twice round, so the second pass is answered from the cache.
  for (let round = 0; round < 2; round += 1) {
    for (const input of inputs) {
      assert.equal(cache.classify(input), classifyDevice(input), JSON.stringify(input));
    }
  }
  assert.deepEqual(cache.counts, { hits: inputs.length, misses: inputs.length });
});

test('cache agrees with classifyDevice on the corpus', { skip: !corpusExists() && 'corpus not found' }, () => {
  const cache = new DeviceClassCache();
  const rows = readCorpus();
  for (let round = 0; round < 2; round += 1) {
    for (const row of rows) {
      const input = { userAgent: row.userAgent, clientHints: row.hints };
      assert.equal(cache.classify(input), classifyDevice(input), row.userAgent);
    }
  }
  assert.ok(cache.counts.hits >= rows.length, 'the second round is answered from the cache');
});

test('touch and hints are part of the key', () => {
  const cache = new DeviceClassCache();
  assert.equal(cache.classify({ userAgent: MAC_SAFARI }), 'desktop');
  assert.equal(cache.classify({ userAgent: MAC_SAFARI, touch: true }), 'tablet');
  assert.equal(cache.classify({ userAgent: CHROME_ANDROID, clientHints: { 'sec-ch-ua-mobile': '?0', 'sec-ch-ua-platform': '"Android"' } }), 'tablet');
  assert.equal(cache.classify({ userAgent: CHROME_ANDROID, clientHints: { 'sec-ch-ua-mobile': '?1', 'sec-ch-ua-platform': '"Android"' } }), 'mobile');
  assert.equal(cache.size, 4);
});

test('cache evicts the least recently used entry', () => {
  const cache = new DeviceClassCache(2);
  cache.classify({ userAgent: IPHONE });
  cache.classify({ userAgent: MAC_SAFARI });
  cache.classify({ userAgent: IPHONE }); // IPHONE is now the most recently used
  cache.classify({ userAgent: GOOGLEBOT }); // evicts MAC_SAFARI
  assert.equal(cache.size, 2);
  const before = cache.counts.misses;
  cache.classify({ userAgent: IPHONE });
  assert.equal(cache.counts.misses, before, 'the recently used entry is kept');
  cache.classify({ userAgent: MAC_SAFARI });
  assert.equal(cache.counts.misses, before + 1, 'the least recently used entry was evicted');
});

test('cache keeps no User-Agent text', () => {
  const cache = new DeviceClassCache();
  cache.classify({ userAgent: IPHONE });
  const entries = [...(cache as unknown as { entries: Map<string, string> }).entries.keys()];
  assert.equal(entries.length, 1);
  assert.ok(!entries[0]!.includes('iPhone'));
  assert.ok(entries[0]!.length <= 16);
});

test('cache size must be a positive integer', () => {
  assert.throws(() => new DeviceClassCache(0), RangeError);
  assert.throws(() => new DeviceClassCache(1.5), RangeError);
});
