import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { truncateAddress } from '../../src/edge/truncate.js';

const cases: [input: string, expected: string][] = [
  ['203.0.113.9', '203.0.113.0'],
  ['203.0.113.255', '203.0.113.0'],
  ['203.0.113.0', '203.0.113.0'],
  ['8.8.8.8', '8.8.8.0'],
  ['::ffff:203.0.113.9', '203.0.113.0'],
  ['::FFFF:cb00:7109', '203.0.113.0'],
  ['2001:db8:1234:5678:9abc:def0:1234:5678', '2001:db8:1234::'],
  ['2001:db8:1234::1', '2001:db8:1234::'],
  ['2001:DB8:0:0:1::1', '2001:db8::'],
  ['2001:db8:1234:ffff:ffff:ffff:ffff:ffff', '2001:db8:1234::'],
  ['::1', '::'],
  ['fe80::1%eth0', 'fe80::'],
];

describe('truncateAddress', () => {
  for (const [input, expected] of cases) {
    test(`${input} becomes ${expected}`, () => {
      assert.equal(truncateAddress(input), expected);
    });
  }

  for (const invalid of ['', 'garbage', '203.0.113', '127.1', '2001:db8::g', '[2001:db8::1]']) {
    test(`rejects ${JSON.stringify(invalid)} without echoing it`, () => {
      assert.throws(
        () => truncateAddress(invalid),
        (error: Error) => /not a valid IPv4 or IPv6 address/.test(error.message) && (invalid === '' || !error.message.includes(invalid)),
      );
    });
  }
});
