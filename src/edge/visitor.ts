/**
 * Pseudonymous visitor ids from a daily-salted hash, computed in memory.
 *
 * visitor id = first 8 bytes (big-endian, unsigned) of
 *   SHA-256(salt of the UTC day ‖ property domain ‖ 0x00 ‖ client address ‖ 0x00 ‖ user-agent)
 *
 * The full client address and user-agent enter the hash only here, in memory, and are not
 * kept. The salt is 32 random bytes created on the first event of each UTC day. When the day
 * ends, the server's timer drops the cached salt and deletes it from the configuration
 * database (secure_delete plus a WAL checkpoint). Afterwards a visitor id cannot be linked
 * back to an address, and ids of different days do not match.
 */
import crypto from 'node:crypto';

export interface SaltSource {
  saltForDay(day: string): Promise<Buffer>;
}

const DAY_MS = 86_400_000;
/** The last day computed, as `[first millisecond, first millisecond of the next day)`. */
let lastDay = { start: 0, end: 0, text: '' };

/** `YYYY-MM-DD` of a UTC timestamp in milliseconds. */
export function utcDay(timestamp: number): string {
  // Formatting a Date costs more than the rest of the hash, and nearly every call falls on
  // the day before it. UTC days have exactly 86,400,000 ms in ECMAScript time.
  if (timestamp >= lastDay.start && timestamp < lastDay.end) return lastDay.text;
  const text = new Date(timestamp).toISOString().slice(0, 10);
  const start = Math.floor(timestamp / DAY_MS) * DAY_MS;
  lastDay = { start, end: start + DAY_MS, text };
  return text;
}

export class VisitorHasher {
  private currentDay = '';
  private currentSalt: Buffer | null = null;
  private pending: Promise<Buffer> | null = null;

  constructor(private readonly salts: SaltSource) {}

  /** Compute the visitor id for an event received at `timestamp`. */
  async visitorId(timestamp: number, siteId: string, clientAddress: string, userAgent: string): Promise<bigint> {
    const salt = await this.saltFor(utcDay(timestamp));
    const digest = crypto
      .createHash('sha256')
      .update(salt)
      .update(siteId)
      .update('\0')
      .update(clientAddress)
      .update('\0')
      .update(userAgent)
      .digest();
    return digest.readBigUInt64BE(0);
  }

  /**
   * Forget the cached salt once its UTC day is over, so it does not outlive its day in memory
   * when no event arrives. Returns true when one was dropped.
   */
  dropStaleSalt(now: number): boolean {
    if (this.currentSalt === null || utcDay(now) === this.currentDay) return false;
    this.currentSalt = null;
    this.currentDay = '';
    return true;
  }

  private async saltFor(day: string): Promise<Buffer> {
    if (day === this.currentDay && this.currentSalt) return this.currentSalt;
    if (day < this.currentDay && this.currentSalt) {
      // An event stamped just before midnight that arrives after the rotation uses the new
      // salt: the old one is gone by design.
      return this.currentSalt;
    }
    if (!this.pending) {
      this.pending = this.salts.saltForDay(day).then(
        (salt) => {
          this.currentDay = day;
          this.currentSalt = salt;
          this.pending = null;
          return salt;
        },
        (error: unknown) => {
          this.pending = null;
          throw error;
        },
      );
    }
    return this.pending;
  }
}
