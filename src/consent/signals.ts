/**
 * Consent signals of one event and the rules that merge them into one consent state.
 *
 * Signals: the tracker's `c` field (Consent Mode as found in the page's `dataLayer`, or the
 * explicit `datakant('consent', ...)` call), the Events API's `consent` object, a TC string
 * (see `tcf.ts`), and Global Privacy Control (the tracker's `g` field or the `Sec-GPC: 1`
 * request header).
 *
 * Merge rules, per purpose:
 * 1. A denial from any signal wins over a grant from another.
 * 2. A grant counts when no signal denies.
 * 3. No signal leaves the purpose undefined.
 * 4. Global Privacy Control then denies `ad_storage`, `ad_user_data` and
 *    `ad_personalization`, overriding any grant. It never changes `analytics`.
 */
import {
  AD_PURPOSES,
  CONSENT_MODE_TYPES,
  CONSENT_PURPOSES,
  DENIED,
  GRANTED,
  NO_SIGNAL,
  type ConsentPurpose,
  type ConsentState,
  type ConsentValue,
} from './purposes.js';

/** The signals one event carried, before merging. */
export interface ConsentSignals {
  /** From the tracker's `c` field or the Events API's `consent` object; null when absent. */
  consentMode: ConsentState | null;
  /** Mapped from a TC string; null when the event carried none. */
  tcf: ConsentState | null;
  /** Global Privacy Control was on, in the payload or in the `Sec-GPC` header. */
  globalPrivacyControl: boolean;
}

export const EMPTY_SIGNALS: ConsentSignals = Object.freeze({ consentMode: null, tcf: null, globalPrivacyControl: false });

/** Characters of the tracker's `c` field: granted, denied, no signal. */
const CONSENT_STRING_VALUES: Record<string, ConsentValue | undefined> = { g: GRANTED, d: DENIED, '-': undefined };

/** Pattern of the tracker's `c` field: one character per purpose, in `CONSENT_PURPOSES` order. */
export const CONSENT_STRING_PATTERN = '^[gd-]{4}$';

/** Read the tracker's `c` field, already checked against `CONSENT_STRING_PATTERN`. */
export function readConsentString(value: string): ConsentState {
  const state: Partial<Record<ConsentPurpose, ConsentValue | undefined>> = {};
  CONSENT_PURPOSES.forEach((purpose, index) => {
    state[purpose] = CONSENT_STRING_VALUES[value.charAt(index)];
  });
  return state as ConsentState;
}

/** Render a state in the `c` field's form, for example `gd--`. */
export function formatConsentString(state: ConsentState): string {
  const characters = CONSENT_PURPOSES.map((purpose) => {
    if (state[purpose] === GRANTED) return 'g';
    if (state[purpose] === DENIED) return 'd';
    return '-';
  });
  return characters.join('');
}

/** Read a Google Consent Mode object (`{"analytics_storage": "granted", ...}`); other keys are ignored. */
export function readConsentModeObject(value: Readonly<Record<string, string | undefined>>): ConsentState {
  const state: Partial<Record<ConsentPurpose, ConsentValue | undefined>> = {};
  for (const purpose of CONSENT_PURPOSES) {
    const given = value[CONSENT_MODE_TYPES[purpose]];
    state[purpose] = given === GRANTED || given === DENIED ? given : undefined;
  }
  return state as ConsentState;
}

/** Merge an event's signals into one state by the rules in this module's header. */
export function mergeConsentSignals(signals: ConsentSignals): ConsentState {
  const sources = [signals.consentMode, signals.tcf].filter((state): state is ConsentState => state !== null);
  const merged: Partial<Record<ConsentPurpose, ConsentValue | undefined>> = { ...NO_SIGNAL };
  for (const purpose of CONSENT_PURPOSES) {
    const values = sources.map((state) => state[purpose]);
    if (values.includes(DENIED)) merged[purpose] = DENIED;
    else if (values.includes(GRANTED)) merged[purpose] = GRANTED;
  }
  if (signals.globalPrivacyControl) {
    for (const purpose of AD_PURPOSES) merged[purpose] = DENIED;
  }
  return merged as ConsentState;
}
