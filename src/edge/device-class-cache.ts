/**
 * A bounded cache of device classes, so that the User-Agent rules of `classifyDevice` run once
 * per distinct client rather than once per request. They are the edge's largest CPU cost per
 * request (about 0.26 ms in a CPU profile under load, most of it in `isbot` and `ua-parser-js`).
 *
 * Keys are a salted SHA-1 of the User-Agent, the client hints and the touch hint, cut to 96
 * bits. The salt is random per process and never leaves memory. So the cache holds no
 * User-Agent string, and a key cannot be matched against hashes of known User-Agents computed
 * elsewhere. Entries hold only the class.
 */
import crypto from 'node:crypto';

import type { DeviceClass } from '../domain.js';
import { classifyDevice, type DeviceClassInput } from './device-class.js';

/** Default number of entries kept; about 1 MB of memory at this size. */
export const DEFAULT_DEVICE_CLASS_CACHE_SIZE = 10_000;

/** Base64 characters of the SHA-1 digest kept as the key: 16 characters are 96 bits. */
const KEY_LENGTH = 16;

export class DeviceClassCache {
  /** Insertion order is recency order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, DeviceClass>();
  private readonly salt = crypto.randomBytes(16).toString('base64');
  private hitCount = 0;
  private missCount = 0;

  /** @param maxEntries entries kept before the least recently used one is evicted. Default 10,000. */
  constructor(private readonly maxEntries: number = DEFAULT_DEVICE_CLASS_CACHE_SIZE) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`Invalid device class cache size ${maxEntries}: expected a positive integer.`);
    }
  }

  /** Number of entries held. */
  get size(): number {
    return this.entries.size;
  }

  /** Look-ups answered from the cache and look-ups that ran `classifyDevice`, since start. */
  get counts(): { hits: number; misses: number } {
    return { hits: this.hitCount, misses: this.missCount };
  }

  /** Returns what `classifyDevice(input)` returns, from the cache when this input was seen. */
  classify(input: DeviceClassInput): DeviceClass {
    const key = this.keyOf(input);
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      this.hitCount += 1;
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }

    this.missCount += 1;
    const device = classifyDevice(input);
    this.entries.set(key, device);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return device;
  }

  /**
   * Hashes every input `classifyDevice` can read. Hints are taken in name order, and each
   * part is followed by a 0x00 separator, which no header value contains.
   */
  private keyOf(input: DeviceClassInput): string {
    let text = `${this.salt}\0${input.userAgent}\0${input.touch === undefined ? '' : String(input.touch)}\0`;
    const hints = input.clientHints ?? {};
    for (const name of Object.keys(hints).sort()) text += `${name}\0${hints[name]}\0`;
    return crypto.hash('sha1', text, 'base64').slice(0, KEY_LENGTH);
  }
}
