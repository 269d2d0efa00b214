import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLocalIso, localDateOf, startOfLocalDate, startOfWeek } from '../../src/stats/time-zone.js';

describe('time zone arithmetic', () => {
  it('local midnight on DST start and end', () => {
    assert.equal(new Date(startOfLocalDate('2026-03-29', 'Europe/Berlin')).toISOString(), '2026-03-28T23:00:00.000Z');
    assert.equal(new Date(startOfLocalDate('2026-03-30', 'Europe/Berlin')).toISOString(), '2026-03-29T22:00:00.000Z');
    assert.equal(new Date(startOfLocalDate('2026-10-26', 'Europe/Berlin')).toISOString(), '2026-10-25T23:00:00.000Z');
    assert.equal(new Date(startOfLocalDate('2026-03-08', 'America/New_York')).toISOString(), '2026-03-08T05:00:00.000Z');
    assert.equal(new Date(startOfLocalDate('2026-03-09', 'America/New_York')).toISOString(), '2026-03-09T04:00:00.000Z');
  });

  it('midnight skipped by DST starts the day late', () => {
    // America/Havana moves clocks from 00:00 to 01:00 on 2026-03-08.
    const start = startOfLocalDate('2026-03-08', 'America/Havana');
    assert.equal(localDateOf(start, 'America/Havana'), '2026-03-08');
    assert.equal(localDateOf(start - 1, 'America/Havana'), '2026-03-07');
  });

  it('local date and ISO offset', () => {
    assert.equal(localDateOf(Date.parse('2026-04-01T22:30:00Z'), 'Europe/Berlin'), '2026-04-02');
    assert.equal(formatLocalIso(Date.parse('2026-04-01T22:30:00Z'), 'Europe/Berlin'), '2026-04-02T00:30:00+02:00');
    assert.equal(formatLocalIso(Date.parse('2026-01-01T00:00:00Z'), 'Asia/Kathmandu'), '2026-01-01T05:45:00+05:45');
    assert.equal(formatLocalIso(Date.parse('2026-01-01T00:00:00Z'), 'America/St_Johns'), '2025-12-31T20:30:00-03:30');
    assert.equal(formatLocalIso(Date.parse('2026-01-01T00:00:00Z'), 'UTC'), '2026-01-01T00:00:00Z');
  });

  it('week starts on Monday', () => {
    assert.equal(startOfWeek('2026-03-29'), '2026-03-23');
    assert.equal(startOfWeek('2026-03-23'), '2026-03-23');
    assert.equal(startOfWeek('2026-01-01'), '2025-12-29');
  });
});
