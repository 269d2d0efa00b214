/**
 * The client's IP address: the socket peer, or the forwarding headers when the peer is a
 * trusted proxy.
 *
 * The sender of a request can write any forwarding header it likes, so only the hops that
 * trusted proxies appended are believed. The chain is walked from the right (the hop nearest to the
 * edge) and the first address that is not a trusted proxy is the client.
 */
import { isIPv4, isIPv6 } from 'node:net';

import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Parsed trusted-proxy ranges; build with `parseTrustedProxies`. */
export interface TrustedProxies {
  readonly ranges: readonly (readonly [Address, number])[];
}

export interface ForwardingHeaders {
  forwarded?: string | string[];
  'x-forwarded-for'?: string | string[];
}

export interface ResolveClientAddressOptions {
  /**
   * Forwarding header read from a trusted peer. `auto` (the default) reads
   * `Forwarded` when the request has one, else `X-Forwarded-For`. Set one header when the
   * proxies in front write only that one and pass the other through from the client
   * unchanged, because a client could otherwise choose its own address with it.
   */
  header?: 'auto' | 'forwarded' | 'x-forwarded-for';
}

/**
 * Parses trusted-proxy entries: CIDR ranges (`10.0.0.0/8`, `2001:db8::/32`) or single
 * addresses (`192.0.2.7`, `::1`). IPv4-mapped IPv6 ranges (`::ffff:10.0.0.0/104`) become
 * IPv4 ranges. Throws an `Error` that names the first invalid entry.
 */
export function parseTrustedProxies(cidrs: readonly string[]): TrustedProxies {
  const ranges: (readonly [Address, number])[] = [];
  for (const entry of cidrs) {
    const range = parseRange(entry.trim());
    if (range === null) {
      throw new Error(
        `Invalid trusted proxy "${entry}": expected an IPv4 or IPv6 address or a CIDR range, such as 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32`,
      );
    }
    ranges.push(range);
  }
  return { ranges };
}

/**
 * Resolves the client's address: the socket peer unless the peer is a trusted proxy, else
 * the rightmost address in the forwarding chain that is not a trusted proxy.
 *
 * The walk stops at an obfuscated or unknown hop (RFC 7239 `for=unknown`, `for=_hidden`, or
 * a `Forwarded` element without `for=`) and returns the last trusted hop it reached. It never
 * throws: a malformed hop in the part of the chain the walk reaches makes it return the
 * peer. IPv4-mapped IPv6 addresses come back as IPv4, IPv6 in RFC 5952 form. A peer address
 * that is not an IP address at all is returned unchanged.
 */
export function resolveClientAddress(
  peerAddress: string,
  headers: ForwardingHeaders,
  trusted: TrustedProxies,
  options: ResolveClientAddressOptions = {},
): string {
  const peer = parseAddress(peerAddress);
  if (peer === null) return peerAddress;
  const peerText = formatAddress(peer);
  if (!isTrusted(peer, trusted)) return peerText;

  const hops = readHops(headers, options.header ?? 'auto');
  let lastTrusted = peerText;
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = hops[index];
    if (hop === undefined || hop.kind === 'malformed') return peerText;
    if (hop.kind === 'unknown') return lastTrusted;
    const address = formatAddress(hop.address);
    if (!isTrusted(hop.address, trusted)) return address;
    lastTrusted = address;
  }
  return lastTrusted;
}

/**
 * Resolves the visitor's address for the Events API, whose caller is a site's backend
 * reporting on behalf of a visitor. The caller is found as in `resolveClientAddress`; the
 * visitor is the forwarding entry just left of the caller (the header the backend sent or
 * passed on), or the caller itself when there is no such entry. The visitor's address is data
 * the caller supplies, like the page URL, so it is read even from untrusted callers.
 */
export function resolveReportedVisitorAddress(
  peerAddress: string,
  headers: ForwardingHeaders,
  trusted: TrustedProxies,
  options: ResolveClientAddressOptions = {},
): string {
  const peer = parseAddress(peerAddress);
  if (peer === null) return peerAddress;
  const hops = readHops(headers, options.header ?? 'auto');

  // Index in `hops` of the caller; hops.length stands for the socket peer.
  let callerIndex = hops.length;
  if (isTrusted(peer, trusted)) {
    callerIndex = 0;
    for (let index = hops.length - 1; index >= 0; index -= 1) {
      const hop = hops[index];
      if (hop === undefined || hop.kind !== 'address') {
        return resolveClientAddress(peerAddress, headers, trusted, options);
      }
      if (!isTrusted(hop.address, trusted)) {
        callerIndex = index;
        break;
      }
    }
  }

  const reported = hops[callerIndex - 1];
  if (reported?.kind === 'address') return formatAddress(reported.address);
  const caller = callerIndex === hops.length ? peer : (hops[callerIndex] as { address: Address }).address;
  return formatAddress(caller);
}

/**
 * Parses one IP address in its usual text form (dotted-quad IPv4, or IPv6 with an optional
 * zone, which is dropped) and unwraps IPv4-mapped IPv6. Returns null for anything else,
 * including the shorthand IPv4 forms (`127.1`, `0x7f000001`) that `ipaddr.js` also accepts.
 */
