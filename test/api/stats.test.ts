// GET /stats against hand-computed numbers: a fixture small enough to count on paper (visits,
// bounces and durations worked out in the comments), stored through the pipeline's loader.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { apiBed, enrichedRow, type ApiBed } from './api-bed.ts';

let bed: ApiBed;
let url: string;

/** An event with every enrichment field set, so the fixture reads as what is stored. */
const ev = (visitor: string, at: string, over: Partial<EventRow> = {}) =>
  enrichedRow({ project_id: bed.shop.project.id, visitor_id: visitor, timestamp: at, page_path: '/home', referrer_domain: null, device_type: 'desktop', is_bot: false, ...over });

// shop is in Europe/Berlin (+01:00 in November): the local day 2026-11-10 is 2026-11-09T23:00Z .. 2026-11-10T23:00Z.
//   A, visit 1 (google.com, desktop): page_view /home 08:00, click /home 08:02, page_view /pricing 08:05
//        → 3 events, 2 page views, not bounced, 300 000 ms
//   A, visit 2 (direct): page_view /home 15:00 → bounced, 0 ms
//   B (direct, mobile): page_view /pricing 09:00, page_unload /pricing 09:00:30 (5 s engaged)
//        → 1 page view, no interaction, 5 s < 10 s: bounced, 30 000 ms
//   C (bot, google.com): page_view /home 10:00, page_view /pricing 10:01 → 2 events, 60 000 ms
//   D: page_view at 23:30Z, the next local day; E: page_view 2026-11-09T12:00Z, the day before.
before(async () => {
  bed = await apiBed();
  url = `/api/v1/projects/${bed.shop.project.id}/stats`;
  const google = { referrer_domain: 'google.com' };
  await bed.store([
    ev('A', '2026-11-10T08:00:00Z', google),
    ev('A', '2026-11-10T08:02:00Z', { ...google, event_type: 'click' }),
    ev('A', '2026-11-10T08:05:00Z', { ...google, page_path: '/pricing' }),
    ev('A', '2026-11-10T15:00:00Z'),
    ev('B', '2026-11-10T09:00:00Z', { page_path: '/pricing', device_type: 'mobile' }),
    ev('B', '2026-11-10T09:00:30Z', { page_path: '/pricing', device_type: 'mobile', event_type: 'page_unload', engaged_ms: 5000 }),
    ev('C', '2026-11-10T10:00:00Z', { ...google, is_bot: true }),
    ev('C', '2026-11-10T10:01:00Z', { ...google, is_bot: true, page_path: '/pricing' }),
    ev('D', '2026-11-10T23:30:00Z'),
    ev('E', '2026-11-09T12:00:00Z'),
  ]);
});
after(() => bed.close());

const DAY = { from: '2026-11-10', to: '2026-11-10' };
const stats = async (query: Record<string, string | boolean>) => {
  const answer = await bed.get(url, bed.shop.readKey, query);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
};

