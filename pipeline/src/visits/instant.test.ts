import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromMicros, toMicros } from './instant.ts';

test('microseconds of date-times, offsets and rounding as timestamptz reads them', () => {
  const base = Date.UTC(2026, 0, 1, 12, 0, 0) * 1000;
  const cases: [string, number][] = [
    ['2026-01-01T12:00:00Z', base],
    ['2026-01-01T12:00:00.5Z', base + 500_000],
    ['2026-01-01T12:00:00.123Z', base + 123_000],
    ['2026-01-01T12:00:00.123456Z', base + 123_456],
    ['2026-01-01T12:00:00.0000015Z', base + 2],
    ['2026-01-01T12:00:00.0000014Z', base + 1],
    ['2026-01-01T17:30:00.000001+05:30', base + 1],
    // postgresTimestamp's rewrite of offsets beyond ±15:59 and of the year 0000.
    ['2026-01-01 12:00:00.000007+00', base + 7],
    ['0001-12-31 23:59:59.5+00 BC', -62_135_596_801_000_000 + 500_000], // half a second before 0001-01-01,
  ];
  for (const [iso, us] of cases) assert.equal(toMicros(iso), us, iso);
});

test('fromMicros writes six fraction digits and round-trips', () => {
  const us = Date.UTC(2026, 10, 30, 23, 59, 59) * 1000 + 999_999;
  assert.equal(fromMicros(us), '2026-11-30T23:59:59.999999Z');
  assert.equal(toMicros(fromMicros(us)), us);
  assert.equal(fromMicros(0), '1970-01-01T00:00:00.000000Z');
  // The contract's extremes, as postgresTimestamp writes them: year 0000 is 1 BC; 10000 AD after -23:59.
  assert.equal(fromMicros(toMicros('0001-01-01 00:00:00+00 BC')), '0001-01-01 00:00:00.000000+00 BC');
  assert.equal(fromMicros(toMicros('9999-12-31T23:59:59-23:59')), '10000-01-01T23:58:59.000000Z');
});
