// POST /retention against the real PostgreSQL, one small hand fixture per rule of docs/metrics.md
// § Retention. Every expected number is worked out from the events listed here; each case has its
// own start event type (and users), so the cases cannot see each other's units. The clock is fixed
// at 2026-12-20T00:00Z.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { apiBed, enrichedRow, type Answer, type ApiBed } from './api-bed.ts';

const NOW = new Date('2026-12-20T00:00:00Z');
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
let bed: ApiBed;

function event(user: string, time: string, type: string): EventRow {
  return enrichedRow({ project_id: bed.shop.project.id, event_type: type, timestamp: time, received_at: time, page_url: 'https://shop.example/', user_id: user, visitor_id: `u:${user}`, user_agent: CHROME });
}

async function retention(body: Record<string, unknown>): Promise<Answer> {
  const res = await bed.app.inject({ method: 'POST', url: `/api/v1/projects/${bed.shop.project.id}/retention`, headers: { 'x-api-key': bed.shop.readKey }, payload: { unit: 'user', ...body } });
  return { status: res.statusCode, body: res.json() };
}

/** [start, size, [count per period]] of each cohort. */
const table = (res: Answer) => {
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data.cohorts.map((c: { start: string; size: number; periods: { count: number }[] }) => [c.start, c.size, c.periods.map((p) => p.count)]);
};

before(async () => {
  bed = await apiBed({ now: () => NOW });
  const rows = [
    // A DST week (Berlin, 2026-10-25): d1 starts Monday 00:30 (+02:00, still Sunday in UTC) and returns Monday 00:30 after the change
    // (+01:00, still Sunday in UTC); d2's Sunday 23:30 (+01:00) is the same week; d3's Sunday 23:30 (+02:00) the week before.
    event('d1', '2026-10-18T22:30:00Z', 'dst'),
    event('d1', '2026-10-25T23:30:00Z', 'dst'),
    event('d2', '2026-10-19T10:00:00Z', 'dst'),
    event('d2', '2026-10-25T22:30:00Z', 'dst'),
    event('d3', '2026-10-18T21:30:00Z', 'dst'),
    // +05:45 (Kathmandu): both start at 00:05 local on 11-19; k1 returns at 23:55 the same day, k2 at 00:05 the next.
    event('k1', '2026-11-18T18:20:00Z', 'ktm'),
    event('k1', '2026-11-19T18:10:00Z', 'ktm'),
    event('k2', '2026-11-18T18:20:00Z', 'ktm'),
    event('k2', '2026-11-19T18:20:00Z', 'ktm'),
    // Across a month boundary: October 31st, then November 1st and 2nd.
    event('m1', '2026-10-31T10:00:00Z', 'mb'),
    event('m1', '2026-11-01T10:00:00Z', 'mb'),
    event('m1', '2026-11-02T10:00:00Z', 'mb'),
    // First ever, not first in the range: f1 started a week before the range.
    event('f1', '2026-11-02T10:00:00Z', 'fe'),
    event('f1', '2026-11-10T10:00:00Z', 'fe'),
    event('f2', '2026-11-10T10:00:00Z', 'fe'),
    // on vs on_or_after: o1 returns two weeks later only, with another event type.
    event('o1', '2026-11-09T10:00:00Z', 'oa'),
    event('o1', '2026-11-24T10:00:00Z', 'oa_return'),
    // Week start: Sunday 2026-11-15.
    event('w1', '2026-11-15T10:00:00Z', 'ws'),
    // Completeness at the clock (2026-12-20T00:00Z): c1's first week after its cohort has ended, the second has not.
    event('c1', '2026-12-01T10:00:00Z', 'cp'),
    event('c1', '2026-12-08T10:00:00Z', 'cp'),
    event('c1', '2026-12-15T10:00:00Z', 'cp'),
  ];
  assert.equal(await bed.store(rows), rows.length);
});

after(() => bed?.close());

test('weeks are local weeks of tz, across a DST change', async () => {
  const res = await retention({ period: 'week', periods: 2, start_event: 'dst', return_event: 'dst', from: '2026-10-19', to: '2026-10-25', tz: 'Europe/Berlin' });
  assert.deepEqual(table(res), [['2026-10-19T00:00:00.000+02:00', 2, [1, 0]]]);
  assert.deepEqual(
    res.body.data.cohorts[0].periods.map((p: { rate: number; complete: boolean }) => [p.rate, p.complete]),
    [
      [0.5, true],
      [0, true],
    ],
  );
});

test('days in a +05:45 zone', async () => {
  const res = await retention({ period: 'day', periods: 1, start_event: 'ktm', return_event: 'ktm', from: '2026-11-19', to: '2026-11-19', tz: 'Asia/Kathmandu' });
  assert.deepEqual(table(res), [['2026-11-19T00:00:00.000+05:45', 2, [1]]]);
});

test('a cohort across a month boundary, by day and by month', async () => {
  const body = { start_event: 'mb', return_event: 'mb', tz: 'Europe/Berlin' };
  assert.deepEqual(table(await retention({ ...body, period: 'day', periods: 3, from: '2026-10-31', to: '2026-10-31' })), [['2026-10-31T00:00:00.000+01:00', 1, [1, 1, 0]]]);
  assert.deepEqual(table(await retention({ ...body, period: 'month', periods: 1, from: '2026-10-01', to: '2026-10-31' })), [['2026-10-01T00:00:00.000+02:00', 1, [1]]]);
});

