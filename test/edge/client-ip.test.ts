import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';

import { formatAddress, parseAddress, parseTrustedProxies, resolveClientAddress, resolveReportedVisitorAddress, type ForwardingHeaders } from '../../src/edge/client-ip.js';

const trusted = parseTrustedProxies(['10.0.0.0/8', '192.0.2.7', '2001:db8:ffff::/48', '::1']);

interface Case {
  name: string;
  peer: string;
  headers: ForwardingHeaders;
  expected: string;
  header?: 'auto' | 'forwarded' | 'x-forwarded-for';
}

const cases: Case[] = [
  { name: 'untrusted peer without headers', peer: '203.0.113.9', headers: {}, expected: '203.0.113.9' },
  {
    name: 'spoofed X-Forwarded-For from an untrusted peer is ignored',
    peer: '203.0.113.9',
    headers: { 'x-forwarded-for': '198.51.100.1' },
    expected: '203.0.113.9',
  },
  {
    name: 'spoofed Forwarded from an untrusted peer is ignored',
    peer: '203.0.113.9',
    headers: { forwarded: 'for=198.51.100.1' },
    expected: '203.0.113.9',
  },
  { name: 'trusted peer without headers', peer: '10.0.0.2', headers: {}, expected: '10.0.0.2' },
  {
    name: 'trusted peer with one client',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': '203.0.113.9' },
    expected: '203.0.113.9',
  },
  {
    name: 'client-supplied left entries are skipped',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' },
    expected: '203.0.113.9',
  },
  {
    name: 'trusted hops on the right are skipped',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': '203.0.113.9, 10.1.1.1, 192.0.2.7' },
    expected: '203.0.113.9',
  },
  {
    name: 'all hops trusted returns the leftmost',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': '10.3.3.3, 10.1.1.1' },
    expected: '10.3.3.3',
  },
  {
    name: 'repeated X-Forwarded-For lines are joined in order',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': ['198.51.100.1', '203.0.113.9, 10.1.1.1'] },
    expected: '203.0.113.9',
  },
  {
    name: 'spaces and tabs around entries',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': '  198.51.100.1 ,\t203.0.113.9\t, 10.1.1.1  ' },
    expected: '203.0.113.9',
  },
  {
    name: 'IPv4 with a port in X-Forwarded-For',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': '203.0.113.9:51234' },
    expected: '203.0.113.9',
  },
  {
    name: 'bracketed IPv6 with a port in X-Forwarded-For',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': '[2001:db8:1234::1]:443' },
    expected: '2001:db8:1234::1',
  },
  {
    name: 'bare IPv6 in X-Forwarded-For',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': '2001:DB8:1234:0:0:0:0:1' },
    expected: '2001:db8:1234::1',
  },
  {
    name: 'garbage on the left does not hide the client',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': 'not an address, <script>, 203.0.113.9' },
    expected: '203.0.113.9',
  },
  {
    name: 'garbage appended by a trusted hop falls back to the peer',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': '203.0.113.9, garbage' },
    expected: '10.0.0.2',
  },
  {
    name: 'empty entry falls back to the peer',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': '203.0.113.9,' },
    expected: '10.0.0.2',
  },
  {
    name: 'shorthand IPv4 is malformed',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': '0x7f.1' },
    expected: '10.0.0.2',
  },
  {
    name: 'unknown in X-Forwarded-For returns the last trusted hop',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': '203.0.113.9, unknown, 10.1.1.1' },
    expected: '10.1.1.1',
  },
  {
    name: 'IPv4-mapped IPv6 peer is IPv4',
    peer: '::ffff:203.0.113.9',
    headers: { 'x-forwarded-for': '198.51.100.1' },
    expected: '203.0.113.9',
  },
  {
    name: 'IPv4-mapped IPv6 trusted peer matches an IPv4 range',
    peer: '::ffff:10.0.0.2',
    headers: { 'x-forwarded-for': '203.0.113.9' },
    expected: '203.0.113.9',
  },
  {
    name: 'IPv4-mapped IPv6 client is IPv4',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': '::ffff:203.0.113.9' },
    expected: '203.0.113.9',
  },
  {
    name: 'IPv4-mapped trusted hop is skipped',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': '203.0.113.9, ::ffff:10.1.1.1' },
    expected: '203.0.113.9',
  },
  {
    name: 'IPv6 peer is written in RFC 5952 form',
    peer: '2001:0DB8:0:0:0:0:0:0042',
    headers: {},
    expected: '2001:db8::42',
  },
  {
    name: 'IPv6 trusted peer from a range',
    peer: '2001:db8:ffff::5',
    headers: { 'x-forwarded-for': '203.0.113.9' },
    expected: '203.0.113.9',
  },
  {
    name: 'Forwarded with a plain IPv4',
    peer: '10.0.0.2',
    headers: { forwarded: 'for=203.0.113.9;proto=https' },
    expected: '203.0.113.9',
  },
  {
    name: 'Forwarded with quoted IPv6 and a port',
    peer: '10.0.0.2',
    headers: { forwarded: 'for="[2001:db8:1234::17]:4711"' },
    expected: '2001:db8:1234::17',
  },
  {
    name: 'Forwarded with quoted IPv4 and a port',
    peer: '10.0.0.2',
    headers: { forwarded: 'For="203.0.113.9:47011";by=10.0.0.2' },
    expected: '203.0.113.9',
  },
  {
    name: 'Forwarded is preferred over X-Forwarded-For',
    peer: '10.0.0.2',
    headers: { forwarded: 'for=203.0.113.9', 'x-forwarded-for': '198.51.100.1' },
    expected: '203.0.113.9',
  },
  {
    name: 'Forwarded chain with trusted hops',
    peer: '10.0.0.2',
    headers: { forwarded: 'for=198.51.100.1, for=203.0.113.9;proto=https, for="[2001:db8:ffff::9]"' },
    expected: '203.0.113.9',
  },
  {
    name: 'Forwarded obfuscated hop returns the last trusted hop',
    peer: '10.0.0.2',
    headers: { forwarded: 'for=203.0.113.9, for=_hidden, for=10.1.1.1' },
    expected: '10.1.1.1',
  },
  {
    name: 'Forwarded unknown right of the peer returns the peer',
    peer: '10.0.0.2',
    headers: { forwarded: 'for=203.0.113.9, for=unknown' },
    expected: '10.0.0.2',
  },
  {
    name: 'Forwarded element without for returns the last trusted hop',
    peer: '10.0.0.2',
    headers: { forwarded: 'for=203.0.113.9, proto=https;by=10.0.0.3' },
    expected: '10.0.0.2',
  },
  {
    name: 'Forwarded unbalanced quote on the left does not swallow later hops',
    peer: '10.0.0.2',
    headers: { forwarded: 'for="198.51.100.1, for=203.0.113.9' },
    expected: '203.0.113.9',
  },
  {
    name: 'Forwarded malformed element from a trusted hop falls back to the peer',
    peer: '10.0.0.2',
    headers: { forwarded: 'for=203.0.113.9, for="[2001:db8::1' },
    expected: '10.0.0.2',
  },
  {
    name: 'Forwarded with two for parameters in one element is malformed',
    peer: '10.0.0.2',
    headers: { forwarded: 'for=203.0.113.9;for=198.51.100.1' },
    expected: '10.0.0.2',
  },
  {
    name: 'Forwarded with a pair lacking a value is malformed',
    peer: '10.0.0.2',
    headers: { forwarded: 'for' },
    expected: '10.0.0.2',
  },
  {
    name: 'blank Forwarded falls through to X-Forwarded-For',
    peer: '10.0.0.2',
    headers: { forwarded: '  ', 'x-forwarded-for': '203.0.113.9' },
    expected: '203.0.113.9',
  },
  {
    name: 'header option x-forwarded-for ignores a passed-through Forwarded',
    peer: '10.0.0.2',
    headers: { forwarded: 'for=198.51.100.1', 'x-forwarded-for': '203.0.113.9' },
    header: 'x-forwarded-for',
    expected: '203.0.113.9',
  },
  {
    name: 'header option forwarded ignores X-Forwarded-For',
    peer: '10.0.0.2',
    headers: { 'x-forwarded-for': '203.0.113.9' },
    header: 'forwarded',
    expected: '10.0.0.2',
  },
  {
    name: 'peer with an IPv6 zone drops the zone',
    peer: 'fe80::1%eth0',
    headers: {},
    expected: 'fe80::1',
  },
];

