/** Stats API v2 query engine: validates a query body and runs it against the event store. */
export { runStatsQuery, type StatsResponse, type StatsResultRow } from './run-query.js';
export { StatsQueryError, type StatsQueryProblem } from './errors.js';
export { METRICS, VISIT_DIMENSIONS, EVENT_DIMENSIONS, TIME_DIMENSIONS } from './catalogue.js';