describe('GET /stats', () => {
  test('a day, bots excluded: A (2 visits) and B', async () => {
    const body = await stats(DAY);
    assert.deepEqual(body.data, {
      visitors: 2,
      visits: 3,
      pageviews: 4,
      events: 6,
      events_by_type: { page_view: 4, click: 1, page_unload: 1 },
      bounce_rate: 2 / 3,
      avg_visit_duration_ms: (300_000 + 0 + 30_000) / 3,
      views_per_visit: 4 / 3,
    });
    assert.deepEqual(body.meta.bots, { included: false, excluded_events: 2 });
    assert.deepEqual(body.meta.range, { from: '2026-11-10T00:00:00.000+01:00', to: '2026-11-11T00:00:00.000+01:00' });
    assert.equal(body.previous, undefined);
  });

  test('include_bots counts C too', async () => {
    const body = await stats({ ...DAY, include_bots: true });
    assert.deepEqual(body.data, {
      visitors: 3,
      visits: 4,
      pageviews: 6,
      events: 8,
      events_by_type: { page_view: 6, click: 1, page_unload: 1 },
      bounce_rate: 2 / 4,
      avg_visit_duration_ms: (300_000 + 0 + 30_000 + 60_000) / 4,
      views_per_visit: 6 / 4,
    });
    assert.deepEqual(body.meta.bots, { included: true, excluded_events: 0 });
  });

  test('visit filters: referrer (every event of the visit), (none), device', async () => {
    const google = await stats({ ...DAY, referrer: 'google.com' });
    assert.deepEqual(google.data, {
      visitors: 1, visits: 1, pageviews: 2, events: 3, events_by_type: { page_view: 2, click: 1 }, bounce_rate: 0, avg_visit_duration_ms: 300_000, views_per_visit: 2,
    });
    const direct = await stats({ ...DAY, referrer: '(none)' });
    assert.deepEqual(direct.data, {
      visitors: 2, visits: 2, pageviews: 2, events: 3, events_by_type: { page_view: 2, page_unload: 1 }, bounce_rate: 1, avg_visit_duration_ms: 15_000, views_per_visit: 1,
    });
    const mobile = await stats({ ...DAY, device: 'mobile' });
    assert.deepEqual(mobile.data, {
      visitors: 1, visits: 1, pageviews: 1, events: 2, events_by_type: { page_view: 1, page_unload: 1 }, bounce_rate: 1, avg_visit_duration_ms: 30_000, views_per_visit: 1,
    });
  });

  test('event filters: page counts its events and the visits with one; event_type likewise', async () => {
    const pricing = await stats({ ...DAY, page: '/pricing' });
    assert.deepEqual(pricing.data, {
      visitors: 2, visits: 2, pageviews: 2, events: 3, events_by_type: { page_view: 2, page_unload: 1 }, bounce_rate: 1 / 2, avg_visit_duration_ms: 165_000, views_per_visit: 3 / 2,
    });
    const clicks = await stats({ ...DAY, event_type: 'click' });
    assert.deepEqual(clicks.data, {
      visitors: 1, visits: 1, pageviews: 0, events: 1, events_by_type: { click: 1 }, bounce_rate: 0, avg_visit_duration_ms: 300_000, views_per_visit: 2,
    });
  });

  test('compare=previous: the local day before (E alone)', async () => {
    const body = await stats({ ...DAY, compare: 'previous' });
    assert.equal(body.data.events, 6);
    assert.deepEqual(body.previous, {
      visitors: 1, visits: 1, pageviews: 1, events: 1, events_by_type: { page_view: 1 }, bounce_rate: 1, avg_visit_duration_ms: 0, views_per_visit: 1,
    });
    assert.deepEqual(body.meta.previous_range, { from: '2026-11-09T00:00:00.000+01:00', to: '2026-11-10T00:00:00.000+01:00' });
  });

  test('compare=previous over a week after the autumn change: the week before, 169 hours', async () => {
    const body = await stats({ from: '2026-10-26', to: '2026-11-01', compare: 'previous' });
    assert.deepEqual(body.meta.previous_range, { from: '2026-10-19T00:00:00.000+02:00', to: '2026-10-26T00:00:00.000+01:00' });
    assert.equal(body.previous.events, 0);
  });

  test('an unaligned range with microsecond bounds: events on either side of a bound', async () => {
    // 08:02:00 (A's click) is the first instant; 09:00:30 (B's unload) is the end, excluded.
    const body = await stats({ from: '2026-11-10T08:02:00.000000Z', to: '2026-11-10T09:00:30.000000Z' });
    assert.deepEqual(body.data.events_by_type, { click: 1, page_view: 2 });
    // Visits started in the range: B only (A's first visit started at 08:00).
    assert.equal(body.data.visits, 1);
    const shifted = await stats({ from: '2026-11-10T08:02:00.000001Z', to: '2026-11-10T09:00:30.000001Z', compare: 'previous' });
    assert.deepEqual(shifted.data.events_by_type, { page_view: 2, page_unload: 1 });
    // The range is echoed as it was read, to the microsecond, in the project's zone; so is the previous one.
    assert.deepEqual(shifted.meta.range, { from: '2026-11-10T09:02:00.000001+01:00', to: '2026-11-10T10:00:30.000001+01:00' });
    assert.deepEqual(shifted.meta.previous_range, { from: '2026-11-10T08:03:30.000001+01:00', to: '2026-11-10T09:02:00.000001+01:00' });
  });

  test('400 names the parameter: compare, tz, from', async () => {
    for (const [query, field] of [
      [{ compare: 'next' }, 'compare'],
      [{ tz: 'Mars/Olympus_Mons' }, 'tz'],
      [{ from: '2026-13-01' }, 'from'],
      [{ from: '2026-11-10', to: '2026-11-09' }, 'from'],
      [{ event_type: 'page view' }, 'event_type'],
    ] as const) {
      const answer = await bed.get(url, bed.shop.readKey, query);
      assert.equal(answer.status, 400, JSON.stringify(query));
      assert.equal(answer.body.errors[0].field, field);
    }
    assert.equal((await bed.get(url, bed.shop.readKey, { event_type: 'page view' })).body.message, 'event_type: must be letters, digits and _ . : - only, as an event type');
  });

  // Last: they change the rollups. Whole 15-minute buckets are read from them, so a counter
  // changed behind the loader's back shows in an aligned range and not in an unaligned one, and a
  // filtered report (the raw path) does not see it (docs/metrics.md § Which rows serve a report).
  test('aligned ranges read the counters: the narrow ones without filters, the page ones with a page filter', async () => {
    const project = bed.shop.project.id;
    await bed.db.pool.query(`UPDATE event_type_counts_15m SET events = events + 100 WHERE project_id = $1 AND bucket = '2026-11-10T08:00:00Z' AND event_type = 'click'`, [project]);
    assert.equal((await stats(DAY)).data.events_by_type.click, 101);
    assert.equal((await stats({ from: '2026-11-10T08:00:00.000001Z', to: '2026-11-10T08:14:59Z' })).data.events_by_type.click, 1);
    assert.equal((await stats({ ...DAY, page: '/home' })).data.events_by_type.click, 1);
    await bed.db.pool.query(`UPDATE event_counts_15m SET events = events + 10 WHERE project_id = $1 AND bucket = '2026-11-10T08:00:00Z' AND event_type = 'click'`, [project]);
    assert.equal((await stats({ ...DAY, page: '/home' })).data.events_by_type.click, 11);
  });

  test('unfiltered visits come from the visit counters and the previous-visit links; filtered ones from the visits', async () => {
    const project = bed.shop.project.id;
    const before = (await stats(DAY)).data;
    await bed.db.pool.query(`UPDATE visit_counts_15m SET visits = visits + 7, duration_ms = duration_ms + 7000 WHERE project_id = $1 AND bucket = '2026-11-10T09:00:00Z' AND NOT is_bot`, [project]);
    // B's visit (09:00) counts as a returning visitor's when its link says a visit started in the range before it.
    await bed.db.pool.query(`UPDATE visits SET previous_human_visit_start = '2026-11-10T08:00:00Z' WHERE project_id = $1 AND visitor_id = 'B'`, [project]);
    const after = (await stats(DAY)).data;
    assert.equal(after.visits, before.visits + 7);
    assert.equal(after.avg_visit_duration_ms, (300_000 + 0 + 30_000 + 7000) / 10);
    assert.equal(after.visitors, before.visitors - 1);
    const unaligned = (await stats({ from: '2026-11-10T09:00:00.000001Z', to: '2026-11-10T09:14:00Z' })).data;
    assert.equal(unaligned.visits, 0, 'B started at 09:00:00, before this range');
    const filtered = (await stats({ ...DAY, device: 'mobile' })).data;
    assert.deepEqual([filtered.visits, filtered.visitors], [1, 1], 'the raw path reads neither');
  });
});