export function parseAddress(text: string): Address | null {
  const withoutZone = text.trim().replace(/%[^%]*$/, '');
  // node:net's checks cost a small fraction of ipaddr.js's (about 0.1 µs against 4 µs per
  // address). `isIPv4` accepts exactly the dotted-quad forms, without leading zeros.
  if (isIPv4(withoutZone)) return ipaddr.IPv4.parse(withoutZone);
  if (!withoutZone.includes(':')) return null;
  // An address node:net accepts skips ipaddr.js's slower check; ipaddr.js still parses it.
  if (!isIPv6(withoutZone) && !ipaddr.IPv6.isValid(withoutZone)) return null;
  let address: ipaddr.IPv6;
  try {
    address = ipaddr.IPv6.parse(withoutZone);
  } catch {
    return null;
  }
  return address.isIPv4MappedAddress() ? address.toIPv4Address() : address;
}

/** Formats an address: dotted-quad IPv4, or IPv6 in RFC 5952 form. */
export function formatAddress(address: Address): string {
  return address.kind() === 'ipv4' ? address.toString() : (address as ipaddr.IPv6).toRFC5952String();
}

function parseRange(entry: string): readonly [Address, number] | null {
  const slash = entry.indexOf('/');
  const addressText = slash < 0 ? entry : entry.slice(0, slash);
  const prefixText = slash < 0 ? null : entry.slice(slash + 1);
  const rawAddress = parseRawAddress(addressText);
  if (rawAddress === null) return null;

  const maxPrefix = rawAddress.kind() === 'ipv4' ? 32 : 128;
  const prefix = prefixText === null ? maxPrefix : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= maxPrefix)) return null;

  if (rawAddress instanceof ipaddr.IPv6 && rawAddress.isIPv4MappedAddress() && prefix >= 96) {
    return [rawAddress.toIPv4Address(), prefix - 96];
  }
  return [rawAddress, prefix];
}

/** Like `parseAddress`, but keeps IPv4-mapped IPv6 as IPv6 so a range's prefix stays right. */
function parseRawAddress(text: string): Address | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return null;
}

function isTrusted(address: Address, trusted: TrustedProxies): boolean {
  return trusted.ranges.some(([network, prefix]) => network.kind() === address.kind() && address.match(network, prefix));
}

type Hop = { kind: 'address'; address: Address } | { kind: 'unknown' } | { kind: 'malformed' };

function readHops(headers: ForwardingHeaders, header: 'auto' | 'forwarded' | 'x-forwarded-for'): Hop[] {
  const forwarded = joinHeader(headers.forwarded);
  const forwardedFor = joinHeader(headers['x-forwarded-for']);
  if (header === 'forwarded' || (header === 'auto' && forwarded !== '')) {
    return splitList(forwarded).map(parseForwardedElement);
  }
  return splitList(forwardedFor).map(parseForwardedForEntry);
}

/** Joins repeated header lines into one list, in order, as RFC 9110 section 5.3 allows. */
function joinHeader(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  return (Array.isArray(value) ? value.join(',') : value).trim();
}

/**
 * Splits a header list on every comma. Quoted strings are not honoured here on purpose: an
 * unbalanced quote that a client wrote on the left must not swallow the elements that
 * trusted proxies appended on its right. No valid `for=` value contains a comma.
 */
function splitList(value: string): string[] {
  return value === '' ? [] : value.split(',').map((element) => element.trim());
}

/** Parses one element of `Forwarded` (RFC 7239 section 4): `for=...;proto=...;by=...`. */
function parseForwardedElement(element: string): Hop {
  let forValue: string | null = null;
  for (const pair of element.split(';')) {
    const trimmedPair = pair.trim();
    if (trimmedPair === '') continue;
    const equals = trimmedPair.indexOf('=');
    if (equals <= 0) return { kind: 'malformed' };
    const name = trimmedPair.slice(0, equals).trim().toLowerCase();
    if (name !== 'for') continue;
    if (forValue !== null) return { kind: 'malformed' };
    forValue = unquote(trimmedPair.slice(equals + 1).trim());
    if (forValue === null) return { kind: 'malformed' };
  }
  // A proxy may leave out `for=`; then the hop before it is unknown (RFC 7239 section 5.2).
  if (forValue === null) return { kind: 'unknown' };
  return parseNode(forValue);
}

/** Parses one entry of `X-Forwarded-For`: an address, optionally with a port or brackets. */
function parseForwardedForEntry(entry: string): Hop {
  const value = entry.length >= 2 && entry.startsWith('"') && entry.endsWith('"') ? entry.slice(1, -1) : entry;
  return parseNode(value);
}

/**
 * Parses an RFC 7239 node (`192.0.2.43`, `192.0.2.43:47011`, `[2001:db8::17]:4711`,
 * `unknown`, `_hidden`), leniently also a bare IPv6 address.
 */
function parseNode(node: string): Hop {
  if (node.toLowerCase() === 'unknown' || node.startsWith('_')) return { kind: 'unknown' };

  const bracketed = /^\[([^\]]+)\](?::(?:\d{1,5}|_[\w.-]+))?$/.exec(node);
  if (bracketed?.[1] !== undefined) return addressHop(bracketed[1]);

  const ipv4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(?:\d{1,5}|_[\w.-]+))?$/.exec(node);
  if (ipv4WithPort?.[1] !== undefined) return addressHop(ipv4WithPort[1]);

  return node.includes(':') ? addressHop(node) : { kind: 'malformed' };
}

function addressHop(text: string): Hop {
  const address = parseAddress(text);
  return address === null ? { kind: 'malformed' } : { kind: 'address', address };
}

/** Removes the quotes of an RFC 7230 quoted-string, or returns a bare token as it is. */
function unquote(value: string): string | null {
  if (!value.startsWith('"')) return /^[^\s"]+$/.test(value) ? value : null;
  if (value.length < 2 || !value.endsWith('"')) return null;
  return value.slice(1, -1).replace(/\\(.)/g, '$1');
}
