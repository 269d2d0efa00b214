import type { RecentSession } from '../event-store.js';
import { EVENTS_TABLE } from './schema.js';

/**
 * Sessions with an event at or after `$1` (UTC milliseconds), with the attributes of each
 * session's latest event. The attributes go through `arg_max` as one struct because `arg_max`
 * skips rows whose argument is NULL, which would replace a NULL referrer with an older one.
 */
export const RECENT_SESSIONS_SQL = `
SELECT
  site_id,
  visitor_id,
  session_id,
  epoch_ms(max(ts)) AS last_ms,
  arg_max({
    entry_page: entry_page,
    referrer: referrer,
    referrer_source: referrer_source,
    utm_source: utm_source,
    utm_medium: utm_medium,
    utm_campaign: utm_campaign,
    utm_content: utm_content,
    utm_term: utm_term,
    click_id_param: click_id_param
  }, ts) AS attributes
FROM ${EVENTS_TABLE}
WHERE ts >= epoch_ms($1)
GROUP BY site_id, visitor_id, session_id
ORDER BY last_ms`;

type Attributes = Record<string, string | null>;

/** Maps one row of `RECENT_SESSIONS_SQL`, converted by `convertResultValue`, to a session. */
export function toRecentSession(row: Record<string, unknown>): RecentSession {
  const attributes = row.attributes as Attributes;
  return {
    siteId: row.site_id as string,
    visitorId: row.visitor_id as bigint,
    sessionId: row.session_id as bigint,
    lastTimestamp: Number(row.last_ms),
    entryPage: attributes.entry_page as string,
    referrer: attributes.referrer ?? null,
    referrerSource: attributes.referrer_source ?? null,
    utmSource: attributes.utm_source ?? null,
    utmMedium: attributes.utm_medium ?? null,
    utmCampaign: attributes.utm_campaign ?? null,
    utmContent: attributes.utm_content ?? null,
    utmTerm: attributes.utm_term ?? null,
    clickIdParameter: attributes.click_id_param ?? null,
  };
}
