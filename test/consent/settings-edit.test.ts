import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { applyConsentChanges, ConsentOptionError, describeConsentSettings } from '../../src/consent/settings-edit.js';
import { ConsentSettingsJson, DEFAULT_CONSENT_SETTINGS, consentSettingsFromJson, consentSettingsToJson } from '../../src/consent/settings.js';

describe('consent set options', () => {
  it('changes the mode and the no-signal policy', () => {
    const changed = applyConsentChanges(DEFAULT_CONSENT_SETTINGS, { mode: 'consent-cookies', noSignal: 'drop' });
    assert.equal(changed.mode, 'consent-cookies');
    assert.equal(changed.noSignal, 'drop');
    assert.deepEqual(changed.systems, DEFAULT_CONSENT_SETTINGS.systems);
  });

  it('changes one system only', () => {
    const changed = applyConsentChanges(DEFAULT_CONSENT_SETTINGS, {
      system: 'ga4',
      requires: 'analytics,ad_user_data',
      dropFields: ['fbp=ad_storage'],
      keepFields: ['click_id'],
    });
    assert.deepEqual(changed.systems.ga4, { requires: ['analytics', 'ad_user_data'], dropFields: { fbp: ['ad_storage'] } });
    assert.deepEqual(changed.systems.meta, DEFAULT_CONSENT_SETTINGS.systems.meta);
  });

  it('adds purposes to the storage requirement', () => {
    const changed = applyConsentChanges(DEFAULT_CONSENT_SETTINGS, { system: 'datakant', requires: 'analytics,ad_storage' });
    assert.deepEqual(changed.systems.datakant.requires, ['analytics', 'ad_storage']);
  });

  it('starts from the defaults on request', () => {
    const custom = applyConsentChanges(DEFAULT_CONSENT_SETTINGS, { mode: 'consent-cookies', system: 'datakant', requires: 'analytics,ad_storage' });
    assert.deepEqual(applyConsentChanges(custom, { defaults: true }), DEFAULT_CONSENT_SETTINGS);
  });

  const INVALID: { name: string; changes: Parameters<typeof applyConsentChanges>[1]; mentions: string }[] = [
    { name: 'nothing to change', changes: {}, mentions: 'Nothing to change' },
    { name: 'an unknown mode', changes: { mode: 'cookies' }, mentions: '--mode' },
    { name: 'an unknown no-signal policy', changes: { noSignal: 'keep' }, mentions: '--no-signal' },
    { name: 'requires without a system', changes: { requires: 'analytics' }, mentions: '--system' },
    { name: 'a system without a change', changes: { system: 'ga4' }, mentions: '--requires' },
    { name: 'an unknown system', changes: { system: 'tiktok', requires: 'none' }, mentions: 'tiktok' },
    { name: 'an unknown purpose', changes: { system: 'ga4', requires: 'analytics_storage' }, mentions: 'analytics_storage' },
    { name: 'a drop field without purposes', changes: { system: 'ga4', dropFields: ['click_id='] }, mentions: '--keep-field' },
    { name: 'a drop field without =', changes: { system: 'ga4', dropFields: ['click_id'] }, mentions: '<field>=<purposes>' },
    { name: 'an unknown field', changes: { system: 'ga4', keepFields: ['email'] }, mentions: 'email' },
    { name: 'storage requiring nothing', changes: { system: 'datakant', requires: 'none' }, mentions: 'datakant must require analytics' },
    { name: 'storage without analytics', changes: { system: 'datakant', requires: 'ad_storage' }, mentions: 'datakant must require analytics' },
    { name: 'a destination requiring nothing', changes: { system: 'meta', requires: 'none' }, mentions: 'meta must require at least one purpose' },
  ];
  for (const invalid of INVALID) {
    it(`rejects ${invalid.name}`, () => {
      assert.throws(() => applyConsentChanges(DEFAULT_CONSENT_SETTINGS, invalid.changes), (error: unknown) => {
        assert.ok(error instanceof ConsentOptionError);
        assert.ok(error.message.includes(invalid.mentions), error.message);
        return true;
      });
    });
  }
});

describe('consent settings JSON', () => {
  it('round-trips the defaults through the API form', () => {
    const json = consentSettingsToJson(DEFAULT_CONSENT_SETTINGS);
    assert.ok(TypeCompiler.Compile(ConsentSettingsJson).Check(json));
    assert.deepEqual(consentSettingsFromJson(json), DEFAULT_CONSENT_SETTINGS);
  });

  it('describes every system', () => {
    const lines = describeConsentSettings(DEFAULT_CONSENT_SETTINGS);
    assert.ok(lines.some((line) => line.startsWith('meta: requires ad_storage, ad_user_data')));
    assert.ok(lines.some((line) => line === 'datakant: requires analytics; drops no fields'));
  });
});
