import { test } from 'node:test';
import assert from 'node:assert/strict';
import { previousRange } from './previous-range.ts';
import { resolveRange } from './time-range.ts';

const NOW = new Date('2026-11-30T12:00:00Z');

test('whole local days: the same number of days before, across the autumn change (169 hours)', () => {
  const prev = previousRange(resolveRange({ from: '2026-10-26', to: '2026-11-01' }, 'Europe/Berlin', NOW), 'Europe/Berlin');
  assert.equal(prev.fromSql, '2026-10-18T22:00:00.000Z');
  assert.equal(prev.toSql, '2026-10-25T23:00:00.000Z');
});

test('one day in Kathmandu: the day before', () => {
  const prev = previousRange(resolveRange({ from: '2026-11-10', to: '2026-11-10' }, 'Asia/Kathmandu', NOW), 'Asia/Kathmandu');
  assert.deepEqual([prev.fromSql, prev.toSql], ['2026-11-08T18:15:00.000Z', '2026-11-09T18:15:00.000Z']);
});

test('not whole days: shifted by the exact duration, microseconds kept', () => {
  const prev = previousRange(resolveRange({ from: '2026-11-10T10:00:00.000250Z', to: '2026-11-10T12:00:00Z' }, 'Europe/Berlin', NOW), 'Europe/Berlin');
  assert.equal(prev.fromSql, '2026-11-10T08:00:00.000500Z');
  assert.equal(prev.toSql, '2026-11-10T10:00:00.000250Z');
  assert.equal(prev.from.toISOString(), '2026-11-10T08:00:00.000Z');
  const hours = previousRange(resolveRange({ from: '2026-03-29T00:00:00', to: '2026-03-29T12:00:00' }, 'Europe/Berlin', NOW), 'Europe/Berlin');
  // 00:00+01:00 .. 12:00+02:00 is 11 hours: the previous period starts 11 hours before.
  assert.deepEqual([hours.fromSql, hours.toSql], ['2026-03-28T12:00:00.000Z', '2026-03-28T23:00:00.000Z']);
});
