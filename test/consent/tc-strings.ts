/**
 * Builds real TCF v2.2 TC strings with the IAB's own encoder, without downloading a Global
 * Vendor List: an empty vendor list is enough to encode purpose consents.
 */
import { GVL, TCModel, TCString } from '@iabtechlabtcf/core';

const EMPTY_VENDOR_LIST = {
  gvlSpecificationVersion: 3,
  vendorListVersion: 1,
  tcfPolicyVersion: 5,
  lastUpdated: '2025-01-01T00:00:00Z',
  purposes: {},
  specialPurposes: {},
  features: {},
  specialFeatures: {},
  vendors: {},
  stacks: {},
  dataCategories: {},
};

export const ALL_TCF_PURPOSES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;

export interface TcStringOptions {
  /** TCF purposes with consent. */
  consents: readonly number[];
  /** TCF purposes with legitimate interest established (and not objected to). */
  legitimateInterests?: readonly number[];
  /** PurposeOneTreatment: Purpose 1 was not disclosed. */
  purposeOneTreatment?: boolean;
}

export function buildTcString(options: TcStringOptions): string {
  const model = new TCModel(new GVL(structuredClone(EMPTY_VENDOR_LIST) as never));
  model.cmpId = 10;
  model.cmpVersion = 1;
  model.purposeConsents.set([...options.consents]);
  if (options.legitimateInterests) model.purposeLegitimateInterests.set([...options.legitimateInterests]);
  if (options.purposeOneTreatment) model.purposeOneTreatment = true;
  return TCString.encode(model);
}

/** Every purpose with consent except the listed ones. */
export function allPurposesExcept(...missing: number[]): number[] {
  return ALL_TCF_PURPOSES.filter((id) => !missing.includes(id));
}
