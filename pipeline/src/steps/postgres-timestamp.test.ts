import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresTimestamp } from './postgres-timestamp.ts';

test('date-times timestamptz reads as written pass through unchanged', () => {
  for (const v of ['2026-11-20T10:00:00Z', '2026-11-20T10:00:00.123456+15:59', '0001-01-01T00:00:00-15:59', '9999-12-31T23:59:59.999999Z']) assert.equal(postgresTimestamp(v), v);
});

test('offsets beyond ±15:59 and the year 0000 become the same instant in UTC (BC before year 1)', () => {
  const cases: [string, string][] = [
    ['2026-11-20T10:00:00+16:00', '2026-11-19 18:00:00+00'],
    ['1969-12-31T23:59:59.999999-23:59', '1970-01-01 23:58:59.999999+00'],
    ['0000-01-01T00:00:00Z', '0001-01-01 00:00:00+00 BC'],
    ['0000-01-01T00:00:00.5+23:59', '0002-12-31 00:01:00.5+00 BC'],
    ['9999-12-31T23:59:59.999999-23:59', '10000-01-01 23:58:59.999999+00'],
  ];
  for (const [v, pg] of cases) assert.equal(postgresTimestamp(v), pg, v);
});
