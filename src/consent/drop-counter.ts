/**
 * Counts of events that consent kept from a system, per property, system and reason. Only the
 * counts are kept, in memory, since the process started.
 */
import type { ConsentSystem, DropReason } from './purposes.js';

export interface DropCount {
  system: ConsentSystem;
  reason: DropReason;
  count: number;
}

export class ConsentDropCounter {
  private readonly counts = new Map<string, Map<string, DropCount>>();
  /** When counting started, UTC milliseconds. */
  readonly since = Date.now();

  record(siteId: string, system: ConsentSystem, reason: DropReason): void {
    let bySite = this.counts.get(siteId);
    if (!bySite) {
      bySite = new Map();
      this.counts.set(siteId, bySite);
    }
    const key = `${system}\n${reason}`;
    const entry = bySite.get(key);
    if (entry) entry.count += 1;
    else bySite.set(key, { system, reason, count: 1 });
  }

  /** Return a property's counts, sorted by system and reason. */
  forSite(siteId: string): DropCount[] {
    const entries = [...(this.counts.get(siteId)?.values() ?? [])].map((entry) => ({ ...entry }));
    return entries.sort((a, b) => a.system.localeCompare(b.system) || a.reason.localeCompare(b.reason));
  }
}
