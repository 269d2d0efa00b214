/**
 * A property's "Mode & consent" settings: the mode, what datakant does without a signal, and
 * the consent mapping of each system. The JSON form (snake_case) is what the HTTP API takes and
 * returns and what the configuration store keeps.
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  CONSENT_MODES,
  CONSENT_PURPOSES,
  CONSENT_SYSTEMS,
  DROPPABLE_FIELDS,
  NO_SIGNAL_POLICIES,
  type ConsentMode,
  type ConsentPurpose,
  type ConsentSystem,
  type DroppableField,
  type NoSignalPolicy,
} from './purposes.js';

/** One system's consent mapping. */
export interface SystemConsentRule {
  /** Purposes that must all be granted for an event to reach the system. */
  readonly requires: readonly ConsentPurpose[];
  /** Fields removed from the event unless every purpose listed for them is granted. */
  readonly dropFields: Readonly<Partial<Record<DroppableField, readonly ConsentPurpose[]>>>;
}

export interface ConsentSettings {
  /** `cookieless` (default): nothing on the device. `consent-cookies`: first-party cookies with analytics consent. */
  readonly mode: ConsentMode;
  /**
   * Policy for events without a signal for a purpose datakant requires: `store` (default)
   * stores them the cookieless way, `drop` drops them. Destinations always drop such events.
   */
  readonly noSignal: NoSignalPolicy;
  readonly systems: Readonly<Record<ConsentSystem, SystemConsentRule>>;
}

const AD_CONSENT: readonly ConsentPurpose[] = ['ad_storage', 'ad_user_data'];

/** Settings of a property whose consent settings were never changed. */
export const DEFAULT_CONSENT_SETTINGS: ConsentSettings = Object.freeze({
  mode: 'cookieless',
  noSignal: 'store',
  systems: Object.freeze({
    datakant: { requires: ['analytics'], dropFields: {} },
    ga4: { requires: ['analytics'], dropFields: { click_id: AD_CONSENT } },
    meta: { requires: AD_CONSENT, dropFields: { click_id: AD_CONSENT, fbp: AD_CONSENT, fbc: AD_CONSENT } },
  }),
} satisfies ConsentSettings);

/**
 * Purposes that a system requires whatever its mapping lists. An explicit denial of
 * `analytics` keeps every event from datakant's storage, so the mapping can add purposes for
 * storage but cannot remove this one.
 */
export const ALWAYS_REQUIRED_PURPOSES: Readonly<Record<ConsentSystem, readonly ConsentPurpose[]>> = Object.freeze({
  datakant: ['analytics'],
  ga4: [],
  meta: [],
});

/** A consent mapping that breaks a rule: the JSON pointer of the offending value and the rule. */
export interface ConsentRuleProblem {
  path: string;
  message: string;
}

/**
 * Checks the rules that keep a consent mapping from becoming a consent bypass: every system
 * requires at least one purpose, and each includes its `ALWAYS_REQUIRED_PURPOSES`. Returns
 * one problem per broken rule, with paths into the JSON form.
 */
export function checkConsentRules(settings: ConsentSettings): ConsentRuleProblem[] {
  const problems: ConsentRuleProblem[] = [];
  for (const system of CONSENT_SYSTEMS) {
    const requires = settings.systems[system].requires;
    const path = `/systems/${system}/requires`;
    const missing = ALWAYS_REQUIRED_PURPOSES[system].filter((purpose) => !requires.includes(purpose));
    if (missing.length > 0) {
      problems.push({
        path,
        message: `${system} must require ${missing.join(', ')}: a denial of ${missing.join(', ')} always keeps events from ${system}. Other purposes may be added.`,
      });
    } else if (requires.length === 0) {
      problems.push({
        path,
        message: `${system} must require at least one purpose: with none, every event would reach ${system} whatever the visitor's consent.`,
      });
    }
  }
  return problems;
}

function literals<T extends string>(values: readonly T[]) {
  return Type.Union(values.map((value) => Type.Literal(value)));
}

const PurposeList = Type.Array(literals(CONSENT_PURPOSES), { uniqueItems: true, maxItems: CONSENT_PURPOSES.length });
const DropFieldsJson = Type.Object(
  Object.fromEntries(DROPPABLE_FIELDS.map((field) => [field, Type.Optional(Type.Array(literals(CONSENT_PURPOSES), { uniqueItems: true, minItems: 1, maxItems: CONSENT_PURPOSES.length }))])),
  { additionalProperties: false },
);
const SystemRuleJson = Type.Object({ requires: PurposeList, drop_fields: DropFieldsJson }, { additionalProperties: false });

/** JSON form of the settings, as the HTTP API and the configuration store use it. */
export const ConsentSettingsJson = Type.Object(
  {
    mode: literals(CONSENT_MODES),
    no_signal: literals(NO_SIGNAL_POLICIES),
    systems: Type.Object(
      Object.fromEntries(CONSENT_SYSTEMS.map((system) => [system, SystemRuleJson])) as Record<ConsentSystem, typeof SystemRuleJson>,
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type ConsentSettingsJson = Static<typeof ConsentSettingsJson>;

export function consentSettingsToJson(settings: ConsentSettings): ConsentSettingsJson {
  const systems = {} as Record<ConsentSystem, Static<typeof SystemRuleJson>>;
  for (const system of CONSENT_SYSTEMS) {
    const rule = settings.systems[system];
    const dropFields: Record<string, ConsentPurpose[]> = {};
    for (const field of DROPPABLE_FIELDS) {
      const purposes = rule.dropFields[field];
      if (purposes) dropFields[field] = [...purposes];
    }
    systems[system] = { requires: [...rule.requires], drop_fields: dropFields };
  }
  return { mode: settings.mode, no_signal: settings.noSignal, systems };
}

/** Convert JSON that already passed `ConsentSettingsJson` validation. */
export function consentSettingsFromJson(json: ConsentSettingsJson): ConsentSettings {
  const systems = {} as Record<ConsentSystem, SystemConsentRule>;
  for (const system of CONSENT_SYSTEMS) {
    const rule = json.systems[system];
    const dropFields: Partial<Record<DroppableField, readonly ConsentPurpose[]>> = {};
    for (const field of DROPPABLE_FIELDS) {
      const purposes = (rule.drop_fields as Partial<Record<DroppableField, ConsentPurpose[]>>)[field];
      if (purposes && purposes.length > 0) dropFields[field] = purposes;
    }
    systems[system] = { requires: rule.requires, dropFields };
  }
  return { mode: json.mode, noSignal: json.no_signal, systems };
}
