/** Reports why the tracker sent nothing, only when the script tag has `data-debug`. */
export type Warn = (reason: unknown) => void;

export function createWarn(enabled: boolean): Warn {
  return (reason) => {
    if (enabled) console.warn('datakant: event not sent:', reason);
  };
}

/**
 * Wraps a function that the page or the browser calls, so that an error inside the tracker
 * never reaches the page. The error goes to `warn` instead.
 */
export function guard<A extends unknown[]>(run: (...args: A) => void, warn: Warn): (...args: A) => void {
  return (...args) => {
    try {
      run(...args);
    } catch (error) {
      warn(error);
    }
  };
}
