/**
 * Changes to consent settings as the `datakant consent set` command expresses them, and the
 * text `datakant consent show` prints. Pure functions, so the command line stays thin.
 */
import {
  CONSENT_MODES,
  CONSENT_PURPOSES,
  CONSENT_SYSTEMS,
  DROPPABLE_FIELDS,
  NO_SIGNAL_POLICIES,
  isConsentPurpose,
  type ConsentMode,
  type ConsentPurpose,
  type ConsentSystem,
  type DroppableField,
  type NoSignalPolicy,
} from './purposes.js';
import { DEFAULT_CONSENT_SETTINGS, checkConsentRules, type ConsentSettings, type SystemConsentRule } from './settings.js';

export class ConsentOptionError extends Error {
  override name = 'ConsentOptionError';
}

export interface ConsentChanges {
  /** Start from the defaults instead of the current settings. */
  defaults?: boolean;
  mode?: string;
  noSignal?: string;
  /** The system that `requires`, `dropFields` and `keepFields` change. */
  system?: string;
  /** Comma-separated purposes, or `none`. */
  requires?: string;
  /** `<field>=<purposes>` entries: drop the field unless all these purposes are granted. */
  dropFields?: readonly string[];
  /** Fields the system receives whatever the consent. */
  keepFields?: readonly string[];
}

function oneOf<T extends string>(values: readonly T[], value: string, option: string): T {
  if ((values as readonly string[]).includes(value)) return value as T;
  throw new ConsentOptionError(`${option} must be one of ${values.join(', ')}; got "${value}".`);
}

/** Parse `analytics,ad_storage` (or `none`) into purposes, rejecting unknown names and repeats. */
export function parsePurposeList(text: string, option: string): ConsentPurpose[] {
  const trimmed = text.trim();
  if (trimmed === 'none') return [];
  const purposes: ConsentPurpose[] = [];
  for (const part of trimmed.split(',').map((item) => item.trim())) {
    if (!isConsentPurpose(part)) {
      throw new ConsentOptionError(`${option}: "${part}" is not a purpose; use ${CONSENT_PURPOSES.join(', ')} (comma-separated) or none.`);
    }
    if (!purposes.includes(part)) purposes.push(part);
  }
  return purposes;
}

function parseDropField(entry: string): [DroppableField, ConsentPurpose[]] {
  const equals = entry.indexOf('=');
  if (equals === -1) {
    throw new ConsentOptionError(`--drop-field expects <field>=<purposes>, for example click_id=ad_storage,ad_user_data; got "${entry}".`);
  }
  const field = oneOf(DROPPABLE_FIELDS, entry.slice(0, equals).trim(), '--drop-field');
  const purposeText = entry.slice(equals + 1).trim();
  const purposes = purposeText === '' ? [] : parsePurposeList(purposeText, '--drop-field');
  if (purposes.length === 0) throw new ConsentOptionError(`--drop-field ${field}= needs at least one purpose; use --keep-field ${field} to never drop it.`);
  return [field, purposes];
}

/**
 * Apply the changes of one `datakant consent set` command; throws `ConsentOptionError` on bad
 * options and on settings that break a rule of `checkConsentRules`.
 */
export function applyConsentChanges(current: ConsentSettings, changes: ConsentChanges): ConsentSettings {
  const touchesSystem = changes.requires !== undefined || (changes.dropFields?.length ?? 0) > 0 || (changes.keepFields?.length ?? 0) > 0;
  if (touchesSystem && changes.system === undefined) {
    throw new ConsentOptionError(`--requires, --drop-field and --keep-field need --system (${CONSENT_SYSTEMS.join(', ')}).`);
  }
  if (!touchesSystem && changes.system !== undefined) {
    throw new ConsentOptionError('--system needs --requires, --drop-field or --keep-field to say what changes.');
  }
  if (!touchesSystem && !changes.defaults && changes.mode === undefined && changes.noSignal === undefined) {
    throw new ConsentOptionError('Nothing to change: give --mode, --no-signal, --system with --requires/--drop-field/--keep-field, or --defaults.');
  }

  const base = changes.defaults ? DEFAULT_CONSENT_SETTINGS : current;
  const mode: ConsentMode = changes.mode === undefined ? base.mode : oneOf(CONSENT_MODES, changes.mode, '--mode');
  const noSignal: NoSignalPolicy = changes.noSignal === undefined ? base.noSignal : oneOf(NO_SIGNAL_POLICIES, changes.noSignal, '--no-signal');
  const systems: Record<ConsentSystem, SystemConsentRule> = { ...base.systems };

  if (changes.system !== undefined) {
    const system = oneOf(CONSENT_SYSTEMS, changes.system, '--system');
    const rule = systems[system];
    const dropFields: Partial<Record<DroppableField, readonly ConsentPurpose[]>> = { ...rule.dropFields };
    for (const entry of changes.dropFields ?? []) {
      const [field, purposes] = parseDropField(entry);
      dropFields[field] = purposes;
    }
    for (const fieldText of changes.keepFields ?? []) {
      delete dropFields[oneOf(DROPPABLE_FIELDS, fieldText.trim(), '--keep-field')];
    }
    systems[system] = {
      requires: changes.requires === undefined ? rule.requires : parsePurposeList(changes.requires, '--requires'),
      dropFields,
    };
  }
  const settings = { mode, noSignal, systems };
  const broken = checkConsentRules(settings)[0];
  if (broken !== undefined) throw new ConsentOptionError(`--requires: ${broken.message}`);
  return settings;
}

/** Human-readable lines describing the settings, as `datakant consent show` prints them. */
export function describeConsentSettings(settings: ConsentSettings): string[] {
  const lines = [
    `mode: ${settings.mode}${settings.mode === 'cookieless' ? ' (nothing is stored on the device)' : ' (first-party cookies with analytics consent)'}`,
    `no signal: ${settings.noSignal}${settings.noSignal === 'store' ? ' (events without a consent signal are stored the cookieless way)' : ' (events without a consent signal are not stored)'}`,
  ];
  for (const system of CONSENT_SYSTEMS) {
    const rule = settings.systems[system];
    const requires = rule.requires.length === 0 ? 'nothing' : rule.requires.join(', ');
    const drops = DROPPABLE_FIELDS.filter((field) => rule.dropFields[field] !== undefined).map(
      (field) => `${field} without ${rule.dropFields[field]!.join(' + ')}`,
    );
    lines.push(`${system}: requires ${requires}; drops ${drops.length === 0 ? 'no fields' : drops.join('; ')}`);
  }
  return lines;
}
