// The report parameters: the project's zone by default, zones checked, filters sorted into event
// and visit filters; the whole 15-minute buckets the counters may answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParameterError } from '../http/problems.ts';
import { countersCanAnswer, wholeBuckets } from './event-counts-sql.ts';
import { parseReportQuery } from './report-query.ts';

const PROJECT = { id: '11111111-2222-4333-8444-555555555555', timezone: 'Asia/Kathmandu' };
const NOW = new Date('2026-11-30T12:00:00Z');

test("the project's zone unless tz says otherwise; an unknown zone is refused naming tz", () => {
  assert.equal(parseReportQuery({ from: '2026-11-30', to: '2026-11-30' }, PROJECT, NOW).range.from.toISOString(), '2026-11-29T18:15:00.000Z');
  assert.equal(parseReportQuery({ from: '2026-11-30', to: '2026-11-30', tz: 'UTC' }, PROJECT, NOW).range.from.toISOString(), '2026-11-30T00:00:00.000Z');
  assert.throws(() => parseReportQuery({ tz: 'Mars/Olympus_Mons' }, PROJECT, NOW), (e: unknown) => e instanceof ParameterError && e.parameter === 'tz');
  // Only the standard spelling, as the admin routes and the CLI take it (lib/time-zone.ts).
  assert.equal(parseReportQuery({ tz: 'Europe/Berlin' }, PROJECT, NOW).tz, 'Europe/Berlin');
  assert.throws(() => parseReportQuery({ tz: 'europe/berlin' }, PROJECT, NOW), (e: unknown) => e instanceof ParameterError && e.message === 'tz: time zone "europe/berlin" is not spelled as IANA spells it: did you mean Europe/Berlin?');
  for (const tz of ['+05:45', 'UTC+5', '']) assert.throws(() => parseReportQuery({ tz }, PROJECT, NOW), (e: unknown) => e instanceof ParameterError && e.parameter === 'tz', tz);
});

test('filters: event filters and visit filters apart; the counters answer only type and page filters', () => {
  const q = parseReportQuery({ event_type: 'page_view', page: '/x', referrer: '(none)', device: 'mobile', include_bots: true }, PROJECT, NOW);
  assert.deepEqual(q.eventFilters, { event_type: 'page_view', page: '/x' });
  assert.deepEqual(q.visitFilters, { referrer: '(none)', device: 'mobile' });
  assert.equal(q.includeBots, true);
  assert.equal(countersCanAnswer(q), false);
  assert.equal(countersCanAnswer(parseReportQuery({ event_type: 'page_view', page: '/x' }, PROJECT, NOW)), true);
  assert.equal(countersCanAnswer(parseReportQuery({ session_id: 's' }, PROJECT, NOW)), false);
});

test('whole 15-minute buckets inside a range; a microsecond past a boundary leaves that bucket to the raw edge', () => {
  const at = (iso: string) => new Date(iso);
  const r = (from: string, to: string, fromSql = at(from).toISOString(), toSql = at(to).toISOString()) => wholeBuckets({ from: at(from), to: at(to), fromSql, toSql });
  assert.deepEqual(r('2026-11-30T10:07:00Z', '2026-11-30T11:52:00Z'), { first: at('2026-11-30T10:15:00Z'), end: at('2026-11-30T11:45:00Z') });
  assert.deepEqual(r('2026-11-30T10:00:00Z', '2026-11-30T11:00:00Z'), { first: at('2026-11-30T10:00:00Z'), end: at('2026-11-30T11:00:00Z') });
  assert.deepEqual(r('2026-11-30T10:00:00Z', '2026-11-30T11:00:00Z', '2026-11-30T10:00:00.000001Z'), { first: at('2026-11-30T10:15:00Z'), end: at('2026-11-30T11:00:00Z') });
  assert.equal(r('2026-11-30T10:01:00Z', '2026-11-30T10:14:00Z'), undefined);
});
