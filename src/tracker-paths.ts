/**
 * Default URL paths of the tracker on the edge, shared by the server that serves them and by
 * the tests that check them against EasyList and EasyPrivacy. Generic rules of those lists
 * block paths such as `analytics.<site>/api/event` and `analytics.<site>/collect`, so the
 * defaults avoid common analytics words. test/tracker/blocklists.test.ts checks them.
 */

/** Path the edge serves the tracker script on. */
export const DEFAULT_SCRIPT_PATH = '/_dk/s.js';

/** Path the tracker sends events to, on the origin it was loaded from. */
export const DEFAULT_EVENT_PATH = '/_dk/e';

/**
 * String literal in the built script (`dist/tracker/s.js`) that the server replaces with the
 * configured event path before serving it. It occurs exactly once, inside double quotes.
 */
export const EVENT_PATH_PLACEHOLDER = '__DATAKANT_EVENT_PATH__';

/**
 * Path of the tracker build that also reads CMPs (IAB TCF, Google Consent Mode) and waits for
 * them: the script path with `.js` replaced by `.cmp.js` (`/_dk/s.cmp.js` by default).
 */
export function cmpScriptPath(scriptPath: string): string {
  return scriptPath.endsWith('.js') ? scriptPath.slice(0, -3) + '.cmp.js' : scriptPath + '.cmp.js';
}
