/**
 * A test CMP for pages in Chromium: `window.__tcfapi` as the IAB TCF CMP API v2 specification
 * describes it (`ping`, `getTCData`, `addEventListener` and `removeEventListener` with listener
 * ids), optionally reachable from other frames through a `__tcfapiLocator` frame and
 * `__tcfapiCall` messages. The test drives it through `window.testCmp`:
 *
 * - `testCmp.load(tcString)`: a TC string is loaded (eventStatus `tcloaded`);
 * - `testCmp.showUi(tcString)`: the CMP shows its UI (eventStatus `cmpuishown`);
 * - `testCmp.userAction(tcString)`: the visitor made a choice (eventStatus `useractioncomplete`);
 * - `testCmp.calls`: each call received, as `[command, version]`.
 */

export interface CmpStubOptions {
  /** `gdprApplies` reported by the CMP. */
  gdprApplies: boolean;
  /** Adds the `__tcfapiLocator` frame and answers `__tcfapiCall` messages. */
  locator: boolean;
}

/** Returns the stub as a script to place in the page's head, before the tracker. */
export function renderCmpStub(options: CmpStubOptions): string {
  return `<script>
(function () {
  var gdprApplies = ${JSON.stringify(options.gdprApplies)};
  var listeners = {};
  var nextListenerId = 1;
  var current = { tcString: '', eventStatus: '' };
  var calls = [];

  function tcData(listenerId) {
    return {
      tcString: current.tcString,
      tcfPolicyVersion: 5,
      cmpId: 10,
      cmpVersion: 1,
      gdprApplies: gdprApplies,
      eventStatus: current.eventStatus,
      cmpStatus: 'loaded',
      listenerId: listenerId,
      isServiceSpecific: true,
      useNonStandardTexts: false,
      publisherCC: 'DE',
      purposeOneTreatment: false,
    };
  }

  function notify(eventStatus, tcString) {
    current = { tcString: tcString, eventStatus: eventStatus };
    Object.keys(listeners).forEach(function (id) {
      listeners[id](tcData(Number(id)), true);
    });
  }

  window.__tcfapi = function (command, version, callback, parameter) {
    calls.push([command, version]);
    if (typeof callback !== 'function') return;
    if (version !== 2) {
      callback(null, false);
      return;
    }
    if (command === 'ping') {
      callback({ gdprApplies: gdprApplies, cmpLoaded: true, cmpStatus: 'loaded', displayStatus: 'hidden',
        apiVersion: '2.2', cmpVersion: 1, cmpId: 10, gvlVersion: 1, tcfPolicyVersion: 5 }, true);
    } else if (command === 'getTCData') {
      callback(tcData(undefined), current.eventStatus !== '');
    } else if (command === 'addEventListener') {
      var id = nextListenerId++;
      listeners[id] = callback;
      // A listener gets the current TC data at once when there is some.
      if (current.eventStatus) callback(tcData(id), true);
    } else if (command === 'removeEventListener') {
      var removed = Object.prototype.hasOwnProperty.call(listeners, parameter);
      delete listeners[parameter];
      callback(removed);
    } else {
      callback(null, false);
    }
  };

  window.testCmp = {
    calls: calls,
    load: function (tcString) { notify('tcloaded', tcString); },
    showUi: function (tcString) { notify('cmpuishown', tcString); },
    userAction: function (tcString) { notify('useractioncomplete', tcString); },
  };

  if (${JSON.stringify(options.locator)}) {
    var locator = document.createElement('iframe');
    locator.name = '__tcfapiLocator';
    locator.style.display = 'none';
    document.documentElement.appendChild(locator);

    window.addEventListener('message', function (event) {
      var call = event.data && event.data.__tcfapiCall;
      if (!call) return;
      window.__tcfapi(call.command, call.version, function (returnValue, success) {
        event.source.postMessage({ __tcfapiReturn: { returnValue: returnValue, success: success, callId: call.callId } }, '*');
      }, call.parameter);
    });
  }
})();
</script>`;
}
