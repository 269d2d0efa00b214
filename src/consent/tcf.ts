/**
 * Reads IAB TCF v2.2 TC strings. The string is decoded with the IAB Tech Lab's own library
 * (`@iabtechlabtcf/core`), and its purpose consents are mapped to datakant's purposes by
 * `TCF_PURPOSE_MAPPING`. Only the mapped state leaves this module; the string itself is not kept.
 */
import { TCString } from '@iabtechlabtcf/core';
import { CONSENT_PURPOSES, DENIED, GRANTED, type ConsentPurpose, type ConsentState } from './purposes.js';

/** Longest TC string accepted, in characters; strings with long vendor lists stay well below. */
export const MAX_TC_STRING_LENGTH = 8192;

/**
 * TCF purposes (v2.2 numbering) that must all have consent for a datakant purpose to count as
 * granted. Any of them without consent makes the purpose denied.
 *
 * The three advertising purposes follow Google's published TCF-to-Consent-Mode mapping
 * ("Implement the Transparency & Consent Framework", Google Tag Platform documentation):
 * Purpose 1 denied denies `ad_storage` and `ad_user_data`, Purpose 7 denied denies
 * `ad_user_data`, Purpose 3 or 4 denied denies `ad_personalization`.
 *
 * Google publishes no mapping for `analytics_storage`. datakant's own choice, from the TCF
 * v2.2 purpose definitions: measuring pages needs Purpose 8 ("Measure content performance"),
 * and because the consent-cookies mode stores ids on the device, Purpose 1 ("Store and/or
 * access information on a device") as well.
 */
export const TCF_PURPOSE_MAPPING: { readonly [P in ConsentPurpose]: readonly number[] } = {
  analytics: [1, 8],
  ad_storage: [1],
  ad_user_data: [1, 7],
  ad_personalization: [3, 4],
};

/** TCF Purpose 1, "Store and/or access information on a device". */
const STORAGE_PURPOSE = 1;

export class InvalidTcStringError extends Error {
  override name = 'InvalidTcStringError';
}

/** The purpose consents of a decoded TC string, as far as the mapping needs them. */
export interface TcfPurposeConsents {
  /** TCF purpose ids with consent. */
  consented: ReadonlySet<number>;
  /**
   * True when the CMP did not disclose Purpose 1 (the string's PurposeOneTreatment bit), as
   * publishers in some countries may. Its consent bit then means nothing, so the mapping
   * does not require it.
   */
  purposeOneTreatment: boolean;
}

/** Map TCF purpose consents to a consent state; every purpose ends up granted or denied. */
export function mapTcfPurposes(consents: TcfPurposeConsents): ConsentState {
  const state: Partial<Record<ConsentPurpose, 'granted' | 'denied'>> = {};
  for (const purpose of CONSENT_PURPOSES) {
    const required = TCF_PURPOSE_MAPPING[purpose].filter((id) => !(id === STORAGE_PURPOSE && consents.purposeOneTreatment));
    state[purpose] = required.every((id) => consents.consented.has(id)) ? GRANTED : DENIED;
  }
  return state as ConsentState;
}

/**
 * Decode a TC string and map its purpose consents. Throws `InvalidTcStringError` when the
 * string cannot be decoded or is not a TCF v2 string; the message never repeats the string.
 */
export function readTcString(value: string): ConsentState {
  if (value.length === 0 || value.length > MAX_TC_STRING_LENGTH) {
    throw new InvalidTcStringError(`Expected a TC string of 1 to ${MAX_TC_STRING_LENGTH} characters.`);
  }
  let model: ReturnType<typeof TCString.decode>;
  try {
    model = TCString.decode(value);
  } catch {
    // The library throws its own DecodingError and TCModelError, but also a TypeError on
    // some malformed input, so every failure here means the same thing.
    throw new InvalidTcStringError('The TC string could not be decoded; send the string the CMP returned unchanged.');
  }
  if (Number(model.version) !== 2) {
    throw new InvalidTcStringError(`Expected a TCF v2 TC string, got version ${String(model.version)}.`);
  }
  const consented = new Set<number>();
  model.purposeConsents.forEach((hasConsent, id) => {
    if (hasConsent) consented.add(id);
  });
  return mapTcfPurposes({ consented, purposeOneTreatment: model.purposeOneTreatment });
}
