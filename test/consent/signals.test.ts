import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatConsentString,
  mergeConsentSignals,
  readConsentModeObject,
  readConsentString,
  type ConsentSignals,
} from '../../src/consent/signals.js';

describe('consent signal parsing', () => {
  it('reads the tracker c field by position', () => {
    assert.deepEqual(readConsentString('gd-g'), {
      analytics: 'granted',
      ad_storage: 'denied',
      ad_user_data: undefined,
      ad_personalization: 'granted',
    });
  });

  it('reads a Consent Mode object', () => {
    const state = readConsentModeObject({ analytics_storage: 'denied', ad_user_data: 'granted', functionality_storage: 'granted' });
    assert.equal(formatConsentString(state), 'd-g-');
  });
});

/** Merge cases, states in `c` notation; null means the signal was absent. */
const MERGES: { name: string; consentMode: string | null; tcf: string | null; gpc: boolean; expected: string }[] = [
  { name: 'no signal at all', consentMode: null, tcf: null, gpc: false, expected: '----' },
  { name: 'Consent Mode alone', consentMode: 'gd--', tcf: null, gpc: false, expected: 'gd--' },
  { name: 'TC string alone', consentMode: null, tcf: 'gddd', gpc: false, expected: 'gddd' },
  { name: 'a denial beats a grant from the other source', consentMode: 'gggg', tcf: 'dgdg', gpc: false, expected: 'dgdg' },
  { name: 'a grant fills a gap of the other source', consentMode: 'g---', tcf: 'dggg', gpc: false, expected: 'dggg' },
  { name: 'GPC denies granted ad purposes', consentMode: 'gggg', tcf: null, gpc: true, expected: 'gddd' },
  { name: 'GPC alone leaves analytics without a signal', consentMode: null, tcf: null, gpc: true, expected: '-ddd' },
  { name: 'GPC never changes a denied analytics', consentMode: 'd---', tcf: null, gpc: true, expected: 'dddd' },
];

describe('consent signal merging', () => {
  for (const merge of MERGES) {
    it(`merges ${merge.name}`, () => {
      const signals: ConsentSignals = {
        consentMode: merge.consentMode === null ? null : readConsentString(merge.consentMode),
        tcf: merge.tcf === null ? null : readConsentString(merge.tcf),
        globalPrivacyControl: merge.gpc,
      };
      assert.equal(formatConsentString(mergeConsentSignals(signals)), merge.expected);
    });
  }
});
