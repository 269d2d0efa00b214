/**
 * The metrics, dimensions and filter operators the Stats API accepts, with their names as in
 * Plausible's Stats API v2.
 */

export const METRICS = [
  'visitors',
  'visits',
  'pageviews',
  'events',
  'views_per_visit',
  'bounce_rate',
  'visit_duration',
] as const;
export type Metric = (typeof METRICS)[number];

/** Metrics computed per session; the others are counted on events without building sessions. */
export const SESSION_METRICS: ReadonlySet<Metric> = new Set<Metric>([
  'visits',
  'views_per_visit',
  'bounce_rate',
  'visit_duration',
]);

export const TIME_DIMENSIONS = ['time:hour', 'time:day', 'time:week', 'time:month'] as const;
export type TimeDimension = (typeof TIME_DIMENSIONS)[number];
/** `time` picks one of `TIME_DIMENSIONS` from the length of the date range. */
export const AUTO_TIME_DIMENSION = 'time';

export const EVENT_DIMENSIONS = ['event:page', 'event:hostname', 'event:name'] as const;
export const PROPS_DIMENSION_PREFIX = 'event:props:';

export const VISIT_DIMENSIONS = [
  'visit:source',
  'visit:referrer',
  'visit:utm_source',
  'visit:utm_medium',
  'visit:utm_campaign',
  'visit:utm_content',
  'visit:utm_term',
  'visit:country',
  'visit:region',
  'visit:device',
  'visit:entry_page',
  'visit:exit_page',
  'visit:route',
] as const;

/**
 * Maximum length of a custom property key in `event:props:<key>`. Plausible's Events API
 * accepts keys of up to 300 characters.
 */
export const MAX_PROPERTY_KEY_LENGTH = 300;

/** A validated dimension name: a time dimension, an event or visit dimension, or `event:props:<key>`. */
export type Dimension = TimeDimension | (typeof EVENT_DIMENSIONS)[number] | (typeof VISIT_DIMENSIONS)[number] | `event:props:${string}`;

export const SIMPLE_FILTER_OPERATORS = ['is', 'is_not', 'contains', 'contains_not', 'matches', 'matches_not'] as const;
export type SimpleFilterOperator = (typeof SIMPLE_FILTER_OPERATORS)[number];
export const LOGICAL_FILTER_OPERATORS = ['and', 'or', 'not'] as const;

export type Filter =
  | {
      kind: 'simple';
      operator: SimpleFilterOperator;
      dimension: Dimension;
      values: string[];
      caseSensitive: boolean;
      /** JSON pointer of the values in the request, for problems found after validation. */
      valuesPath: string;
    }
  | { kind: 'and' | 'or'; children: Filter[] }
  | { kind: 'not'; child: Filter };

/** Label of a visit without referrer source or referrer, as Plausible reports it. */
export const DIRECT_TRAFFIC_LABEL = 'Direct / None';
/** Label of a missing UTM value, country or region. */
export const NOT_SET_LABEL = '(not set)';
/** Label of an event without the custom property that a dimension names. */
export const NO_PROPERTY_LABEL = '(none)';

export function isTimeDimension(dimension: string): dimension is TimeDimension {
  return (TIME_DIMENSIONS as readonly string[]).includes(dimension);
}

export function isMetric(name: string): name is Metric {
  return (METRICS as readonly string[]).includes(name);
}

/**
 * Checks a dimension name other than a time dimension; returns a message saying what is
 * wrong, or null when the name is valid.
 */
export function checkNonTimeDimension(name: string): string | null {
  if (name.startsWith(PROPS_DIMENSION_PREFIX)) {
    const key = name.slice(PROPS_DIMENSION_PREFIX.length);
    if (key.length === 0) {
      return `custom property dimension '${name}' has no key; write event:props:<key>`;
    }
    if (key.length > MAX_PROPERTY_KEY_LENGTH) {
      return `custom property key is longer than ${MAX_PROPERTY_KEY_LENGTH} characters`;
    }
    // Control characters cannot occur in keys sent by the tracker or the Events API.
    if (/[\u0000-\u001f\u007f]/.test(key)) {
      return 'custom property key contains a control character';
    }
    return null;
  }
  if ((EVENT_DIMENSIONS as readonly string[]).includes(name) || (VISIT_DIMENSIONS as readonly string[]).includes(name)) {
    return null;
  }
  return `unknown dimension '${name}'; allowed: ${[...EVENT_DIMENSIONS, 'event:props:<key>', ...VISIT_DIMENSIONS].join(', ')}`;
}
