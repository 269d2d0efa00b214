/**
 * Consent enforcement per system, as pure functions: whether an event may reach a system, and
 * which of its fields must be removed first. The edge calls them for datakant's own storage;
 * destinations (GA4, Meta) call `prepareForDestination` before sending anything.
 */
import type { StoredEvent } from '../domain.js';
import { ALWAYS_REQUIRED_PURPOSES, type ConsentSettings } from './settings.js';
import {
  DENIED,
  DROPPABLE_FIELDS,
  GRANTED,
  type ConsentPurpose,
  type ConsentState,
  type ConsentSystem,
  type DropReason,
  type DroppableField,
} from './purposes.js';

export type SystemDecision =
  | { readonly system: ConsentSystem; readonly action: 'send'; readonly droppedFields: readonly DroppableField[] }
  | { readonly system: ConsentSystem; readonly action: 'drop'; readonly reason: DropReason; readonly purpose: ConsentPurpose };

/**
 * Decide whether an event with this consent may reach `system`.
 *
 * - Required purposes are the mapping's, plus `ALWAYS_REQUIRED_PURPOSES` (`analytics` for
 *   datakant's storage) whatever the mapping lists.
 * - A required purpose that is denied drops the event (`consent_denied`). Denials are checked
 *   first, so a denial is reported even when another required purpose has no signal.
 * - A required purpose without a signal drops the event (`no_signal`), except for datakant's
 *   storage when the property's `noSignal` setting is `store`.
 * - An event that may go loses each droppable field whose listed purposes are not all granted
 *   (no signal counts as not granted).
 */
export function decideForSystem(system: ConsentSystem, settings: ConsentSettings, consent: ConsentState): SystemDecision {
  const rule = settings.systems[system];
  // Settings stored before the rules of `checkConsentRules` existed may lack these purposes.
  const alwaysRequired = ALWAYS_REQUIRED_PURPOSES[system];
  const requires = [...alwaysRequired, ...rule.requires.filter((purpose) => !alwaysRequired.includes(purpose))];
  const denied = requires.find((purpose) => consent[purpose] === DENIED);
  if (denied !== undefined) return { system, action: 'drop', reason: 'consent_denied', purpose: denied };

  const withoutSignal = requires.find((purpose) => consent[purpose] === undefined);
  const storesWithoutSignal = system === 'datakant' && settings.noSignal === 'store';
  if (withoutSignal !== undefined && !storesWithoutSignal) {
    return { system, action: 'drop', reason: 'no_signal', purpose: withoutSignal };
  }

  const droppedFields = DROPPABLE_FIELDS.filter((field) => {
    const needed = rule.dropFields[field];
    return needed !== undefined && !needed.every((purpose) => consent[purpose] === GRANTED);
  });
  return { system, action: 'send', droppedFields };
}

/** Apply a datakant decision's field drops to a stored event; returns a copy when something changed. */
export function withoutDroppedFields(event: StoredEvent, droppedFields: readonly DroppableField[]): StoredEvent {
  if (!droppedFields.includes('click_id') || event.session.clickIdParameter === null) return event;
  return { ...event, session: { ...event.session, clickIdParameter: null } };
}

/** An event as a destination receives it: the minimised event plus the ad fields it may forward. */
export interface OutboundEvent {
  readonly event: StoredEvent;
  /** The landing URL's click-id parameter and its value, or null. */
  readonly clickId: { readonly parameter: string; readonly value: string } | null;
  /** Meta's browser id (`_fbp` cookie value), or null. */
  readonly fbp: string | null;
  /** Meta's click id (`_fbc` cookie value), or null. */
  readonly fbc: string | null;
}

/**
 * Decide for a destination and remove the fields its mapping drops. Returns the event to send,
 * or null when the event must not reach the destination at all.
 */
export function prepareForDestination(
  system: Exclude<ConsentSystem, 'datakant'>,
  settings: ConsentSettings,
  consent: ConsentState,
  outbound: OutboundEvent,
): { decision: SystemDecision; event: OutboundEvent | null } {
  const decision = decideForSystem(system, settings, consent);
  if (decision.action === 'drop') return { decision, event: null };
  const dropped = new Set(decision.droppedFields);
  return {
    decision,
    event: {
      event: withoutDroppedFields(outbound.event, decision.droppedFields),
      clickId: dropped.has('click_id') ? null : outbound.clickId,
      fbp: dropped.has('fbp') ? null : outbound.fbp,
      fbc: dropped.has('fbc') ? null : outbound.fbc,
    },
  };
}
