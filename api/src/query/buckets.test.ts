// Bucket lists written by hand from the zones' rules (tzdb): DST days of 23 and 25 hours, the
// repeated hour, +05:45, Lord Howe's 30-minute change and Santiago's change at midnight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParameterError } from '../http/problems.ts';
import { bucketStarts, countersAligned, defaultInterval, type Interval } from './buckets.ts';
import { resolveRange } from './time-range.ts';

const NOW = new Date('2026-11-30T12:00:00Z');
const utc = (from: string, to: string, tz: string, interval: Interval) => bucketStarts(resolveRange({ from, to }, tz, NOW), interval, tz).map((d) => d.toISOString());

test('Berlin spring day: 23 hourly buckets, 02:00 local does not exist', () => {
  const starts = utc('2026-03-29', '2026-03-29', 'Europe/Berlin', 'hour');
  assert.equal(starts.length, 23);
  assert.deepEqual(starts.slice(0, 4), ['2026-03-28T23:00:00.000Z', '2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z']);
  assert.equal(starts.at(-1), '2026-03-29T21:00:00.000Z');
});

test('Berlin autumn day: 25 hourly buckets, the 02:00 hour twice (+02:00 then +01:00)', () => {
  const starts = utc('2026-10-25', '2026-10-25', 'Europe/Berlin', 'hour');
  assert.equal(starts.length, 25);
  assert.deepEqual(starts.slice(0, 5), ['2026-10-24T22:00:00.000Z', '2026-10-24T23:00:00.000Z', '2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T02:00:00.000Z']);
  assert.equal(starts.at(-1), '2026-10-25T22:00:00.000Z');
});

test('Kathmandu (+05:45): days start at 18:15 UTC, hours at :15', () => {
  assert.deepEqual(utc('2026-11-10', '2026-11-11', 'Asia/Kathmandu', 'day'), ['2026-11-09T18:15:00.000Z', '2026-11-10T18:15:00.000Z']);
  const hours = utc('2026-11-10', '2026-11-10', 'Asia/Kathmandu', 'hour');
  assert.equal(hours.length, 24);
  assert.deepEqual(hours.slice(0, 2), ['2026-11-09T18:15:00.000Z', '2026-11-09T19:15:00.000Z']);
});

test('Lord Howe: +10:30/+11 changes by 30 minutes', () => {
  // 2026-04-05 02:00 +11 becomes 01:30 +10:30: the local hour 01 is 01:00–02:00 (+11), then 01:30–02:00 (+10:30).
  const back = utc('2026-04-05', '2026-04-05', 'Australia/Lord_Howe', 'hour');
  assert.equal(back.length, 25);
  assert.deepEqual(back.slice(0, 4), ['2026-04-04T13:00:00.000Z', '2026-04-04T14:00:00.000Z', '2026-04-04T15:00:00.000Z', '2026-04-04T15:30:00.000Z']);
  // 2026-10-04 02:00 +10:30 becomes 02:30 +11: the local hour 02 is 02:30–03:00 only.
  const forward = utc('2026-10-04', '2026-10-04', 'Australia/Lord_Howe', 'hour');
  assert.equal(forward.length, 24);
  assert.deepEqual(forward.slice(0, 4), ['2026-10-03T13:30:00.000Z', '2026-10-03T14:30:00.000Z', '2026-10-03T15:30:00.000Z', '2026-10-03T16:00:00.000Z']);
});

test('counters align with every hour and day start of offsets in quarter hours, not with a historic local mean time', () => {
  const aligned = (from: string, to: string, tz: string, interval: Interval) => countersAligned(bucketStarts(resolveRange({ from, to }, tz, NOW), interval, tz));
  assert.equal(aligned('2026-10-04', '2026-10-04', 'Australia/Lord_Howe', 'hour'), true);
  assert.equal(aligned('2026-11-01', '2026-11-30', 'Asia/Kathmandu', 'day'), true);
  // Monrovia kept −00:44:30 until 1972: its hours began at hh:44:30 UTC.
  assert.equal(aligned('1960-06-01', '1960-06-02', 'Africa/Monrovia', 'day'), false);
  assert.deepEqual(utc('1960-06-01T00:00', '1960-06-01T02:00', 'Africa/Monrovia', 'hour'), ['1960-06-01T00:44:30.000Z', '1960-06-01T01:44:30.000Z']);
  assert.deepEqual(utc('1960-06-01T00:00', '1960-06-01T00:02', 'Africa/Monrovia', 'minute'), ['1960-06-01T00:44:30.000Z', '1960-06-01T00:45:30.000Z']);
});

test('Santiago: the day clocks skip midnight starts at 01:00 local', () => {
  // 2026-09-06 00:00 -04 becomes 01:00 -03.
  assert.deepEqual(utc('2026-09-05', '2026-09-07', 'America/Santiago', 'day'), ['2026-09-05T04:00:00.000Z', '2026-09-06T04:00:00.000Z', '2026-09-07T03:00:00.000Z']);
});

test('weeks start on Monday, months on the 1st, each at local midnight; the first bucket holds from', () => {
  assert.deepEqual(utc('2026-10-21', '2026-11-01', 'Europe/Berlin', 'week'), ['2026-10-18T22:00:00.000Z', '2026-10-25T23:00:00.000Z']);
  assert.deepEqual(utc('2026-02-15', '2026-04-01', 'Asia/Kathmandu', 'month'), ['2026-01-31T18:15:00.000Z', '2026-02-28T18:15:00.000Z', '2026-03-31T18:15:00.000Z']);
});

test('minutes: from an unaligned instant to an end with microseconds past its millisecond', () => {
  const range = resolveRange({ from: '2026-11-10T10:00:30Z', to: '2026-11-10T10:03:00.000001Z' }, 'UTC', NOW);
  assert.deepEqual(
    bucketStarts(range, 'minute', 'UTC').map((d) => d.toISOString()),
    ['2026-11-10T10:00:00.000Z', '2026-11-10T10:01:00.000Z', '2026-11-10T10:02:00.000Z', '2026-11-10T10:03:00.000Z'],
  );
  assert.equal(bucketStarts(resolveRange({ from: '2026-11-10T10:00:30Z', to: '2026-11-10T10:03:00Z' }, 'UTC', NOW), 'minute', 'UTC').length, 3);
});

test('more than the cap is a ParameterError naming interval', () => {
  const range = resolveRange({ from: '2026-01-01', to: '2026-01-31' }, 'UTC', NOW);
  assert.equal(bucketStarts(range, 'hour', 'UTC', 744).length, 744);
  assert.throws(() => bucketStarts(range, 'hour', 'UTC', 743), (e: unknown) => e instanceof ParameterError && e.parameter === 'interval');
});

test('default interval: hour up to 2 days, day beyond', () => {
  assert.equal(defaultInterval({ from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-03T00:00:00Z') }), 'hour');
  assert.equal(defaultInterval({ from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-03T00:00:00.001Z') }), 'day');
});
