import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidTcStringError, readTcString } from '../../src/consent/tcf.js';
import { formatConsentString } from '../../src/consent/signals.js';
import { allPurposesExcept, buildTcString, type TcStringOptions } from './tc-strings.js';

/**
 * Expected states in the tracker's `c` notation, purposes in the order analytics, ad_storage,
 * ad_user_data, ad_personalization. Written out by hand from the documented mapping table, so a
 * change to the mapping fails here.
 */
const CASES: { name: string; tc: TcStringOptions; expected: string }[] = [
  { name: 'every purpose consented', tc: { consents: allPurposesExcept() }, expected: 'gggg' },
  { name: 'no purpose consented', tc: { consents: [] }, expected: 'dddd' },
  { name: 'all but Purpose 1', tc: { consents: allPurposesExcept(1) }, expected: 'dddg' },
  { name: 'all but Purpose 2', tc: { consents: allPurposesExcept(2) }, expected: 'gggg' },
  { name: 'all but Purpose 3', tc: { consents: allPurposesExcept(3) }, expected: 'gggd' },
  { name: 'all but Purpose 4', tc: { consents: allPurposesExcept(4) }, expected: 'gggd' },
  { name: 'all but Purpose 5', tc: { consents: allPurposesExcept(5) }, expected: 'gggg' },
  { name: 'all but Purpose 6', tc: { consents: allPurposesExcept(6) }, expected: 'gggg' },
  { name: 'all but Purpose 7', tc: { consents: allPurposesExcept(7) }, expected: 'ggdg' },
  { name: 'all but Purpose 8', tc: { consents: allPurposesExcept(8) }, expected: 'dggg' },
  { name: 'all but Purpose 9', tc: { consents: allPurposesExcept(9) }, expected: 'gggg' },
  { name: 'all but Purpose 10', tc: { consents: allPurposesExcept(10) }, expected: 'gggg' },
  { name: 'all but Purpose 11', tc: { consents: allPurposesExcept(11) }, expected: 'gggg' },
  { name: 'Purposes 1 and 8 only', tc: { consents: [1, 8] }, expected: 'ggdd' },
  { name: 'Purpose 1 only', tc: { consents: [1] }, expected: 'dgdd' },
  { name: 'Purpose 8 only', tc: { consents: [8] }, expected: 'dddd' },
  { name: 'Purposes 3 and 4 only', tc: { consents: [3, 4] }, expected: 'dddg' },
  {
    name: 'legitimate interest for 7 and 8 without consent',
    tc: { consents: [1, 3, 4], legitimateInterests: [7, 8] },
    expected: 'dgdg',
  },
  {
    name: 'Purpose 1 undisclosed (PurposeOneTreatment)',
    tc: { consents: [3, 4, 7, 8], purposeOneTreatment: true },
    expected: 'gggg',
  },
  {
    name: 'Purpose 1 undisclosed without Purpose 8',
    tc: { consents: [3, 4, 7], purposeOneTreatment: true },
    expected: 'dggg',
  },
];

describe('TC string mapping', () => {
  for (const testCase of CASES) {
    it(`maps ${testCase.name}`, () => {
      const state = readTcString(buildTcString(testCase.tc));
      assert.equal(formatConsentString(state), testCase.expected);
    });
  }
});

describe('invalid TC strings', () => {
  const valid = buildTcString({ consents: [1] });
  const INVALID = [
    { name: 'empty', value: '' },
    { name: 'not base64url', value: 'CQ!!notbase64' },
    { name: 'too short', value: 'abc' },
    { name: 'random letters', value: 'x'.repeat(30) },
    { name: 'a zero CMP id', value: 'COv_ZG1Ov_ZG1AAA' },
    { name: 'a TCF v1 consent string', value: 'BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA' },
    { name: 'a valid string cut short', value: valid.slice(0, 12) },
    { name: 'longer than the limit', value: valid + 'A'.repeat(9000) },
  ];
  for (const invalid of INVALID) {
    it(`rejects ${invalid.name}`, () => {
      assert.throws(() => readTcString(invalid.value), (error: unknown) => {
        assert.ok(error instanceof InvalidTcStringError, String(error));
        if (invalid.value.length > 3) assert.ok(!error.message.includes(invalid.value), 'the message does not repeat the string');
        return true;
      });
    });
  }
});