describe('resolveClientAddress', () => {
  for (const testCase of cases) {
    test(testCase.name, () => {
      const resolved = resolveClientAddress(testCase.peer, testCase.headers, trusted, { header: testCase.header });
      assert.equal(resolved, testCase.expected);
    });
  }

  test('empty trust list trusts no peer', () => {
    const none = parseTrustedProxies([]);
    assert.equal(resolveClientAddress('10.0.0.2', { 'x-forwarded-for': '203.0.113.9' }, none), '10.0.0.2');
  });

  test('peer that is no address comes back unchanged', () => {
    assert.equal(resolveClientAddress('', { 'x-forwarded-for': '203.0.113.9' }, trusted), '');
  });

  test('very long header does not throw', () => {
    const header = `${'198.51.100.1, '.repeat(2000)}203.0.113.9`;
    assert.equal(resolveClientAddress('10.0.0.2', { 'x-forwarded-for': header }, trusted), '203.0.113.9');
  });
});

describe('parseTrustedProxies', () => {
  test('accepts CIDRs and bare addresses', () => {
    const proxies = parseTrustedProxies(['10.0.0.0/8', ' 192.0.2.7 ', '2001:db8::/32', '::1', '0.0.0.0/0']);
    assert.equal(proxies.ranges.length, 5);
  });

  test('IPv4-mapped IPv6 range becomes an IPv4 range', () => {
    const proxies = parseTrustedProxies(['::ffff:10.0.0.0/104']);
    assert.equal(resolveClientAddress('10.9.9.9', { 'x-forwarded-for': '203.0.113.9' }, proxies), '203.0.113.9');
    assert.equal(resolveClientAddress('11.0.0.1', { 'x-forwarded-for': '203.0.113.9' }, proxies), '11.0.0.1');
  });

  const invalid = ['10.0.0.0/33', '2001:db8::/129', 'example.com', '10.0.0', '10.0.0.0/', '10.0.0.0/8/8', '', '127.1', '10.0.0.0/-1'];
  for (const entry of invalid) {
    test(`rejects ${JSON.stringify(entry)}`, () => {
      assert.throws(
        () => parseTrustedProxies(['10.0.0.0/8', entry]),
        (error: Error) => error.message.includes(`"${entry}"`) && error.message.includes('CIDR'),
      );
    });
  }
});

