/**
 * The visitor's consent as the tracker knows it: the explicit `datakant('consent', {...})`
 * call and, in the CMP build (`s.cmp.js`), Google Consent Mode v2 entries in
 * `window.dataLayer` and an IAB TCF v2.2 CMP (tcf.ts). docs/tracker.md describes the fields
 * each event carries and which source overrides which.
 */
import { readTcf } from './tcf.js';

/** The four purposes of the `c` field, in the order of its characters. */
const PURPOSES = ['analytics', 'ad_storage', 'ad_user_data', 'ad_personalization'];

/**
 * One character per purpose: `g` granted, `d` denied, `-` no signal. Empty until a Consent
 * Mode entry or an explicit call gives a first signal.
 */
export let purposeStates = '';

/** The TC string of a TCF CMP, kept only while the CMP reports that GDPR applies. */
export let tcString: string | undefined;

/** Events held while a detected CMP has not answered yet. */
const heldSends: (() => void)[] = [];
let waiting: boolean | 0 = 0;
/** True until the configured wait has passed; afterwards events never wait again. */
let waitOpen = true;

/**
 * Sets the purposes named in `values` that are `'granted'` or `'denied'`, and keeps the
 * others. The analytics purpose is read from `analytics` or from Consent Mode's
 * `analytics_storage`; the advertising keys are the same in both.
 */
export function setConsent(values: unknown): void {
  const known = Object(values) as Record<string, unknown>;
  purposeStates = PURPOSES.map((purpose, index) => {
    const value = known[purpose] || known[purpose + '_storage'];
    return value == 'granted' || value == 'denied' ? (value as string)[0] : purposeStates[index] || '-';
  }).join('');
}

/** Sends the held events and stops holding new ones. */
export function releaseHeld(): void {
  waiting = 0;
  for (const send of heldSends.splice(0)) send();
}

/** Runs `send` now, or once the CMP has answered or the wait is over. */
export function whenConsentKnown(send: () => void): void {
  if (waiting) heldSends.push(send);
  else send();
}

/**
 * Starts reading the page's CMP: Consent Mode entries already in `dataLayer` and later ones,
 * and a TCF CMP. Events wait at most `waitMs` milliseconds from now, and only while a
 * detected CMP has not answered; a page being hidden (`pagehide`) sends them at once.
 */
export function readCmp(waitMs: number): void {
  const dataLayer = (window as unknown as { dataLayer?: ArrayLike<unknown>[] }).dataLayer;

  // `gtag('consent', 'default' | 'update', {...})` pushes its `arguments` object. A default
  // means the CMP's update may still come, so events wait for it.
  if (dataLayer && dataLayer.push) {
    const readEntry = (entry: ArrayLike<unknown>) => {
      if (entry[0] == 'consent') {
        setConsent(entry[2]);
        waiting = entry[1] != 'update' && waitOpen;
        if (!waiting) releaseHeld();
      }
    };
    dataLayer.map(readEntry);

    // The wrapper keeps the existing `push` (Google Tag Manager's, for one) working.
    const push = dataLayer.push;
    dataLayer.push = function (this: unknown, ...entries: ArrayLike<unknown>[]) {
      try {
        entries.map(readEntry);
      } catch {}
      return push.apply(this, entries);
    };
  }

  readTcf(
    () => (waiting = true),
    (applies, value) => {
      tcString = applies ? value : undefined;
      releaseHeld();
    },
  );

  setTimeout(() => {
    waitOpen = false;
    releaseHeld();
  }, waitMs);
  addEventListener('pagehide', releaseHeld);
}
