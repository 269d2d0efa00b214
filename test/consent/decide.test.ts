import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideForSystem, prepareForDestination, withoutDroppedFields, type OutboundEvent, type SystemDecision } from '../../src/consent/decide.js';
import { CONSENT_SYSTEMS, type ConsentSystem } from '../../src/consent/purposes.js';
import { DEFAULT_CONSENT_SETTINGS, type ConsentSettings } from '../../src/consent/settings.js';
import { mergeConsentSignals, readConsentModeObject, readConsentString } from '../../src/consent/signals.js';
import { readTcString } from '../../src/consent/tcf.js';
import type { StoredEvent } from '../../src/domain.js';
import { allPurposesExcept, buildTcString } from './tc-strings.js';

/** A decision in short form: `send`, `send -click_id,fbp`, `drop consent_denied` or `drop no_signal`. */
function short(decision: SystemDecision): string {
  if (decision.action === 'drop') return `drop ${decision.reason}`;
  return decision.droppedFields.length === 0 ? 'send' : `send -${decision.droppedFields.join(',')}`;
}

function decideAll(settings: ConsentSettings, consent: ReturnType<typeof readConsentString>): Record<ConsentSystem, string> {
  const result = {} as Record<ConsentSystem, string>;
  for (const system of CONSENT_SYSTEMS) result[system] = short(decideForSystem(system, settings, consent));
  return result;
}

/**
 * Default settings against consent states in `c` notation (analytics, ad_storage, ad_user_data,
 * ad_personalization); each row changes at least one decision compared to its neighbours.
 */
const DEFAULT_DECISIONS: { consent: string; datakant: string; ga4: string; meta: string }[] = [
  { consent: '----', datakant: 'send', ga4: 'drop no_signal', meta: 'drop no_signal' },
  { consent: 'gggg', datakant: 'send', ga4: 'send', meta: 'send' },
  { consent: 'dggg', datakant: 'drop consent_denied', ga4: 'drop consent_denied', meta: 'send' },
  { consent: 'g---', datakant: 'send', ga4: 'send -click_id', meta: 'drop no_signal' },
  { consent: 'gdgg', datakant: 'send', ga4: 'send -click_id', meta: 'drop consent_denied' },
  { consent: 'ggdg', datakant: 'send', ga4: 'send -click_id', meta: 'drop consent_denied' },
  { consent: 'gggd', datakant: 'send', ga4: 'send', meta: 'send' },
  { consent: 'gg-g', datakant: 'send', ga4: 'send -click_id', meta: 'drop no_signal' },
  { consent: '-ggg', datakant: 'send', ga4: 'drop no_signal', meta: 'send' },
  { consent: 'd---', datakant: 'drop consent_denied', ga4: 'drop consent_denied', meta: 'drop no_signal' },
  { consent: 'dddd', datakant: 'drop consent_denied', ga4: 'drop consent_denied', meta: 'drop consent_denied' },
  { consent: 'd-d-', datakant: 'drop consent_denied', ga4: 'drop consent_denied', meta: 'drop consent_denied' },
];

describe('decisions with the default settings', () => {
  for (const row of DEFAULT_DECISIONS) {
    it(`decides for consent ${row.consent}`, () => {
      const decisions = decideAll(DEFAULT_CONSENT_SETTINGS, readConsentString(row.consent));
      assert.deepEqual(decisions, { datakant: row.datakant, ga4: row.ga4, meta: row.meta });
    });
  }

  it('drops no-signal events from datakant when the property says so', () => {
    const settings: ConsentSettings = { ...DEFAULT_CONSENT_SETTINGS, noSignal: 'drop' };
    assert.equal(short(decideForSystem('datakant', settings, readConsentString('----'))), 'drop no_signal');
    assert.equal(short(decideForSystem('datakant', settings, readConsentString('g---'))), 'send');
    assert.equal(short(decideForSystem('datakant', settings, readConsentString('d---'))), 'drop consent_denied');
  });

  it('reports a denial before a missing signal', () => {
    const decision = decideForSystem('meta', DEFAULT_CONSENT_SETTINGS, readConsentString('g-d-'));
    assert.equal(decision.action, 'drop');
    assert.equal(decision.action === 'drop' && decision.reason, 'consent_denied');
    assert.equal(decision.action === 'drop' && decision.purpose, 'ad_user_data');
  });

  it('sends everything to a system that requires nothing', () => {
    const settings: ConsentSettings = {
      ...DEFAULT_CONSENT_SETTINGS,
      systems: { ...DEFAULT_CONSENT_SETTINGS.systems, ga4: { requires: [], dropFields: {} } },
    };
    assert.equal(short(decideForSystem('ga4', settings, readConsentString('dddd'))), 'send');
  });

  it('keeps analytics denials from storage whatever the mapping', () => {
    for (const requires of [[], ['ad_storage']] as const) {
      const settings: ConsentSettings = {
        ...DEFAULT_CONSENT_SETTINGS,
        systems: { ...DEFAULT_CONSENT_SETTINGS.systems, datakant: { requires, dropFields: {} } },
      };
      assert.equal(short(decideForSystem('datakant', settings, readConsentString('dggg'))), 'drop consent_denied', `requires ${requires.join()}`);
      assert.equal(short(decideForSystem('datakant', settings, readConsentString('gggg'))), 'send', `requires ${requires.join()}`);
    }
  });
});