describe('resolveReportedVisitorAddress', () => {
  const trusted = parseTrustedProxies(['10.0.0.0/8']);
  const cases: [string, string, string | undefined, string][] = [
    ['backend sends the visitor directly', '198.51.100.20', '203.0.113.9', '203.0.113.9'],
    ['backend behind a trusted proxy', '10.0.0.2', '203.0.113.9, 198.51.100.20', '203.0.113.9'],
    ['backend without a forwarding header', '198.51.100.20', undefined, '198.51.100.20'],
    ['backend behind a proxy, no visitor entry', '10.0.0.2', '198.51.100.20', '198.51.100.20'],
    ['visitor given as IPv4-mapped IPv6', '198.51.100.20', '::ffff:203.0.113.9', '203.0.113.9'],
    ['garbage visitor entry falls back to the caller', '198.51.100.20', 'not-an-address', '198.51.100.20'],
  ];
  for (const [name, peer, forwardedFor, expected] of cases) {
    it(name, () => {
      const headers = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
      assert.equal(resolveReportedVisitorAddress(peer, headers, trusted), expected);
    });
  }
});

describe('parseAddress', () => {
  const parsed: [input: string, expected: string][] = [
    ['203.0.113.9', '203.0.113.9'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    [' 203.0.113.9 ', '203.0.113.9'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::ffff:198.51.100.7', '198.51.100.7'],
    ['::ffff:c633:6407', '198.51.100.7'],
    ['64:ff9b::198.51.100.7', '64:ff9b::c633:6407'],
  ];
  for (const [input, expected] of parsed) {
    it(`reads ${JSON.stringify(input)}`, () => {
      const address = parseAddress(input);
      assert.notEqual(address, null);
      assert.equal(formatAddress(address!), expected);
    });
  }

  const rejected = ['', '127.1', '0x7f.0.0.1', '010.0.0.1', '1.2.3.256', '1.2.3.4.5', '1.2.3', '2001:db8::1::2', '2001:db8:::1', 'example.com', '::ffff:1.2.3.256', '12345::1'];
  for (const input of rejected) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.equal(parseAddress(input), null);
    });
  }
});
