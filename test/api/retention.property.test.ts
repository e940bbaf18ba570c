// POST /retention against a brute-force reference written here from docs/metrics.md § Retention:
// local periods found from Intl's local date of each instant (apart from the route's luxon
// calendar), each unit's first-ever start event, and its returns, on random data around DST
// changes and month ends, in zones with whole, half and 45-minute offsets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { apiBed, enrichedRow, type ApiBed } from './api-bed.ts';
import { readRaw, type RawEvent } from './reference.ts';

let bed: ApiBed;
let nowMs = 0;
before(async () => {
  bed = await apiBed({ now: () => new Date(nowMs) });
  // Visitor retention by week and day is answered for monthly visitor ids (the 422 rule is the fixture's).
  await bed.db.pool.query("UPDATE projects SET visitor_id_mode = 'monthly' WHERE id = $1", [bed.shop.project.id]);
  await bed.directory.reload();
});
after(() => bed.close());

const DAY_MS = 86_400_000;
const QUARTER_MS = 900_000;
const BASE_MS = Date.parse('2026-10-05T00:00:00Z');
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Asia/Kolkata'] as const;
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** The local date (YYYY-MM-DD) of an instant in tz, from Intl. */
function localDate(ms: number, tz: string): string {
  let f = formatters.get(tz);
  if (f === undefined) formatters.set(tz, (f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(new Date(ms));
}
/** A period's number: days since the epoch, weeks from week_start, months since year 0. */
function periodNumber(date: string, period: 'day' | 'week' | 'month', weekStart: number): number {
  const day = Date.parse(`${date}T00:00:00Z`) / DAY_MS;
  if (period === 'day') return day;
  if (period === 'month') return Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
  // 1970-01-01 was a Thursday (index 3 from Monday).
  return Math.floor((day + 3 - weekStart) / 7);
}
/** The first instant (ms) of the period number n, found on the quarter-hour grid (every offset is a multiple of 15 minutes). */
function firstInstant(n: number, around: number, key: (ms: number) => number): number {
  let t = Math.floor(around / QUARTER_MS) * QUARTER_MS;
  while (key(t) >= n) t -= 7 * DAY_MS;
  while (key(t) < n) t += QUARTER_MS;
  return t;
}

const eventArb = fc.record({ dayOffset: fc.integer({ min: 0, max: 75 }), minute: fc.integer({ min: 0, max: 1439 }), type: fc.constantFrom('s', 's', 'r', 'r', 'x') });
const dataArb = fc.array(fc.record({ who: fc.nat(9), events: fc.array(eventArb, { minLength: 1, maxLength: 8 }) }), { minLength: 4, maxLength: 14 });
const queryArb = fc.record({
  tz: fc.constantFrom(...ZONES),
  period: fc.constantFrom('day' as const, 'week' as const, 'month' as const),
  periods: fc.integer({ min: 1, max: 6 }),
  unit: fc.constantFrom('user' as const, 'visitor' as const),
  startEvent: fc.constantFrom(undefined, 's'),
  returnEvent: fc.constantFrom(undefined, 'r'),
  criteria: fc.constantFrom('on' as const, 'on_or_after' as const),
  weekStart: fc.nat(6),
  fromDay: fc.integer({ min: 0, max: 40 }),
  days: fc.integer({ min: 1, max: 30 }),
  nowDay: fc.integer({ min: 20, max: 90 }),
  includeBots: fc.boolean(),
});
type Query = typeof queryArb extends fc.Arbitrary<infer T> ? T : never;

function rows(data: { who: number; events: { dayOffset: number; minute: number; type: string }[] }[], projectId: string): EventRow[] {
  return data.flatMap(({ who, events }) =>
    events.map((e) => {
      const at = new Date(BASE_MS + e.dayOffset * DAY_MS + e.minute * 60_000).toISOString();
      const user = who < 6 ? `user-${who}` : null;
      return enrichedRow({ project_id: projectId, event_type: e.type, timestamp: at, received_at: at, user_id: user, visitor_id: user !== null ? `u:${user}` : `h:${who}`, is_bot: who === 9 });
    }),
  );
}

function reference(raw: readonly RawEvent[], q: Query) {
  const dateOf = (d: number) => new Date(BASE_MS + d * DAY_MS).toISOString().slice(0, 10);
  const from = firstInstant(periodNumber(dateOf(q.fromDay), 'day', 0), BASE_MS + q.fromDay * DAY_MS, (ms) => periodNumber(localDate(ms, q.tz), 'day', 0));
  const to = firstInstant(periodNumber(dateOf(q.fromDay + q.days), 'day', 0), BASE_MS + (q.fromDay + q.days) * DAY_MS, (ms) => periodNumber(localDate(ms, q.tz), 'day', 0));
  const key = (ms: number) => periodNumber(localDate(ms, q.tz), q.period, q.weekStart);
  const counted = raw.filter((e) => (q.includeBots || !e.is_bot) && (q.unit === 'user' ? e.user_id : e.visitor_id) !== null);
  const unitOf = (e: RawEvent) => (q.unit === 'user' ? e.user_id : e.visitor_id)!;
  const first = new Map<string, number>();
  for (const e of counted) if (q.startEvent === undefined || e.event_type === q.startEvent) first.set(unitOf(e), Math.min(first.get(unitOf(e)) ?? Infinity, e.us / 1000));
  const [firstKey, lastKey] = [key(from), key(to - 1)];
  return Array.from({ length: lastKey - firstKey + 1 }, (_, c) => {
    const cohort = firstKey + c;
    const members = [...first].filter(([, ms]) => ms >= from && ms < to && key(ms) === cohort).map(([u]) => u);
    const offsets = members.map((u) => counted.filter((e) => unitOf(e) === u && (q.returnEvent === undefined || e.event_type === q.returnEvent)).map((e) => key(e.us / 1000) - cohort));
    const start = firstInstant(cohort, Math.max(from, BASE_MS), key);
    return {
      start: new Date(start).toISOString(),
      size: members.length,
      periods: Array.from({ length: q.periods }, (_, i) => {
        const n = offsets.filter((o) => (q.criteria === 'on' ? o.includes(i + 1) : o.some((k) => k >= i + 1))).length;
        return { index: i + 1, count: n, rate: members.length === 0 ? null : n / members.length, complete: firstInstant(cohort + i + 2, start, key) <= nowMs };
      }),
    };
  });
}

test('retention equals the brute-force reference on random data, zones and periods', async () => {
  await fc.assert(
    fc.asyncProperty(dataArb, fc.array(queryArb, { minLength: 4, maxLength: 4 }), async (data, queries) => {
      await bed.db.pool.query('TRUNCATE analytics_events, analytics_event_ids, visits, visitor_first_seen, event_counts_15m');
      const stored = rows(data, bed.shop.project.id);
      assert.equal(await bed.store(stored), stored.length);
      const raw = await readRaw(bed.db.pool, bed.shop.project.id);
      for (const q of queries) {
        nowMs = BASE_MS + q.nowDay * DAY_MS;
        const day = (d: number) => new Date(BASE_MS + d * DAY_MS).toISOString().slice(0, 10);
        const body = {
          from: day(q.fromDay),
          to: day(q.fromDay + q.days - 1),
          tz: q.tz,
          period: q.period,
          periods: q.periods,
          unit: q.unit,
          criteria: q.criteria,
          week_start: WEEKDAYS[q.weekStart],
          include_bots: q.includeBots,
          ...(q.startEvent !== undefined ? { start_event: q.startEvent } : {}),
          ...(q.returnEvent !== undefined ? { return_event: q.returnEvent } : {}),
        };
        const res = await bed.app.inject({ method: 'POST', url: `/api/v1/projects/${bed.shop.project.id}/retention`, headers: { 'x-api-key': bed.shop.readKey }, payload: body });
        if (q.unit === 'visitor' && q.period === 'month') {
          assert.equal(res.statusCode, 422, res.body);
          continue;
        }
        assert.equal(res.statusCode, 200, res.body);
        const got = res.json().data.cohorts.map((c: { start: string }) => ({ ...c, start: new Date(c.start).toISOString() }));
        assert.deepEqual(got, reference(raw, q), JSON.stringify(body));
      }
    }),
    { numRuns: 15, includeErrorInReport: true },
  );
});
