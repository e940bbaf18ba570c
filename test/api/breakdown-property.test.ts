// Property: on random events (visitors, visits cut by the real loader, bots, missing values,
// values whose bytewise order differs from a locale's), GET /breakdown of every dimension, under
// random ranges and filters, equals the brute-force reference over the raw rows read back from
// analytics_events; and walking it page by page at a random limit gives the same rows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { rollupDifferences } from '../../db/rollup-check.ts';
import { pgRunner } from '../../db/sql-runner.ts';
import { eventRow } from '../support/event-row.ts';
import { apiBed, type ApiBed } from './api-bed.ts';
import { readRaw, type RefQuery } from './reference.ts';
import { REF_DIMENSIONS, refBreakdown, type RefBreakdownRow } from './reference-breakdown.ts';

let bed: ApiBed;

before(async () => {
  bed = await apiBed();
});
after(async () => {
  await bed?.close();
});

const BASE = Date.parse('2026-11-19T10:00:00Z');
const MIN = 60_000;
// Small pools so values repeat and tie; 'Z' < 'a' < 'é' bytewise, not in most locales.
const TEXT = [null, 'a', 'Z', 'é', 'b b'];
const PATHS = [null, '/', '/a', '/Z', '/é'];
const TYPES = ['page_view', 'page_view', 'page_view', 'button_click', 'page_unload', 'signup'];

const eventSpec = fc.record({
  visitor: fc.integer({ min: 0, max: 6 }),
  minutes: fc.integer({ min: 0, max: 360 }),
  type: fc.constantFrom(...TYPES),
  path: fc.constantFrom(...PATHS),
  button: fc.constantFrom(null, 'buy', 'Buy', ''),
  referrer: fc.constantFrom(...TEXT),
  utm: fc.constantFrom(...TEXT),
  browser: fc.constantFrom(...TEXT),
  device: fc.constantFrom(null, 'desktop', 'mobile'),
  engaged: fc.constantFrom(null, 2000, 15_000),
  // One event in ten is a bot's, which makes its whole visit a bot visit.
  bot: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});
type Spec = typeof eventSpec extends fc.Arbitrary<infer T> ? T : never;
// The same events spread over four days, so a visitor's previous row of a value is often more
// than a visit's longest span (24 h) before a late batch's rows: the loader's relinking must
// still find it.
const spreadSpec = fc.tuple(eventSpec, fc.integer({ min: 0, max: 3 })).map(([s, day]) => ({ ...s, minutes: s.minutes + day * 1440 }));

function toRow(project: string, s: Spec): EventRow {
  const at = new Date(BASE + s.minutes * MIN).toISOString();
  return eventRow({
    project_id: project,
    timestamp: at,
    received_at: at,
    event_type: s.type,
    page_url: `https://shop.example${s.path ?? '/'}`,
    page_path: s.path,
    button_id: s.type === 'button_click' ? s.button : null,
    visitor_id: `h:${s.visitor}`,
    referrer_domain: s.referrer,
    utm_source: s.utm,
    utm_medium: s.utm === null ? null : `m-${s.utm}`,
    utm_campaign: s.browser,
    browser: s.browser,
    os: s.referrer,
    device_type: s.device,
    engaged_ms: s.type === 'page_unload' ? s.engaged : null,
    is_bot: s.bot,
  });
}

const filterArb = fc.record({
  includeBots: fc.boolean(),
  // Half the runs without each kind of filter.
  event: fc.option(fc.constantFrom<[string, string]>(['event_type', 'page_view'], ['page', '/a'], ['page', '/'], ['event_type', 'button_click']), { freq: 2 }),
  visit: fc.option(fc.constantFrom<[string, string]>(['referrer', 'a'], ['referrer', '(none)'], ['browser', 'é'], ['device', 'mobile'], ['utm_source', '(none)']), { freq: 2 }),
});

async function reset(project: string) {
  for (const table of ['analytics_events', 'visits', 'visitor_first_seen', 'event_counts_15m', 'event_type_counts_15m', 'visit_counts_15m', 'event_value_visits_15m', 'analytics_event_ids']) {
    await bed.db.pool.query(`DELETE FROM ${table} WHERE project_id = $1`, [project]);
  }
}

/** Ratios rounded to 12 significant digits: the database divides in float8, the reference in doubles. */
const comparable = (rows: RefBreakdownRow[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toPrecision(12)) : v])));

