/** One problem with a Stats API request: where it is (a JSON pointer into the body) and why. */
export interface StatsQueryProblem {
  /** JSON pointer to the offending value, for example `/filters/0/1`; `` for the whole body. */
  path: string;
  /** Description of the problem and of the allowed values. */
  message: string;
}

/**
 * An invalid Stats API query. The HTTP route turns it into a 400 response whose JSON body
 * lists `errors`; every problem found is listed, not only the first.
 */
export class StatsQueryError extends Error {
  readonly errors: StatsQueryProblem[];

  constructor(errors: StatsQueryProblem[]) {
    const first = errors[0];
    super(first === undefined ? 'Invalid query' : `Invalid query: ${first.path || '/'}: ${first.message}`);
    this.name = 'StatsQueryError';
    this.errors = errors;
  }
}
