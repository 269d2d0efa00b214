import type { FixtureEvent } from './fixture-store.js';

/**
 * One day of traffic (2026-03-10, UTC) whose reports are worked out by hand below.
 *
 * | session | visitor | events (UTC)                                              | source   | country/region | device  | route       |
 * | 1       | 1       | pageview / 10:00:00, pageview /pricing 10:01:40, Signup at /pricing 10:02:00 {plan: pro} | Google | DE / DE-BY | desktop | first-party |
 * | 2       | 2       | pageview /blog 11:00:00                                   | (direct) | FR / -         | mobile  | standard    |
 * | 3       | 1       | pageview / 15:00:00, Outbound at / 15:00:30, not interactive | Google | DE / DE-BE | desktop | standard    |
 * | 4       | 3       | pageview /blog 12:00:00 and 12:00:45 on blog.shop.example | Facebook | - / -          | tablet  | first-party |
 * | 9       | 9       | pageview / 13:00:00                                       | (direct) | US / -         | bot     | standard    |
 *
 * Without bots: 3 visitors, 4 visits, 6 pageviews, 8 events. Sessions 2 and 3 bounce (one
 * interactive event each): bounce rate 50. Durations 120, 0, 30 and 45 s: mean 48.75, so 49.
 * Views per visit 6 / 4 = 1.5.
 */
export const SHOP_DAY = '2026-03-10';

const session1 = {
  visitor: 1,
  session: 1,
  entryPage: '/',
  source: 'Google',
  referrer: 'google.com/',
  utmSource: 'spring',
  utmMedium: 'email',
  utmCampaign: 'launch',
  utmContent: 'banner',
  utmTerm: 'shoes',
  country: 'DE',
  region: 'DE-BY',
  device: 'desktop',
  route: 'first-party',
} as const;

const session2 = { visitor: 2, session: 2, entryPage: '/blog', country: 'FR', device: 'mobile', route: 'standard' } as const;

const session3 = {
  visitor: 1,
  session: 3,
  entryPage: '/',
  source: 'Google',
  referrer: 'google.com/',
  country: 'DE',
  region: 'DE-BE',
  device: 'desktop',
  route: 'standard',
} as const;

const session4 = {
  visitor: 3,
  session: 4,
  entryPage: '/blog',
  source: 'Facebook',
  referrer: 'facebook.com/',
  hostname: 'blog.shop.example',
  device: 'tablet',
  route: 'first-party',
} as const;

export const SHOP_EVENTS: FixtureEvent[] = [
  { ...session1, at: '2026-03-10T10:00:00Z', pathname: '/' },
  { ...session1, at: '2026-03-10T10:01:40Z', pathname: '/pricing' },
  { ...session1, at: '2026-03-10T10:02:00Z', pathname: '/pricing', name: 'Signup', props: { plan: 'pro' } },
  { ...session2, at: '2026-03-10T11:00:00Z', pathname: '/blog' },
  { ...session3, at: '2026-03-10T15:00:00Z', pathname: '/' },
  { ...session3, at: '2026-03-10T15:00:30Z', pathname: '/', name: 'Outbound', props: { url: 'https://other.example/' }, interactive: false },
  { ...session4, at: '2026-03-10T12:00:00Z', pathname: '/blog' },
  { ...session4, at: '2026-03-10T12:00:45Z', pathname: '/blog' },
  { visitor: 9, session: 9, at: '2026-03-10T13:00:00Z', pathname: '/', country: 'US', device: 'bot' },
];

/** A query body for the fixture day; `extra` overrides or adds fields. */
export function shopQuery(extra: Record<string, unknown>): Record<string, unknown> {
  return { site_id: 'shop.example', date_range: [SHOP_DAY, SHOP_DAY], ...extra };
}
