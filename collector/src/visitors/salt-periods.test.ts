import { test } from 'node:test';
import assert from 'node:assert/strict';
import { periodIsOver, periodsToKeep, saltPeriod } from './salt-periods.ts';

test('periods are UTC days and months', () => {
  const cases: [string, string, string][] = [
    ['2026-11-30T23:59:59.999Z', 'day:2026-11-30', 'month:2026-11'],
    ['2026-12-01T00:00:00.000Z', 'day:2026-12-01', 'month:2026-12'],
    // 01:30 in Kathmandu is still the previous UTC day.
    ['2026-12-01T01:30:00+05:45', 'day:2026-11-30', 'month:2026-11'],
  ];
  for (const [at, day, month] of cases) {
    assert.equal(saltPeriod('daily', new Date(at)), day, at);
    assert.equal(saltPeriod('monthly', new Date(at)), month, at);
  }
});

test('the current and the next day and month are kept, across month and year ends', () => {
  assert.deepEqual(periodsToKeep(new Date('2026-12-31T22:00:00Z')), ['day:2026-12-31', 'day:2027-01-01', 'month:2026-12', 'month:2027-01']);
  assert.deepEqual(periodsToKeep(new Date('2028-02-28T10:00:00Z')), ['day:2028-02-28', 'day:2028-02-29', 'month:2028-02', 'month:2028-03']);
});

test('a period is over once the next one began', () => {
  const at = new Date('2026-12-01T00:00:00Z');
  const cases: [string, boolean][] = [
    ['day:2026-11-30', true],
    ['day:2026-12-01', false],
    ['day:2026-12-02', false],
    ['month:2026-11', true],
    ['month:2026-12', false],
    ['day:2025-12-31', true],
    ['something else', false],
  ];
  for (const [period, over] of cases) assert.equal(periodIsOver(period, at), over, period);
});
