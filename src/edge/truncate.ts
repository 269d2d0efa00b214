/**
 * Truncation of client addresses to the prefix that the edge keeps: /24 for IPv4 and /48 for
 * IPv6. Geo look-ups and everything after them see only this prefix.
 */
import ipaddr from 'ipaddr.js';

import { formatAddress, parseAddress } from './client-ip.js';

/** Bits of an IPv4 address that survive truncation. */
export const IPV4_PREFIX_LENGTH = 24;
/** Bits of an IPv6 address that survive truncation. */
export const IPV6_PREFIX_LENGTH = 48;

/**
 * Zeroes the host part of an address: `203.0.113.9` → `203.0.113.0`,
 * `2001:db8:1234:5678::1` → `2001:db8:1234::`. IPv4-mapped IPv6 is truncated as IPv4.
 *
 * Throws when `address` is not an IP address. The message leaves the value out, because
 * it may be a raw client address.
 */
export function truncateAddress(address: string): string {
  const parsed = parseAddress(address);
  if (parsed === null) throw new Error('Cannot truncate the client address: it is not a valid IPv4 or IPv6 address');

  const bytes = parsed.toByteArray();
  const keptBits = parsed.kind() === 'ipv4' ? IPV4_PREFIX_LENGTH : IPV6_PREFIX_LENGTH;
  const truncated = bytes.map((byte, index) => (index < keptBits / 8 ? byte : 0));
  return formatAddress(ipaddr.fromByteArray(truncated));
}
