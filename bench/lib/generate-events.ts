/**
 * Writes a realistic month of events for one property straight into the `events` table with
 * SQL, so ten million rows take seconds instead of an hour of HTTP requests. docs/benchmarks.md
 * describes the model. Pseudo-random choices come from DuckDB's `hash()` of the session
 * number and a label, so a run with the same count and end time writes the same data.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export interface GeneratorOptions {
  siteId: string;
  events: number;
  days: number;
  /** End of the generated range, UTC milliseconds. */
  endMs: number;
}

export interface GeneratorSummary {
  events: number;
  sessions: number;
  distinctVisitorIds: number;
  humanEvents: number;
  seconds: number;
}

type Weighted<T> = readonly (readonly [T, number])[];

/** Slots per weighted table: a choice with weight w gets about w/total of them. */
const SLOTS = 10_000;

/** Pageviews per session: 45% bounce, a long tail up to 30. */
const SESSION_LENGTHS: Weighted<number> = [
  [1, 45], [2, 18], [3, 12], [4, 8], [5, 6], [6, 3], [7, 2], [8, 1.5], [10, 1.5], [14, 1.5], [20, 1], [30, 0.5],
];

const DEVICES: Weighted<string> = [['desktop', 45], ['mobile', 47], ['tablet', 6], ['bot', 2]];
const ROUTES: Weighted<string> = [['standard', 60], ['first-party', 40]];

const COUNTRIES: Weighted<string | null> = [
  ['US', 22], ['DE', 10], ['GB', 7], ['IN', 6], ['FR', 5], ['CA', 4], ['NL', 3], ['BR', 3], ['ES', 3], ['IT', 3],
  ['PL', 2], ['JP', 2], ['AU', 2], ['SE', 1.5], ['CH', 1], ['AT', 1], ['BE', 1], ['MX', 1], ['TR', 1], ['ID', 1],
  ['UA', 1], ['CZ', 1], ['DK', 1], ['NO', 1], ['FI', 1], ['PT', 1], ['IE', 1], ['RO', 1], ['AR', 1], ['ZA', 1],
  ['KR', 1], ['SG', 1], ['IL', 0.5], ['NZ', 0.5], ['GR', 0.5], ['HU', 0.5], ['VN', 0.5], ['PH', 0.5], ['NG', 0.5],
  ['EG', 0.5], [null, 1],
];

/** referrer, referrer_source, utm_source, utm_medium, utm_campaign, click_id_param */
type Channel = readonly [string | null, string | null, string | null, string | null, string | null, string | null];
const CHANNELS: Weighted<Channel> = [
  [[null, null, null, null, null, null], 38],
  [['www.google.com/', 'Google', null, null, null, null], 27],
  [['www.google.com/', 'Google', 'google', 'cpc', 'brand', 'gclid'], 3],
  [['www.bing.com/', 'Bing', null, null, null, null], 3],
  [['duckduckgo.com/', 'DuckDuckGo', null, null, null, null], 2],
  [['www.ecosia.org/', 'Ecosia', null, null, null, null], 1],
  [['www.facebook.com/', 'Facebook', null, null, null, null], 3],
  [['t.co/', 'Twitter', null, null, null, null], 2],
  [['www.linkedin.com/', 'LinkedIn', null, null, null, null], 1.5],
  [['www.reddit.com/r/webdev/', 'Reddit', null, null, null, null], 2],
  [['news.ycombinator.com/item', 'Hacker News', null, null, null, null], 1.5],
  [['github.com/', 'GitHub', null, null, null, null], 1],
  [[null, 'newsletter', 'newsletter', 'email', 'weekly-digest', null], 3],
  [[null, 'newsletter', 'newsletter', 'email', 'spring-sale', null], 1],
  [['mastodon.social/', 'mastodon', 'mastodon', 'social', 'launch', null], 1],
  ...Array.from({ length: 200 }, (_, index): readonly [Channel, number] => {
    const host = `blog-${index}.example`;
    return [[`${host}/post`, host, null, null, null, null], 9 / (index + 1)];
  }),
];

/** Share of the day's traffic per UTC hour: low at night, peaks in the afternoon. */
const HOURS: Weighted<number> = [
  [0, 2], [1, 1.5], [2, 1], [3, 1], [4, 1], [5, 1.5], [6, 2.5], [7, 3.5], [8, 5], [9, 6], [10, 6.5], [11, 6.5],
  [12, 6.5], [13, 7], [14, 7], [15, 7], [16, 6.5], [17, 6], [18, 5.5], [19, 5], [20, 4.5], [21, 4], [22, 3], [23, 2.5],
];

const PAGES: Weighted<string> = [
  ['/', 30],
  ['/pricing', 9],
  ['/docs', 6],
  ['/about', 3],
  ['/contact', 2],
  ['/shop/cart', 2],
  ...Array.from({ length: 150 }, (_, index): readonly [string, number] => [`/blog/post-${index}`, 12 / (index + 1)]),
  ...Array.from({ length: 150 }, (_, index): readonly [string, number] => [`/docs/page-${index}`, 8 / (index + 1)]),
  ...Array.from({ length: 100 }, (_, index): readonly [string, number] => [`/shop/item-${index}`, 6 / (index + 1)]),
];

