// from/to/tz of docs/metrics.md § Reports over a range, against instants worked out by hand from
// each zone's offsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParameterError } from '../http/problems.ts';
import { resolveRange } from './time-range.ts';

const NOW = new Date('2026-11-30T12:00:00Z');
const range = (from: string | undefined, to: string | undefined, tz = 'UTC') => {
  const r = resolveRange({ from, to }, tz, NOW);
  return [r.from.toISOString(), r.to.toISOString()];
};
const refused = (from: string | undefined, to: string | undefined, tz: string, parameter: string, message: RegExp) =>
  assert.throws(() => resolveRange({ from, to }, tz, NOW), (e: unknown) => e instanceof ParameterError && e.parameter === parameter && message.test(e.message));

test('dates are whole local days: from its first instant, to the end of its day', () => {
  // Berlin is UTC+1 in November.
  assert.deepEqual(range('2026-11-01', '2026-11-30', 'Europe/Berlin'), ['2026-10-31T23:00:00.000Z', '2026-11-30T23:00:00.000Z']);
  // Kathmandu is UTC+05:45 all year: its day starts at 18:15 UTC the day before.
  assert.deepEqual(range('2026-11-30', '2026-11-30', 'Asia/Kathmandu'), ['2026-11-29T18:15:00.000Z', '2026-11-30T18:15:00.000Z']);
});

test('a DST day lasts 23 or 25 hours', () => {
  // Berlin: 29 March 2026 02:00 CET → 03:00 CEST; 25 October 2026 03:00 CEST → 02:00 CET.
  assert.deepEqual(range('2026-03-29', '2026-03-29', 'Europe/Berlin'), ['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
  assert.deepEqual(range('2026-10-25', '2026-10-25', 'Europe/Berlin'), ['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z']);
});

test('a day whose midnight does not exist starts at its first instant', () => {
  // Chile: on 6 September 2026 clocks jump from 00:00 (-04) to 01:00 (-03): the day starts at 04:00 UTC and lasts 23 hours.
  assert.deepEqual(range('2026-09-06', '2026-09-06', 'America/Santiago'), ['2026-09-06T04:00:00.000Z', '2026-09-07T03:00:00.000Z']);
});

test('date-times: with an offset that instant (microseconds kept for SQL), without one local time in tz', () => {
  const exact = resolveRange({ from: '2026-11-30T10:00:00.000001Z', to: '2026-11-30T10:00:00.000002Z' }, 'UTC', NOW);
  assert.equal(exact.fromSql, '2026-11-30T10:00:00.000001Z');
  assert.equal(exact.toSql, '2026-11-30T10:00:00.000002Z');
  assert.deepEqual(range('2026-11-30T10:00', '2026-11-30T17:00:00+05:45', 'Europe/Berlin'), ['2026-11-30T09:00:00.000Z', '2026-11-30T11:15:00.000Z']);
  refused('2026-11-30T10:00:00.0001', undefined, 'Europe/Berlin', 'from', /at most milliseconds/);
});

test('defaults: the last 7 days, today included, up to now; with only `to`, the 7 days before it', () => {
  assert.deepEqual(range(undefined, undefined, 'Europe/Berlin'), ['2026-11-23T23:00:00.000Z', '2026-11-30T12:00:00.000Z']);
  assert.deepEqual(range(undefined, '2026-11-20', 'Europe/Berlin'), ['2026-11-13T23:00:00.000Z', '2026-11-20T23:00:00.000Z']);
});

test('refusals name the parameter', () => {
  refused('2026-02-30', undefined, 'UTC', 'from', /not a calendar date/);
  refused(undefined, 'yesterday', 'UTC', 'to', /neither a date/);
  refused('2026-11-30T25:00:00Z', undefined, 'UTC', 'from', /not a valid date-time: a field is out of range \(.*hour 00-23/);
  refused('2026-02-30T10:00:00Z', undefined, 'UTC', 'from', /not a valid date-time: a field is out of range \(.*day within its month/);
  refused('2026-11-30T10:00:00.000002Z', '2026-11-30T10:00:00.000001Z', 'UTC', 'from', /must be before to/);
  refused('2026-11-30', '2026-11-29', 'UTC', 'from', /must be before to/);
  refused('1990-01-01', undefined, 'UTC', 'from', /at most 3660 days/);
  // RFC 3339 offsets run from -23:59 to +23:59.
  refused('2026-11-30T10:00:00+99:00', '2026-11-30T23:00:00Z', 'UTC', 'from', /neither a date/);
  refused('2026-11-30T10:00:00Z', '2026-11-30T23:00:00+05:60', 'UTC', 'to', /neither a date/);
});

test('from after to: the message repeats what was sent, not the exclusive end of the `to` day', () => {
  refused('2026-11-30', '2026-11-29', 'Europe/Berlin', 'from', /^from: must be before to: from "2026-11-30" is not before to "2026-11-29"$/);
  assert.throws(
    () => resolveRange({ from: '2026-11-30', to: '2026-11-29' }, 'Europe/Berlin', NOW),
    (e: unknown) => e instanceof ParameterError && !/2026-11-30T00:00/.test(e.message),
  );
  // A missing `to` is now, and says so.
  refused('2026-12-05', undefined, 'UTC', 'from', /from "2026-12-05" is not before to 2026-11-30T12:00:00\.000Z? ?.*\(now\)/);
});

