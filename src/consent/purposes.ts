/**
 * Consent purposes and systems: the names shared by the edge, the configuration store, the
 * APIs and the docs. A purpose is what a visitor grants or denies; a system is a place an
 * event can go (datakant's own storage, GA4, Meta).
 */

/** Consent purposes in the order the tracker's `c` field lists them. */
export const CONSENT_PURPOSES = ['analytics', 'ad_storage', 'ad_user_data', 'ad_personalization'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** The advertising purposes: Global Privacy Control denies these three, never `analytics`. */
export const AD_PURPOSES = ['ad_storage', 'ad_user_data', 'ad_personalization'] as const satisfies readonly ConsentPurpose[];

export const GRANTED = 'granted';
export const DENIED = 'denied';
export type ConsentValue = typeof GRANTED | typeof DENIED;

/** One event's consent: each purpose granted, denied, or undefined when no signal covered it. */
export type ConsentState = { readonly [P in ConsentPurpose]: ConsentValue | undefined };

/** A state with no signal for any purpose. */
export const NO_SIGNAL: ConsentState = Object.freeze({
  analytics: undefined,
  ad_storage: undefined,
  ad_user_data: undefined,
  ad_personalization: undefined,
});

/** Google Consent Mode v2 consent type of each purpose. */
export const CONSENT_MODE_TYPES = {
  analytics: 'analytics_storage',
  ad_storage: 'ad_storage',
  ad_user_data: 'ad_user_data',
  ad_personalization: 'ad_personalization',
} as const satisfies Record<ConsentPurpose, string>;

/** Systems an event can reach: datakant's own event store and the two destinations. */
export const CONSENT_SYSTEMS = ['datakant', 'ga4', 'meta'] as const;
export type ConsentSystem = (typeof CONSENT_SYSTEMS)[number];

/**
 * Event fields a consent mapping can drop:
 * - `click_id`: the click-id parameter (`gclid`, `fbclid`, ...); datakant stores only its name,
 *   destinations would send its value.
 * - `fbp`, `fbc`: Meta's browser id and click id (the `_fbp` and `_fbc` cookies).
 */
export const DROPPABLE_FIELDS = ['click_id', 'fbp', 'fbc'] as const;
export type DroppableField = (typeof DROPPABLE_FIELDS)[number];

/** Reasons an event did not reach a system. */
export const DROP_REASONS = ['consent_denied', 'no_signal'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** Modes of visitor identification: a daily hash only, or first-party cookies with consent. */
export const CONSENT_MODES = ['cookieless', 'consent-cookies'] as const;
export type ConsentMode = (typeof CONSENT_MODES)[number];

/** What datakant does with an event that carries no signal for a purpose it requires. */
export const NO_SIGNAL_POLICIES = ['store', 'drop'] as const;
export type NoSignalPolicy = (typeof NO_SIGNAL_POLICIES)[number];

export function isConsentPurpose(value: string): value is ConsentPurpose {
  return (CONSENT_PURPOSES as readonly string[]).includes(value);
}
