import assert from 'node:assert/strict';
import { test } from 'node:test';

import { utcDay } from '../../src/edge/visitor.js';

test('utcDay changes exactly at midnight UTC', () => {
  const midnight = Date.UTC(2026, 11, 5);
  const cases: [timestamp: number, expected: string][] = [
    [midnight - 1, '2026-12-04'],
    [midnight, '2026-12-05'],
    [midnight + 1, '2026-12-05'],
    [midnight + 86_400_000 - 1, '2026-12-05'],
    [midnight + 86_400_000, '2026-12-06'],
    // Back to an earlier day after a later one, as a late event would.
    [midnight - 1, '2026-12-04'],
    [Date.UTC(1969, 11, 31, 23, 59, 59, 999), '1969-12-31'],
    [0, '1970-01-01'],
  ];
  for (const [timestamp, expected] of cases) {
    assert.equal(utcDay(timestamp), expected, `utcDay(${timestamp})`);
  }
});