test('every dimension equals the brute-force reference, whole and page by page', async () => {
  const project = bed.shop.project.id;
  const url = `/api/v1/projects/${project}/breakdown`;
  await fc.assert(
    fc.asyncProperty(
      fc.array(eventSpec, { minLength: 10, maxLength: 60 }),
      fc.integer({ min: 0, max: 240 }),
      fc.integer({ min: 30, max: 480 }),
      filterArb,
      fc.integer({ min: 1, max: 4 }),
      async (specs, fromMin, spanMin, filters, limit) => {
        await reset(project);
        await bed.store(specs.map((s) => toRow(project, s)));
        const raw = await readRaw(bed.db.pool, project);
        const from = new Date(BASE + fromMin * MIN);
        const to = new Date(from.getTime() + spanMin * MIN);
        const q: RefQuery = {
          fromUs: from.getTime() * 1000,
          toUs: to.getTime() * 1000,
          includeBots: filters.includeBots,
          eventFilters: filters.event ? { [filters.event[0]]: filters.event[1] } : {},
          visitFilters: filters.visit ? { [filters.visit[0]]: filters.visit[1] } : {},
        };
        const query = {
          from: from.toISOString(),
          to: to.toISOString(),
          include_bots: filters.includeBots,
          ...(filters.event ? { [filters.event[0]]: filters.event[1] } : {}),
          ...(filters.visit ? { [filters.visit[0]]: filters.visit[1] } : {}),
        };
        for (const dimension of REF_DIMENSIONS) {
          const expected = refBreakdown(raw, q, dimension);
          const whole = await bed.get(url, bed.shop.readKey, { ...query, dimension, limit: 1000 });
          assert.equal(whole.status, 200, JSON.stringify(whole.body));
          assert.deepEqual(comparable(whole.body.data), comparable(expected), `${dimension} ${JSON.stringify(query)}`);
          assert.equal(whole.body.total, expected.length);
          const paged: RefBreakdownRow[] = [];
          let cursor: string | undefined;
          do {
            const page = await bed.get(url, bed.shop.readKey, { ...query, dimension, limit, cursor });
            assert.equal(page.status, 200, JSON.stringify(page.body));
            paged.push(...page.body.data);
            cursor = page.body.next_cursor ?? undefined;
          } while (cursor !== undefined && paged.length <= expected.length);
          assert.deepEqual(comparable(paged), comparable(expected), `${dimension} by ${limit}`);
        }
      },
    ),
    { numRuns: 25 },
  );
});

// Every dimension of an unfiltered report without bots over whole 15-minute buckets is served by
// the loader's rollups: visit dimensions by the value links of migration 022, event dimensions
// (page, event_type, button_id) by event_value_visits_15m (023, 026) (docs/metrics.md § Which rows
// serve a report). Events arrive in several batches
// in random order, so late events move visits' starts and change their entry values after the
// links were written; the links must then equal their recomputation and the answers the reference.
test('unfiltered breakdowns through the value links and event-value rollup equal the reference after batches in any order', async () => {
  const project = bed.shop.project.id;
  const url = `/api/v1/projects/${project}/breakdown`;
  await fc.assert(
    fc.asyncProperty(
      fc.array(spreadSpec, { minLength: 10, maxLength: 60 }),
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 60, maxLength: 60 }),
      // Whole 15-minute buckets (BASE is on one), as the event rollup requires.
      fc.integer({ min: 0, max: 300 }).map((n) => n * 15),
      fc.integer({ min: 2, max: 400 }).map((n) => n * 15),
      async (specs, batchOf, fromMin, spanMin) => {
        await reset(project);
        for (let b = 3; b >= 0; b--) {
          const batch = specs.filter((_, i) => batchOf[i] === b);
          if (batch.length > 0) await bed.store(batch.map((s) => toRow(project, s)), b % 2);
        }
        assert.deepEqual(await rollupDifferences(project, pgRunner(bed.db.pool)), []);
        const raw = await readRaw(bed.db.pool, project);
        const from = new Date(BASE + fromMin * MIN);
        const to = new Date(from.getTime() + spanMin * MIN);
        const q: RefQuery = { fromUs: from.getTime() * 1000, toUs: to.getTime() * 1000, includeBots: false, eventFilters: {}, visitFilters: {} };
        for (const dimension of REF_DIMENSIONS) {
          const expected = refBreakdown(raw, q, dimension);
          const whole = await bed.get(url, bed.shop.readKey, { from: from.toISOString(), to: to.toISOString(), dimension, limit: 1000 });
          assert.equal(whole.status, 200, JSON.stringify(whole.body));
          assert.deepEqual(comparable(whole.body.data), comparable(expected), `${dimension} ${from.toISOString()}..${to.toISOString()}`);
        }
      },
    ),
    { numRuns: 20 },
  );
});
