/**
 * Realistic Events API requests for the ingest benchmarks: real-world User-Agents read at run
 * time from the labelled device-class corpus, visitor addresses in `X-Forwarded-For` (mostly
 * IPv4, some IPv6), pageviews with referrers and UTM parameters, and custom events with
 * properties and revenue. The mix is deterministic for a given seed.
 */
import fs from 'node:fs';

/** The labelled corpus of User-Agents; read at run time, never copied into the repository. */
export const USER_AGENT_CORPUS = '/work/shared/corpora/device-class/dev.tsv';

/** Desktop and mobile User-Agents used when the corpus file is absent. */
const FALLBACK_USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
];

export interface BenchRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface RequestMixSource {
  /** Where the User-Agents came from: the corpus path or `built-in fallback`. */
  userAgents: string;
  userAgentCount: number;
}

/** Reads the corpus' User-Agents (second tab-separated column), or a small fallback list. */
export function readUserAgents(file = USER_AGENT_CORPUS): { userAgents: string[]; source: string } {
  if (!fs.existsSync(file)) return { userAgents: FALLBACK_USER_AGENTS, source: 'built-in fallback' };
  const lines = fs.readFileSync(file, 'utf8').split('\n').slice(1);
  // Header values must be visible ASCII; the few corpus entries with other bytes are skipped.
  const userAgents = lines.map((line) => line.split('\t')[1] ?? '').filter((ua) => /^[\x20-\x7e]+$/.test(ua));
  return { userAgents, source: file };
}

/** A small deterministic generator (mulberry32), so runs send the same mix. */
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

const PATHS = ['/', '/pricing', '/blog', '/blog/privacy-first-analytics', '/blog/first-party-tracking', '/docs', '/docs/install', '/about', '/contact', '/shop/item-42', '/shop/cart', '/careers'];
const REFERRERS = [null, null, null, 'https://www.google.com/', 'https://www.bing.com/', 'https://duckduckgo.com/', 'https://news.ycombinator.com/item?id=1', 'https://t.co/abc', 'https://www.facebook.com/'];
const UTM_QUERIES = ['', '', '', '', '?utm_source=newsletter&utm_medium=email&utm_campaign=spring', '?utm_source=mastodon&utm_medium=social', '?gclid=Cj0KCQ'];
const CUSTOM_EVENTS = [
  { name: 'Signup', props: { plan: 'pro', trial: true } },
  { name: 'Add to cart', props: { sku: 'item-42', quantity: 2 } },
  { name: 'Purchase', props: { sku: 'item-42' }, revenue: { amount: '49.90', currency: 'EUR' } },
  { name: 'Outbound Link: Click', props: { url: 'https://github.com/' } },
];

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

function visitorAddress(random: () => number): string {
  if (random() < 0.15) {
    const group = () => Math.floor(random() * 0xffff).toString(16);
    return `2001:db8:${group()}:${group()}::${group()}`;
  }
  // Addresses spread over many /24 networks, so the geo look-up and the hash see variety.
  const octet = () => 1 + Math.floor(random() * 223);
  return `${octet()}.${octet()}.${octet()}.${octet()}`;
}

/**
 * Builds `count` Events API requests for `domain`. About 85% are pageviews and 15% custom
 * events; each carries a corpus User-Agent and a visitor address in `X-Forwarded-For`.
 */
export function buildEventsApiRequests(domain: string, count: number, seed = 1): { requests: BenchRequest[]; source: RequestMixSource } {
  const random = seededRandom(seed);
  const { userAgents, source } = readUserAgents();
  const requests: BenchRequest[] = [];
  for (let index = 0; index < count; index += 1) {
    const path = pick(PATHS, random);
    const body: Record<string, unknown> = { domain, name: 'pageview', url: `https://${domain}${path}${pick(UTM_QUERIES, random)}` };
    const referrer = pick(REFERRERS, random);
    if (referrer !== null) body.referrer = referrer;
    if (random() < 0.15) Object.assign(body, pick(CUSTOM_EVENTS, random));
    requests.push({
      method: 'POST',
      path: '/api/event',
      headers: {
        'content-type': 'application/json',
        'user-agent': pick(userAgents, random),
        'x-forwarded-for': visitorAddress(random),
      },
      body: JSON.stringify(body),
    });
  }
  return { requests, source: { userAgents: source, userAgentCount: userAgents.length } };
}
