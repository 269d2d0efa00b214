/** Conversion between consent settings and their row in the `consent_settings` table. */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ConsentSettingsJson, consentSettingsFromJson, consentSettingsToJson, type ConsentSettings } from '../consent/settings.js';
import type { ConsentSettingsTable } from './schema.js';

const settingsCheck = TypeCompiler.Compile(ConsentSettingsJson);

export class InvalidConsentRowError extends Error {
  override name = 'InvalidConsentRowError';
}

export function consentSettingsToStorage(settings: ConsentSettings): Pick<ConsentSettingsTable, 'mode' | 'no_signal' | 'systems'> {
  const json = consentSettingsToJson(settings);
  return { mode: json.mode, no_signal: json.no_signal, systems: JSON.stringify(json.systems) };
}

/**
 * Read a stored row. Rows are written only through `consentSettingsToStorage`, so a row that
 * fails validation was edited by hand. The error names the property, which can be reset with
 * `datakant consent set <domain> --defaults`.
 */
export function consentSettingsFromStorage(row: Pick<ConsentSettingsTable, 'site_domain' | 'mode' | 'no_signal' | 'systems'>): ConsentSettings {
  let systems: unknown;
  try {
    systems = JSON.parse(row.systems);
  } catch {
    systems = undefined;
  }
  const json = { mode: row.mode, no_signal: row.no_signal, systems };
  if (!settingsCheck.Check(json)) {
    const first = settingsCheck.Errors(json).First();
    throw new InvalidConsentRowError(
      `The stored consent settings of ${row.site_domain} are invalid at ${first?.path ?? '/'}: ${first?.message ?? 'unreadable'}. ` +
        `Reset them with "datakant consent set ${row.site_domain} --defaults".`,
    );
  }
  return consentSettingsFromJson(json);
}
