// The query benchmark's exactness check is only as good as its baselines: each raw-events query
// must compute the definitions. Held here to the brute-force reference (test/api/reference.ts) on
// bench traffic written through the loader, over a range that visits straddle at both ends.
import assert from 'node:assert/strict';
import test from 'node:test';
import { DateTime } from 'luxon';
import { createTestDatabase } from '../../test/support/database.ts';
import { countedEvents, countedVisits, isoMicros, readRaw, refStats, refVisits, visitMeasures, type RefQuery } from '../../test/api/reference.ts';
import { createTenants, defaultParams, loadTraffic } from './dataset.ts';
import { rawDailySeries, rawEventsPage, rawPageBreakdown, rawReferrerBreakdown, rawStats, type RawRange } from './raw-sql.ts';
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

    const pages = (await db.pool.query(rawPageBreakdown(r, 5).text, rawPageBreakdown(r, 5).values)).rows;
    const pageEvents = countedEvents(events, visits, q).filter((e) => e.page === pages[0].value);
    assert.equal(Number(pages[0].events), pageEvents.length);
    assert.equal(Number(pages[0].visits), new Set(pageEvents.map((e) => e.visit_id)).size);
    assert.ok(Number(pages[0].pageviews) >= Number(pages[1].pageviews));

    const referrers = (await db.pool.query(rawReferrerBreakdown(r, 20).text, rawReferrerBreakdown(r, 20).values)).rows;
    for (const row of referrers) {
      const ref = visitMeasures(counted.filter((v) => v.attributes.referrer === row.value));
      assert.equal(firstDifference({ visits: Number(row.visits), visitors: Number(row.visitors), bounce_rate: row.bounce_rate, avg_visit_duration_ms: row.avg_visit_duration_ms, views_per_visit: row.views_per_visit }, ref), undefined, String(row.value));
    }
    assert.equal(referrers.reduce((n, row) => n + Number(row.visits), 0), counted.length);

    const page = (await db.pool.query(rawEventsPage(r, 10).text, rawEventsPage(r, 10).values)).rows;
    const newest = countedEvents(events, visits, q).sort((a, b) => b.us - a.us || (a.event_id < b.event_id ? 1 : -1)).slice(0, 10);
    assert.deepEqual(page.map((e) => e.event_id), newest.map((e) => e.event_id));
  } finally {
    await db.drop();
  }
});
