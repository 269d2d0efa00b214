import { Type, type Static } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import type { StatsQueryProblem } from './errors.js';

/** Largest `pagination.limit`, and its default, as in Plausible. */
export const MAX_PAGE_SIZE = 10_000;
/** Largest `pagination.offset`. DuckDB takes OFFSET as a 64-bit integer, so 1e300 would fail there. */
export const MAX_PAGE_OFFSET = 1_000_000_000;

const OrderDirection = Type.Union([Type.Literal('asc'), Type.Literal('desc')], {
  description: '"asc" or "desc"',
});

/**
 * Shape of a Stats API request body. Only shapes are checked here. Names, dates and filters
 * are checked by `validateStatsRequest`, whose messages list the allowed names.
 */
export const StatsRequestSchema = Type.Object(
  {
    site_id: Type.String({ minLength: 1, description: 'the property domain, a non-empty string' }),
    metrics: Type.Array(Type.String({ description: 'a metric name' }), {
      minItems: 1,
      description: 'a non-empty array of metric names',
    }),
    date_range: Type.Union([Type.String(), Type.Tuple([Type.String(), Type.String()])], {
      description: 'a period such as "7d", or a pair of dates ["2026-01-01", "2026-01-31"]',
    }),
    dimensions: Type.Optional(
      Type.Array(Type.String({ description: 'a dimension name' }), { description: 'an array of dimension names' }),
    ),
    filters: Type.Optional(Type.Array(Type.Unknown(), { description: 'an array of filters' })),
    order_by: Type.Optional(
      Type.Array(
        Type.Tuple([Type.String(), OrderDirection], {
          description: 'a pair [metric or dimension, "asc" | "desc"]',
        }),
        { description: 'an array of [metric or dimension, "asc" | "desc"] pairs' },
      ),
    ),
    include: Type.Optional(
      Type.Object(
        {
          total_rows: Type.Optional(Type.Boolean({ description: 'true or false' })),
          time_labels: Type.Optional(Type.Boolean({ description: 'true or false' })),
          imports: Type.Optional(Type.Boolean({ description: 'true or false' })),
        },
        { additionalProperties: false, description: 'an object with total_rows, time_labels or imports' },
      ),
    ),
    pagination: Type.Optional(
      Type.Object(
        {
          limit: Type.Optional(
            Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, description: `an integer from 1 to ${MAX_PAGE_SIZE}` }),
          ),
          offset: Type.Optional(
            Type.Integer({ minimum: 0, maximum: MAX_PAGE_OFFSET, description: `an integer from 0 to ${MAX_PAGE_OFFSET}` }),
          ),
        },
        { additionalProperties: false, description: 'an object with limit and offset' },
      ),
    ),
  },
  { additionalProperties: false, description: 'a JSON object' },
);

export type StatsRequest = Static<typeof StatsRequestSchema>;

const ALLOWED_FIELDS: Record<string, readonly string[]> = {
  '': Object.keys(StatsRequestSchema.properties),
  '/include': Object.keys(StatsRequestSchema.properties.include.properties),
  '/pagination': Object.keys(StatsRequestSchema.properties.pagination.properties),
};

/** Checks the shape of a request body; returns one problem per offending path. */
export function checkRequestShape(body: unknown): StatsQueryProblem[] {
  const problems: StatsQueryProblem[] = [];
  const seenPaths = new Set<string>();
  for (const error of Value.Errors(StatsRequestSchema, body)) {
    if (seenPaths.has(error.path)) continue;
    seenPaths.add(error.path);

    if (error.type === ValueErrorType.ObjectAdditionalProperties) {
      const parent = error.path.slice(0, error.path.lastIndexOf('/'));
      const allowed = ALLOWED_FIELDS[parent] ?? [];
      problems.push({ path: error.path, message: `unknown field; allowed fields: ${allowed.join(', ')}` });
    } else if (error.type === ValueErrorType.ObjectRequiredProperty) {
      problems.push({ path: error.path, message: `missing required field; expected ${String(error.schema.description)}` });
    } else {
      const expected = error.schema.description;
      problems.push({
        path: error.path,
        message: expected === undefined ? error.message : `invalid value; expected ${expected}`,
      });
    }
  }
  return problems;
}
