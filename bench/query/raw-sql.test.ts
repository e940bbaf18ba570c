// The query benchmark's exactness check is only as good as its baselines: each raw-events query
// must compute the definitions. Held here to the brute-force reference (test/api/reference.ts) on
// bench traffic written through the loader, over a range that visits straddle at both ends.
import assert from 'node:assert/strict';
import test from 'node:test';
import { DateTime } from 'luxon';
import { createTestDatabase } from '../../test/support/database.ts';
import { countedEvents, countedVisits, isoMicros, readRaw, refStats, refVisits, type RefQuery } from '../../test/api/reference.ts';
import { createTenants, defaultParams, loadTraffic } from './dataset.ts';
import { REF_DIMENSIONS, refBreakdown } from '../../test/api/reference-breakdown.ts';
import { RAW_EVENT_DIMENSIONS, rawDailySeries, rawEventBreakdown, rawEventsPage, rawStats, rawVisitBreakdown, type RawEventDimension, type RawRange, type RawVisitDimension } from './raw-sql.ts';
import { firstDifference } from './same-answer.ts';

const TZ = 'Europe/Berlin';

test('raw-events baselines equal the reference on loader-written bench traffic', { timeout: 120_000 }, async () => {
  const db = await createTestDatabase('analytics_test_bench_raw');
  try {
    const tenants = await createTenants(db.pool);
    const params = { ...defaultParams(6_000), visitors: 150, days: 3 };
    const stored = await loadTraffic(db.url, params, tenants, () => undefined);
    assert.ok(stored > 5_500 && stored <= 6_000, `stored ${stored}`);
    const events = await readRaw(db.pool, tenants.shop);
    const visits = refVisits(events);
    // The middle day in Berlin: visits start before it and run past its end.
    const day = DateTime.fromISO(params.end, { zone: TZ }).minus({ days: 2 }).startOf('day');
    const r: RawRange = { project: tenants.shop, from: day.toUTC().toISO()!, to: day.plus({ days: 1 }).toUTC().toISO()!, tz: TZ };
    const q: RefQuery = { fromUs: isoMicros(r.from), toUs: isoMicros(r.to), includeBots: false, eventFilters: {}, visitFilters: {} };
    const counted = countedVisits(visits, q);
    assert.ok(counted.length > 100 && events.some((e) => e.is_bot), 'traffic has visits and bots in the range');

    const [stats] = (await db.pool.query(rawStats(r).text, rawStats(r).values)).rows;
    const ref = refStats(events, q, visits);
    const byType = Object.fromEntries(Object.entries(stats.events_by_type as Record<string, number>).map(([k, v]) => [k, Number(v)]));
    assert.equal(firstDifference({ ...stats, visits: Number(stats.visits), visitors: Number(stats.visitors), events_by_type: byType }, { ...ref, events: undefined, pageviews: undefined }), undefined);

    const series = (await db.pool.query(rawDailySeries(r).text, rawDailySeries(r).values)).rows;
    assert.deepEqual(series.map((s) => s.day), [day.toISODate()]);
    assert.equal(Number(series[0].events), ref.events);
    assert.equal(Number(series[0].visits), ref.visits);

    // Every dimension's baseline against the reference's rows (ratios to 12 significant digits:
    // float8 in the database, doubles in the reference).
    const round = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toPrecision(12)) : typeof v === 'string' && k !== 'value' ? Number(v) : v]));
    for (const dimension of REF_DIMENSIONS) {
      const raw = dimension in RAW_EVENT_DIMENSIONS ? rawEventBreakdown(r, dimension as RawEventDimension, 50) : rawVisitBreakdown(r, dimension as RawVisitDimension, 50);
      const rows = (await db.pool.query(raw.text, raw.values)).rows;
      const expected = refBreakdown(events, q, dimension, visits).slice(0, 50);
      assert.ok(expected.length > 0, dimension);
      assert.deepEqual(rows.map(round), expected.map(round), dimension);
    }

    const page = (await db.pool.query(rawEventsPage(r, 10).text, rawEventsPage(r, 10).values)).rows;
    const newest = countedEvents(events, visits, q).sort((a, b) => b.us - a.us || (a.event_id < b.event_id ? 1 : -1)).slice(0, 10);
    assert.deepEqual(page.map((e) => e.event_id), newest.map((e) => e.event_id));
  } finally {
    await db.drop();
  }
});