/** name, props JSON, revenue amount, revenue currency; null when the session has no custom event. */
type CustomEvent = readonly [string, string, string | null, string | null] | null;
const CUSTOM_EVENTS: Weighted<CustomEvent> = [
  [null, 85],
  [['Signup', '{"plan":"pro"}', null, null], 2],
  [['Signup', '{"plan":"free"}', null, null], 2],
  [['Add to cart', '{"sku":"item-7"}', null, null], 5],
  [['Purchase', '{"sku":"item-7"}', '49.90', 'EUR'], 1.5],
  [['Purchase', '{"sku":"item-3"}', '19.00', 'USD'], 0.5],
  [['Outbound Link: Click', '{"url":"https://github.com/"}', null, null], 3],
  [['File Download', '{"url":"/files/guide.pdf"}', null, null], 1],
];

function literal(value: string | number | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

/** Expands weights into `SLOTS` rows `(slot, value...)` of a temporary table. */
async function createSlotTable(connection: DuckDBConnection, name: string, columns: string[], choices: Weighted<readonly (string | number | null)[]>): Promise<void> {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  const rows: string[] = [];
  let cumulative = 0;
  for (const [values, weight] of choices) {
    const start = Math.round((cumulative / total) * SLOTS);
    cumulative += weight;
    const end = Math.round((cumulative / total) * SLOTS);
    const tuple = values.map(literal).join(', ');
    for (let slot = start; slot < end; slot += 1) rows.push(`(${slot}, ${tuple})`);
  }
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${name} (slot INTEGER, ${columns.join(', ')})`);
  for (let offset = 0; offset < rows.length; offset += 2_000) {
    await connection.run(`INSERT INTO ${name} VALUES ${rows.slice(offset, offset + 2_000).join(', ')}`);
  }
}

function meanOf(choices: Weighted<number>): number {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  return choices.reduce((sum, [value, weight]) => sum + value * weight, 0) / total;
}

function wrap<T>(choices: Weighted<T>): Weighted<readonly T[]> {
  return choices.map(([value, weight]) => [[value], weight] as const);
}

/** Uniform slot number in [0, SLOTS) from a session number and a label. */
function slotOf(label: string, extra = ''): string {
  return `(hash(s.n, '${label}'${extra}) % ${SLOTS})::INTEGER`;
}

async function createSessions(connection: DuckDBConnection, options: GeneratorOptions, sessions: number): Promise<void> {
  const startMs = options.endMs - options.days * 86_400_000;
  // Visitor ids are salted per day in datakant, so a returning visitor gets a new id each day;
  // about 72 people per 100 sessions, each a different id on each day they come back.
  const people = Math.max(1, Math.round(sessions * 0.72));
  await connection.run(`
CREATE OR REPLACE TEMP TABLE bench_sessions AS
WITH s AS (SELECT range AS n FROM range(${sessions})),
placed AS (
  SELECT s.n,
    (hash(s.n, 'day') % ${options.days})::INTEGER AS day,
    h.hour,
    (hash(s.n, 'second') % 3600)::INTEGER AS second,
    hash(s.n, 'person') % ${people} AS person,
    d.device, r.route, c.country, ch.referrer, ch.referrer_source, ch.utm_source, ch.utm_medium, ch.utm_campaign,
    ch.click_id_param, p.page AS entry_page, l.length, ce.name AS custom_name, ce.props AS custom_props,
    ce.amount AS custom_amount, ce.currency AS custom_currency
  FROM s
  JOIN slots_hours h ON h.slot = ${slotOf('hour')}
  JOIN slots_devices d ON d.slot = ${slotOf('device')}
  JOIN slots_routes r ON r.slot = ${slotOf('route')}
  JOIN slots_countries c ON c.slot = ${slotOf('country')}
  JOIN slots_channels ch ON ch.slot = ${slotOf('channel')}
  JOIN slots_pages p ON p.slot = ${slotOf('entry')}
  JOIN slots_lengths l ON l.slot = ${slotOf('length')}
  JOIN slots_custom ce ON ce.slot = ${slotOf('custom')}
)
SELECT n,
  make_timestamp(${BigInt(startMs) * 1000n}::BIGINT) + to_days(day) + to_hours(hour) + to_seconds(second) AS started,
  hash(person, day, 'visitor') AS visitor_id,
  hash(n, 'session') AS session_id,
  device, route, country, referrer, referrer_source, utm_source, utm_medium, utm_campaign, click_id_param, entry_page,
  CASE WHEN device = 'bot' THEN 1 ELSE length END AS length,
  CASE WHEN device = 'bot' THEN NULL ELSE custom_name END AS custom_name,
  custom_props, custom_amount, custom_currency
FROM placed`);
}

/** Fills the (empty) `events` table with `options.events` rows in time order. */
export async function generateEvents(connection: DuckDBConnection, options: GeneratorOptions): Promise<GeneratorSummary> {
  const started = performance.now();
  await createSlotTable(connection, 'slots_lengths', ['length INTEGER'], wrap(SESSION_LENGTHS));
  await createSlotTable(connection, 'slots_devices', ['device VARCHAR'], wrap(DEVICES));
  await createSlotTable(connection, 'slots_routes', ['route VARCHAR'], wrap(ROUTES));
  await createSlotTable(connection, 'slots_countries', ['country VARCHAR'], wrap(COUNTRIES));
  await createSlotTable(connection, 'slots_hours', ['hour INTEGER'], wrap(HOURS));
  await createSlotTable(connection, 'slots_pages', ['page VARCHAR'], wrap(PAGES));
  await createSlotTable(
    connection,
    'slots_channels',
    ['referrer VARCHAR', 'referrer_source VARCHAR', 'utm_source VARCHAR', 'utm_medium VARCHAR', 'utm_campaign VARCHAR', 'click_id_param VARCHAR'],
    CHANNELS,
  );
  await createSlotTable(
    connection,
    'slots_custom',
    ['name VARCHAR', 'props VARCHAR', 'amount VARCHAR', 'currency VARCHAR'],
    CUSTOM_EVENTS.map(([event, weight]) => [event ?? [null, null, null, null], weight] as const),
  );

  // Size the session count from the mean events per session, then correct it once with the
  // real total, so the LIMIT below trims only a few events at the end of the range.
  let sessions = Math.ceil(options.events / (meanOf(SESSION_LENGTHS) + 0.15));
  for (let attempt = 0; attempt < 3; attempt += 1) {
    await createSessions(connection, options, sessions);
    const reader = await connection.runAndReadAll(
      'SELECT sum(length) + count(custom_name) AS total FROM bench_sessions',
    );
    const total = Number(reader.getRows()[0]?.[0] ?? 0);
    if (total >= options.events) break;
    sessions = Math.ceil(sessions * (options.events / total) * 1.002) + 10;
  }

  const endLiteral = `make_timestamp(${BigInt(options.endMs) * 1000n}::BIGINT)`;
  await connection.run(`
INSERT INTO events (site_id, ts, name, hostname, pathname, visitor_id, session_id, route, device, country,
  region, entry_page, referrer, referrer_source, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
  click_id_param, props, revenue_amount, revenue_currency, interactive)
WITH views AS (
  SELECT s.*, k.range AS step,
    least(s.started + to_seconds((k.range * (20 + hash(s.n, k.range, 'gap') % 160))::BIGINT), ${endLiteral}) AS ts,
    CASE WHEN k.range = 0 THEN s.entry_page ELSE p.page END AS pathname
  FROM bench_sessions s
  CROSS JOIN LATERAL range(s.length) k
  JOIN slots_pages p ON p.slot = (hash(s.n, k.range, 'page') % ${SLOTS})::INTEGER
),
rows AS (
  SELECT ts, 'pageview' AS name, pathname, visitor_id, session_id, route, device, country, entry_page, referrer,
    referrer_source, utm_source, utm_medium, utm_campaign, click_id_param, '{}' AS props,
    NULL::DECIMAL(18, 4) AS revenue_amount, NULL AS revenue_currency
  FROM views
  UNION ALL
  SELECT least(s.started + to_seconds((s.length * 45)::BIGINT), ${endLiteral}), s.custom_name, s.entry_page,
    s.visitor_id, s.session_id, s.route, s.device, s.country, s.entry_page, s.referrer, s.referrer_source,
    s.utm_source, s.utm_medium, s.utm_campaign, s.click_id_param, s.custom_props,
    s.custom_amount::DECIMAL(18, 4), s.custom_currency
  FROM bench_sessions s WHERE s.custom_name IS NOT NULL
)
SELECT '${options.siteId.replaceAll("'", "''")}', ts, name, '${options.siteId.replaceAll("'", "''")}', pathname,
  visitor_id, session_id, route, device, country, NULL, entry_page, referrer, referrer_source, utm_source,
  utm_medium, utm_campaign, NULL, NULL, click_id_param, props, revenue_amount, revenue_currency, true
FROM rows
ORDER BY ts
LIMIT ${options.events}`);
  await connection.run('CHECKPOINT');

  const reader = await connection.runAndReadAll(`
SELECT count(*) AS events, count(DISTINCT session_id) AS sessions, count(DISTINCT visitor_id) AS visitors,
  count(*) FILTER (WHERE device <> 'bot') AS human
FROM events`);
  const [events, sessionCount, visitors, human] = (reader.getRows()[0] ?? []).map(Number);
  return {
    events: events ?? 0,
    sessions: sessionCount ?? 0,
    distinctVisitorIds: visitors ?? 0,
    humanEvents: human ?? 0,
    seconds: (performance.now() - started) / 1000,
  };
}
