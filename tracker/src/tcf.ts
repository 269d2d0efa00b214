/**
 * Reads an IAB TCF v2.2 CMP through the JavaScript API of the TCF CMP API v2 specification.
 * The tracker calls `__tcfapi` in its own window when there is one. Otherwise it posts
 * `__tcfapiCall` messages to the nearest window up the parent chain that has a child frame
 * named `__tcfapiLocator`.
 */

/** Fields of a TCF `TCData` object that the tracker reads. */
interface TcData {
  eventStatus?: string;
  gdprApplies?: boolean;
  tcString?: string;
}

type TcfApi = (command: string, version: number, callback: (data: TcData, success: boolean) => void) => void;

/** Identifies the replies to the tracker's call through the locator frame. */
const CALL_ID = 'datakant';

/**
 * Registers a TCF event listener when the page has a CMP. Calls `detected` at once when it
 * finds one, and `answered` each time the CMP has loaded or changed a TC string.
 */
export function readTcf(detected: () => void, answered: (gdprApplies: boolean | undefined, tcString: string | undefined) => void): void {
  // `cmpuishown` is not acted on: its TC string precedes the visitor's choice.
  const readTcData = (data: TcData, success: boolean) => {
    if (success && (data.eventStatus == 'tcloaded' || data.eventStatus == 'useractioncomplete')) {
      answered(data.gdprApplies, data.tcString);
    }
  };

  const api = (window as unknown as { __tcfapi?: TcfApi }).__tcfapi;
  if (api) {
    detected();
    api('addEventListener', 2, readTcData);
    return;
  }

  for (let frame: Window = window; ; frame = frame.parent) {
    try {
      if (frame.frames['__tcfapiLocator' as unknown as number]) {
        detected();
        addEventListener('message', (event) => {
          const reply = event.source == frame && (event.data || {}).__tcfapiReturn;
          if (reply && reply.callId == CALL_ID) readTcData(reply.returnValue, reply.success);
        });
        frame.postMessage({ __tcfapiCall: { command: 'addEventListener', version: 2, callId: CALL_ID } }, '*');
        return;
      }
    } catch {}
    if (frame == top) return;
  }
}
