/**
 * Coarse geo (country, and region where the database has one) from a truncated client
 * address, read from a MaxMind DB (`.mmdb`) file.
 */
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';

import maxmind, { type Reader } from 'maxmind';

import { formatAddress, parseAddress } from './client-ip.js';

/** Country and region of an address, each null when the database has no value for it. */
export interface GeoResult {
  /** ISO 3166-1 alpha-2 code, upper case (`NL`). */
  country: string | null;
  /** ISO 3166-2 subdivision code (`DE-BY`); only databases in MaxMind's City layout have one. */
  region: string | null;
}

const NO_GEO: GeoResult = Object.freeze({ country: null, region: null });

/** Address ranges that no database can place: private, loopback, link-local and the like. */
const UNROUTABLE_RANGES = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal',
  'loopback',
  'private',
  'uniqueLocal',
  'carrierGradeNat',
  'reserved',
]);

/**
 * The default database: the combined IPv4 and IPv6 country file of the npm package
 * `@ip-location-db/geo-whois-asn-country-mmdb` (CC0-1.0, country only). Its `-ipv4` file is
 * not used because it returns wrong countries for IPv6 look-ups.
 */
export function defaultGeoDatabasePath(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb');
}

export class GeoLookup {
  private constructor(private readonly reader: Reader<Record<string, unknown>>) {}

  /**
   * Opens an `.mmdb` file: `path`, or the default country database when `path` is omitted.
   * Throws an `Error` naming the path when the file is missing or is not a MaxMind DB.
   */
  static async open(path: string = defaultGeoDatabasePath()): Promise<GeoLookup> {
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new Error(`Geo database path ${path} is not a file: point it at an .mmdb file`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(`Geo database not found at ${path}: point the geo database setting at an existing .mmdb file`, {
          cause: error,
        });
      }
      throw error;
    }

    try {
      return new GeoLookup(await maxmind.open<Record<string, unknown>>(path));
    } catch (error) {
      throw new Error(`Geo database ${path} is not a valid MaxMind DB (.mmdb) file: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /**
   * Looks up a truncated address (`203.0.113.0`, `2001:db8:1234::`). Returns nulls for
   * private, loopback and other unroutable addresses, for addresses the database does not
   * cover, and for input that is not an address. Never throws.
   */
  lookup(truncatedAddress: string): GeoResult {
    const address = parseAddress(truncatedAddress);
    if (address === null || UNROUTABLE_RANGES.has(address.range())) return NO_GEO;
    try {
      const record = this.reader.get(formatAddress(address));
      return record ? geoFromRecord(record) : NO_GEO;
    } catch {
      // mmdb-lib throws when an IPv4-only database is asked about an IPv6 address.
      return NO_GEO;
    }
  }
}

/**
 * Reads country and region from one database record. Two layouts are known:
 * ip-location-db's flat `{ country_code: 'NL' }`, and MaxMind's
 * `{ country: { iso_code }, subdivisions: [{ iso_code }] }` used by GeoLite2, GeoIP2 and
 * DB-IP files, whose first subdivision becomes the region `CC-SUB`.
 */
export function geoFromRecord(record: Record<string, unknown>): GeoResult {
  const country = countryCode(nested(record, 'country', 'iso_code') ?? record['country_code']);
  if (country === null) return NO_GEO;

  const subdivisions = record['subdivisions'];
  const firstSubdivision = Array.isArray(subdivisions) ? (subdivisions[0] as unknown) : undefined;
  const subdivisionCode = isRecord(firstSubdivision) ? firstSubdivision['iso_code'] : undefined;
  const region =
    typeof subdivisionCode === 'string' && /^[A-Z0-9]{1,3}$/i.test(subdivisionCode)
      ? `${country}-${subdivisionCode.toUpperCase()}`
      : null;
  return { country, region };
}

/** Two letters, upper-cased; `ZZ` and `XX` mark unknown countries in some databases. */
function countryCode(value: unknown): string | null {
  if (typeof value !== 'string' || !/^[A-Za-z]{2}$/.test(value)) return null;
  const code = value.toUpperCase();
  return code === 'ZZ' || code === 'XX' ? null : code;
}

function nested(record: Record<string, unknown>, key: string, innerKey: string): unknown {
  const inner = record[key];
  return isRecord(inner) ? inner[innerKey] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
