/**
 * Real IAB TCF v2.2 TC strings for tests, encoded with `@iabtechlabtcf/core`. Encoding needs a
 * Global Vendor List; a minimal one with the eleven TCF v2.2 purposes and no vendors is enough
 * for purpose consents.
 */
import { GVL, TCModel, TCString } from '@iabtechlabtcf/core';

const TCF_PURPOSE_COUNT = 11;

function minimalVendorList(): GVL {
  const purposes: Record<string, { id: number; name: string; description: string; illustrations: string[] }> = {};
  for (let id = 1; id <= TCF_PURPOSE_COUNT; id++) purposes[id] = { id, name: `Purpose ${id}`, description: '', illustrations: [] };
  const vendorList = {
    gvlSpecificationVersion: 3,
    vendorListVersion: 1,
    tcfPolicyVersion: 5,
    lastUpdated: '2026-01-01T00:00:00Z',
    purposes,
    specialPurposes: {},
    features: {},
    specialFeatures: {},
    vendors: {},
    stacks: {},
    dataCategories: {},
  };
  return new GVL(vendorList as unknown as ConstructorParameters<typeof GVL>[0]);
}

/** Encodes a TC string with consent for exactly the TCF purposes in `purposeIds`. */
export function encodeTcString(purposeIds: number[]): string {
  const model = new TCModel(minimalVendorList());
  model.cmpId = 10;
  model.cmpVersion = 1;
  model.consentScreen = 1;
  model.publisherCountryCode = 'DE';
  model.purposeConsents.set(purposeIds);
  return TCString.encode(model);
}