/** TC strings through the whole chain: decode, map, merge, decide with the default settings. */
const TCF_DECISIONS: { name: string; consents: number[]; datakant: string; ga4: string; meta: string }[] = [
  { name: 'all purposes', consents: allPurposesExcept(), datakant: 'send', ga4: 'send', meta: 'send' },
  { name: 'no purposes', consents: [], datakant: 'drop consent_denied', ga4: 'drop consent_denied', meta: 'drop consent_denied' },
  { name: 'all but 1', consents: allPurposesExcept(1), datakant: 'drop consent_denied', ga4: 'drop consent_denied', meta: 'drop consent_denied' },
  { name: 'all but 3', consents: allPurposesExcept(3), datakant: 'send', ga4: 'send', meta: 'send' },
  { name: 'all but 7', consents: allPurposesExcept(7), datakant: 'send', ga4: 'send -click_id', meta: 'drop consent_denied' },
  { name: 'all but 8', consents: allPurposesExcept(8), datakant: 'drop consent_denied', ga4: 'drop consent_denied', meta: 'send' },
  { name: '1 and 8', consents: [1, 8], datakant: 'send', ga4: 'send -click_id', meta: 'drop consent_denied' },
  { name: '1 and 7', consents: [1, 7], datakant: 'drop consent_denied', ga4: 'drop consent_denied', meta: 'send' },
];

describe('decisions from TC strings', () => {
  for (const row of TCF_DECISIONS) {
    it(`decides for purposes ${row.name}`, () => {
      const consent = mergeConsentSignals({ consentMode: null, tcf: readTcString(buildTcString({ consents: row.consents })), globalPrivacyControl: false });
      assert.deepEqual(decideAll(DEFAULT_CONSENT_SETTINGS, consent), { datakant: row.datakant, ga4: row.ga4, meta: row.meta });
    });
  }

  it('lets GPC keep an all-purpose TC string from Meta', () => {
    const consent = mergeConsentSignals({ consentMode: null, tcf: readTcString(buildTcString({ consents: allPurposesExcept() })), globalPrivacyControl: true });
    assert.deepEqual(decideAll(DEFAULT_CONSENT_SETTINGS, consent), { datakant: 'send', ga4: 'send -click_id', meta: 'drop consent_denied' });
  });

  it('lets a Consent Mode denial win over a TC string grant', () => {
    const consent = mergeConsentSignals({
      consentMode: readConsentModeObject({ analytics_storage: 'denied' }),
      tcf: readTcString(buildTcString({ consents: allPurposesExcept() })),
      globalPrivacyControl: false,
    });
    assert.equal(short(decideForSystem('datakant', DEFAULT_CONSENT_SETTINGS, consent)), 'drop consent_denied');
  });
});

const EVENT: StoredEvent = {
  siteId: 'shop.example',
  timestamp: Date.UTC(2025, 0, 1),
  name: 'pageview',
  hostname: 'shop.example',
  pathname: '/landing',
  visitorId: 1n,
  sessionId: 2n,
  route: 'first-party',
  device: 'desktop',
  country: 'DE',
  region: null,
  session: {
    entryPage: '/landing',
    referrer: null,
    referrerSource: 'Facebook',
    utmSource: null,
    utmMedium: null,
    utmCampaign: null,
    utmContent: null,
    utmTerm: null,
    clickIdParameter: 'fbclid',
  },
  props: {},
  revenue: null,
  interactive: true,
};

const OUTBOUND: OutboundEvent = {
  event: EVENT,
  clickId: { parameter: 'fbclid', value: 'IwAR0example' },
  fbp: 'fb.1.1700000000000.123456789',
  fbc: 'fb.1.1700000000000.IwAR0example',
};

describe('destination preparation', () => {
  it('returns nothing for a dropped event', () => {
    const prepared = prepareForDestination('meta', DEFAULT_CONSENT_SETTINGS, readConsentString('gdgg'), OUTBOUND);
    assert.equal(prepared.event, null);
    assert.equal(prepared.decision.action, 'drop');
  });

  it('keeps Meta fields with ad consent', () => {
    const prepared = prepareForDestination('meta', DEFAULT_CONSENT_SETTINGS, readConsentString('-gg-'), OUTBOUND);
    assert.equal(prepared.event?.fbp, OUTBOUND.fbp);
    assert.equal(prepared.event?.fbc, OUTBOUND.fbc);
    assert.deepEqual(prepared.event?.clickId, OUTBOUND.clickId);
  });

  it('removes Meta fields without ad consent when Meta requires less', () => {
    const settings: ConsentSettings = {
      ...DEFAULT_CONSENT_SETTINGS,
      systems: { ...DEFAULT_CONSENT_SETTINGS.systems, meta: { ...DEFAULT_CONSENT_SETTINGS.systems.meta, requires: ['analytics'] } },
    };
    const prepared = prepareForDestination('meta', settings, readConsentString('gd--'), OUTBOUND);
    assert.equal(prepared.event?.fbp, null);
    assert.equal(prepared.event?.fbc, null);
    assert.equal(prepared.event?.clickId, null);
    assert.equal(prepared.event?.event.session.clickIdParameter, null);
    assert.equal(OUTBOUND.event.session.clickIdParameter, 'fbclid', 'the input event is not changed');
  });

  it('removes the GA4 click id without ad consent', () => {
    const prepared = prepareForDestination('ga4', DEFAULT_CONSENT_SETTINGS, readConsentString('g---'), OUTBOUND);
    assert.equal(prepared.event?.clickId, null);
    assert.equal(prepared.event?.event.pathname, '/landing');
  });

  it('leaves a stored event unchanged without drops', () => {
    assert.equal(withoutDroppedFields(EVENT, []), EVENT);
    assert.equal(withoutDroppedFields(EVENT, ['click_id']).session.clickIdParameter, null);
  });
});