test("the cohort is the period of the unit's first-ever start event, not its first in the range", async () => {
  const res = await retention({ period: 'week', periods: 1, start_event: 'fe', from: '2026-11-09', to: '2026-11-15', tz: 'Europe/Berlin' });
  assert.deepEqual(table(res), [['2026-11-09T00:00:00.000+01:00', 1, [0]]]);
});

test('criteria on counts returns in the period; on_or_after in it or later', async () => {
  const body = { period: 'week', periods: 3, start_event: 'oa', return_event: 'oa_return', from: '2026-11-09', to: '2026-11-15', tz: 'Europe/Berlin' };
  assert.deepEqual(table(await retention({ ...body, criteria: 'on' })), [['2026-11-09T00:00:00.000+01:00', 1, [0, 1, 0]]]);
  assert.deepEqual(table(await retention({ ...body, criteria: 'on_or_after' })), [['2026-11-09T00:00:00.000+01:00', 1, [1, 1, 0]]]);
});

test('week_start moves the weeks; every week of the range is a cohort, empty ones too', async () => {
  const body = { period: 'week', periods: 1, start_event: 'ws', tz: 'Europe/Berlin' };
  assert.deepEqual(table(await retention({ ...body, week_start: 'sunday', from: '2026-11-15', to: '2026-11-15' })), [['2026-11-15T00:00:00.000+01:00', 1, [0]]]);
  assert.deepEqual(table(await retention({ ...body, from: '2026-11-15', to: '2026-11-16' })), [
    ['2026-11-09T00:00:00.000+01:00', 1, [0]],
    ['2026-11-16T00:00:00.000+01:00', 0, [0]],
  ]);
  assert.equal((await retention({ ...body, from: '2026-11-16', to: '2026-11-16' })).body.data.cohorts[0].periods[0].rate, null);
});

test('a period that has not ended is not complete', async () => {
  const res = await retention({ period: 'week', periods: 2, start_event: 'cp', from: '2026-11-30', to: '2026-12-06', tz: 'Europe/Berlin' });
  assert.deepEqual(table(res), [['2026-11-30T00:00:00.000+01:00', 1, [1, 1]]]);
  assert.deepEqual(res.body.data.cohorts[0].periods.map((p: { complete: boolean }) => p.complete), [true, false]);
});

test('visitor retention over periods the visitor ids do not outlive is a 422 saying why', async () => {
  for (const period of ['day', 'week', 'month']) {
    const res = await retention({ unit: 'visitor', period, from: '2026-11-01', to: '2026-11-30' });
    assert.equal(res.status, 422, period);
    assert.equal(res.body.error, 'retention_unreliable');
    assert.equal(res.body.errors[0].field, 'unit');
    assert.match(res.body.message, /visitor_id_mode daily/);
    // The advice names only what works: no period outlives daily ids, so none is offered.
    assert.doesNotMatch(res.body.message, /period=|shorter/, period);
    assert.match(res.body.message, period === 'month' ? /visitor_id_mode anonymous_id \(/ : /visitor_id_mode monthly or anonymous_id/, period);
    const asUser = await retention({ unit: 'user', period, from: '2026-11-01', to: '2026-11-30' });
    assert.equal(asUser.status, 200, `${period}: unit=user, as advised`);
  }
  await bed.db.pool.query("UPDATE projects SET visitor_id_mode = 'monthly' WHERE id = $1", [bed.shop.project.id]);
  for (let i = 0; i < 50 && bed.directory.project(bed.shop.project.id)?.visitorIdMode !== 'monthly'; i++) await sleep(100);
  assert.equal((await retention({ unit: 'visitor', period: 'week', start_event: 'dst', from: '2026-10-19', to: '2026-10-25', tz: 'Europe/Berlin' })).status, 200);
  const month = await retention({ unit: 'visitor', period: 'month', from: '2026-10-01', to: '2026-10-31' });
  assert.equal(month.status, 422);
  assert.match(month.body.message, /every UTC month/);
  // Monthly ids outlive days and weeks: the advice offers those periods, and each is answered.
  const advised = [...month.body.message.matchAll(/period=(\w+)/g)].map((m: RegExpMatchArray) => m[1]);
  assert.deepEqual(advised, ['day', 'week']);
  for (const period of advised) assert.equal((await retention({ unit: 'visitor', period, from: '2026-10-01', to: '2026-10-31' })).status, 200, period);
  assert.match(month.body.message, /visitor_id_mode anonymous_id/);
});

test('a bad retention request is a 400 naming the field', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ period: 'year' }, 'period'],
    [{ periods: 53 }, 'periods'],
    [{ criteria: 'sometimes' }, 'criteria'],
    [{ week_start: 'funday' }, 'week_start'],
    [{ period: 'day', from: '2020-01-01', to: '2026-01-01' }, 'from'],
    [{ start_event: 'sign up' }, 'start_event'],
    [{ return_event: 'a\u0000b' }, 'return_event'],
  ];
  for (const [body, field] of cases) {
    const res = await retention(body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.errors[0].field, field, JSON.stringify(res.body));
  }
});
