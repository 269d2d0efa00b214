/** Host-name helpers shared by configuration and intake. */
import { domainToASCII } from 'node:url';

/**
 * Lower-case an internationalised host name to its ASCII form and check it is a plain host
 * name with at least one dot, or `localhost`. Returns null when it is not one.
 */
export function normaliseHost(input: string): string | null {
  const trimmed = input.trim().toLowerCase().replace(/\.$/, '');
  if (trimmed === '' || /[/:@?#\s]/.test(trimmed)) return null;
  const ascii = domainToASCII(trimmed);
  if (ascii === '' || ascii.length > 253) return null;
  const labels = ascii.split('.');
  const labelPattern = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
  if (!labels.every((label) => labelPattern.test(label))) return null;
  if (labels.length < 2 && ascii !== 'localhost') return null;
  return ascii;
}

/** A property domain: a normalised host without a leading `www.`. */
export function normaliseDomain(input: string): string | null {
  const host = normaliseHost(input);
  if (host === null) return null;
  return host.startsWith('www.') ? host.slice(4) : host;
}

/** True when `host` is `domain` itself or one of its subdomains. */
export function isSameOrSubdomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith('.' + domain);
}
