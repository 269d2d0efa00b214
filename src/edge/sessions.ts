/**
 * Sessions, kept in memory: a visitor's events belong to one session until 30 minutes pass
 * without an event. A restarted edge reloads the sessions of the last 30 minutes from the
 * event store, so a restart does not split them.
 */
import crypto from 'node:crypto';
import { SESSION_TIMEOUT_MS, type SessionAttributes } from '../domain.js';
import type { RecentSession } from '../storage/event-store.js';

interface OpenSession {
  id: bigint;
  lastTimestamp: number;
  attributes: SessionAttributes;
}

export interface SessionAssignment {
  sessionId: bigint;
  attributes: SessionAttributes;
}

/**
 * Random bytes for new session ids, filled 4 KiB at a time: one `randomFillSync` call per 512
 * sessions rather than one `randomBytes` call per session, which showed up in CPU profiles.
 */
const randomPool = Buffer.alloc(4096);
let randomPoolOffset = randomPool.length;

function randomSessionId(): bigint {
  if (randomPoolOffset + 8 > randomPool.length) {
    crypto.randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const id = randomPool.readBigUInt64BE(randomPoolOffset);
  randomPoolOffset += 8;
  return id;
}

function sessionKey(siteId: string, visitorId: bigint): string {
  return `${siteId}\n${visitorId}`;
}

export class SessionTracker {
  private readonly sessions = new Map<string, OpenSession>();

  constructor(private readonly timeoutMs: number = SESSION_TIMEOUT_MS) {}

  /** Number of sessions held in memory. */
  get size(): number {
    return this.sessions.size;
  }

  /**
   * Return the open session of `keyId` (a visitor id, or a session id from a session cookie),
   * or open a new one whose attributes come from this event. `firstEventAttributes` is only
   * called when a new session starts.
   */
  assign(siteId: string, keyId: bigint, timestamp: number, firstEventAttributes: () => SessionAttributes): SessionAssignment {
    const key = sessionKey(siteId, keyId);
    const open = this.sessions.get(key);
    if (open && timestamp - open.lastTimestamp < this.timeoutMs) {
      open.lastTimestamp = Math.max(open.lastTimestamp, timestamp);
      return { sessionId: open.id, attributes: open.attributes };
    }
    const session: OpenSession = {
      id: randomSessionId(),
      lastTimestamp: timestamp,
      attributes: firstEventAttributes(),
    };
    this.sessions.set(key, session);
    return { sessionId: session.id, attributes: session.attributes };
  }

  /** Forget sessions that ended before `now`; returns how many were removed. */
  evictExpired(now: number): number {
    let removed = 0;
    for (const [key, session] of this.sessions) {
      if (now - session.lastTimestamp >= this.timeoutMs) {
        this.sessions.delete(key);
        removed += 1;
      }
    }
    return removed;
  }

  /** Reopen sessions read back from the event store after a restart. */
  restore(recent: readonly RecentSession[]): void {
    for (const row of recent) {
      const session: OpenSession = {
        id: row.sessionId,
        lastTimestamp: row.lastTimestamp,
        attributes: {
          entryPage: row.entryPage,
          referrer: row.referrer,
          referrerSource: row.referrerSource,
          utmSource: row.utmSource,
          utmMedium: row.utmMedium,
          utmCampaign: row.utmCampaign,
          utmContent: row.utmContent,
          utmTerm: row.utmTerm,
          clickIdParameter: row.clickIdParameter,
        },
      };
      // Sessions are looked up by visitor id, or by session id when a session cookie names
      // them; the stored row does not say which, so both keys are restored.
      for (const keyId of [row.visitorId, row.sessionId]) {
        const key = sessionKey(row.siteId, keyId);
        const known = this.sessions.get(key);
        if (known && known.lastTimestamp >= row.lastTimestamp) continue;
        this.sessions.set(key, session);
      }
    }
  }

}
