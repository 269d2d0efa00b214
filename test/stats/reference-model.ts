import type { DeviceClass } from '../../src/domain.js';
import type { FixtureEvent } from './fixture-store.js';

/**
 * Random traffic and a plain in-memory model of the documented report semantics, so that
 * tests can compare the SQL the stats module builds with a count done event by event.
 */

/** Deterministic pseudo-random numbers (mulberry32), so a failing case can be rerun. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ModelEvent extends Required<Omit<FixtureEvent, 'site' | 'at' | 'hostname' | 'props'>> {
  site: string;
  /** UTC milliseconds. */
  ms: number;
  props: Record<string, string>;
}

const PAGES = ['/', '/blog', '/pricing', '/docs', '/about'];
const SOURCES = [null, 'Google', 'Facebook', 'news.example'];
const COUNTRIES = [null, 'DE', 'FR', 'US'];
const DEVICES: DeviceClass[] = ['desktop', 'desktop', 'mobile', 'tablet', 'bot'];

/**
 * Generates sessions of one to six events from 2026-03-09 to 2026-03-13 (UTC) on two
 * properties. Visitors return for several sessions, sessions cross midnight, some events are
 * custom events (some not interactive), and each event has its own millisecond.
 */
export function randomTraffic(seed: number, sessionCount: number): ModelEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const events: ModelEvent[] = [];
  const usedMs = new Set<number>();
  const start = Date.UTC(2026, 2, 9);
  for (let session = 1; session <= sessionCount; session++) {
    const visitor = 1 + Math.floor(random() * (sessionCount / 2));
    const site = random() < 0.9 ? 'shop.example' : 'other.example';
    const entryPage = pick(PAGES);
    const attributes = {
      site,
      visitor,
      session,
      entryPage,
      source: pick(SOURCES),
      country: pick(COUNTRIES),
      device: pick(DEVICES),
      route: random() < 0.5 ? ('first-party' as const) : ('standard' as const),
    };
    let ms = start + Math.floor(random() * 5 * 86_400_000);
    const length = 1 + Math.floor(random() * 6);
    // A few sessions change country or device class midway, as a visitor who keeps the edge's
    // session cookie may when their network or browser changes.
    const changing = random() < 0.1;
    for (let index = 0; index < length; index++) {
      while (usedMs.has(ms)) ms += 1;
      usedMs.add(ms);
      const custom = index > 0 && random() < 0.3;
      if (changing && index > 0 && random() < 0.5) {
        if (random() < 0.5) attributes.country = pick(COUNTRIES);
        else attributes.device = pick(DEVICES);
      }
      events.push({
        ...attributes,
        ms,
        name: custom ? pick(['Signup', 'Outbound']) : 'pageview',
        pathname: index === 0 ? entryPage : pick(PAGES),
        props: custom ? { plan: pick(['free', 'pro']) } : {},
        interactive: !custom || random() < 0.5,
        region: null,
        referrer: attributes.source === null ? null : `${attributes.source.toLowerCase()}/`,
        utmSource: null,
        utmMedium: null,
        utmCampaign: null,
        utmContent: null,
        utmTerm: null,
      });
      ms += 1000 + Math.floor(random() * 20 * 60_000);
    }
  }
  return events;
}

export function toFixtureEvents(events: readonly ModelEvent[]): FixtureEvent[] {
  return events.map(({ ms, ...event }) => ({ ...event, at: new Date(ms).toISOString() }));
}

/** Events of one property in [startMs, endMs), bots left out, as every report scopes them. */
export function scoped(events: readonly ModelEvent[], site: string, startMs: number, endMs: number): ModelEvent[] {
  return events.filter((event) => event.site === site && event.ms >= startMs && event.ms < endMs && event.device !== 'bot');
}

/** Distinct visitors per group key. */
export function visitorsBy(events: readonly ModelEvent[], key: (event: ModelEvent) => string): Record<string, number> {
  const groups = new Map<string, Set<number>>();
  for (const event of events) {
    const group = groups.get(key(event)) ?? new Set<number>();
    group.add(event.visitor);
    groups.set(key(event), group);
  }
  return Object.fromEntries([...groups].map(([group, visitors]) => [group, visitors.size]));
}

export interface ModelSession {
  start: number;
  end: number;
  pageviews: number;
  interactions: number;
  entryPage: string;
  exitPage: string;
}

/** Sessions built from scoped events: figures of the events inside the range. */
export function sessionsOf(events: readonly ModelEvent[]): ModelSession[] {
  const bySession = new Map<number, ModelEvent[]>();
  for (const event of events) bySession.set(event.session, [...(bySession.get(event.session) ?? []), event]);
  return [...bySession.values()].map((sessionEvents) => {
    const ordered = [...sessionEvents].sort((a, b) => a.ms - b.ms);
    const pageviews = ordered.filter((event) => event.name === 'pageview');
    const last = (pageviews.at(-1) ?? ordered.at(-1)) as ModelEvent;
    return {
      start: (ordered[0] as ModelEvent).ms,
      end: (ordered.at(-1) as ModelEvent).ms,
      pageviews: pageviews.length,
      interactions: ordered.filter((event) => event.name === 'pageview' || event.interactive).length,
      entryPage: (ordered[0] as ModelEvent).entryPage,
      exitPage: last.pathname,
    };
  });
}

/** Visits per group: a session counts once in the group of each of its events. */
export function visitsByEvent(events: readonly ModelEvent[], key: (event: ModelEvent) => string): Record<string, number> {
  const groups = new Map<string, Set<number>>();
  for (const event of events) {
    const group = groups.get(key(event)) ?? new Set<number>();
    group.add(event.session);
    groups.set(key(event), group);
  }
  return Object.fromEntries([...groups].map(([group, sessions]) => [group, sessions.size]));
}

/** Visits per group key of a session. */
export function visitsBy(sessions: readonly ModelSession[], key: (session: ModelSession) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const session of sessions) counts[key(session)] = (counts[key(session)] ?? 0) + 1;
  return counts;
}

/** Rounds half to even, as the Stats API rounds. */
export function roundHalfEven(value: number, digits: number): number {
  const scale = 10 ** digits;
  const scaled = value * scale;
  const floor = Math.floor(scaled);
  const difference = scaled - floor;
  const epsilon = 1e-9;
  if (difference > 0.5 + epsilon) return (floor + 1) / scale;
  if (difference < 0.5 - epsilon) return floor / scale;
  return (floor % 2 === 0 ? floor : floor + 1) / scale;
}
