// Properties of the visit assignment against a brute-force reference written apart from it:
// in time order it is "split at gaps of 30 minutes or more, and at 24 hours"; in any arrival order
// and however the stream is cut into batches, the result is the same and every visit's stored
// state equals a recomputation from its events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assignVisits, batchVisitors, type Visit, type VisitEvent } from './assign-visits.ts';
import { toMicros } from './instant.ts';
import { testEvent } from './test-events.ts';

const T0 = Date.UTC(2026, 0, 1);
const GAP = 30 * 60_000;
const DAY = 24 * 3_600_000;
const TYPES = ['page_view', 'page_view', 'page_unload', 'button_click', 'custom'];

// Gaps chosen to hit the boundaries: equal times, just under and at 30 minutes, long steps that
// reach the 24-hour cap, and long pauses.
const gapArb = fc.oneof(fc.constantFrom(0, 1, GAP - 1, GAP, GAP + 1, 25 * 60_000, 3 * 3_600_000), fc.integer({ min: 0, max: 40 * 60_000 }));
const eventArb = fc.record({ gap: gapArb, type: fc.constantFrom(...TYPES), path: fc.constantFrom('/a', '/b', null), bot: fc.boolean(), engaged: fc.option(fc.nat(20_000)) });
const visitorArb = fc.array(eventArb, { minLength: 1, maxLength: 70 });

function events(visitors: { gap: number; type: string; path: string | null; bot: boolean; engaged: number | null }[][]): VisitEvent[] {
  const out: VisitEvent[] = [];
  let n = 0;
  for (const [v, list] of visitors.entries()) {
    let t = T0;
    for (const e of list) {
      t += e.gap;
      n += 1;
      out.push(
        testEvent(`s:${v}`, n, t, {
          event_type: e.type,
          page_path: e.path,
          referrer_domain: e.path === '/a' ? 'ref.example' : null,
          utm_source: `u${n}`,
          is_bot: e.bot,
          engaged_ms: e.type === 'page_unload' ? e.engaged : null,
        }),
      );
    }
  }
  return out;
}

function groupBy<T>(list: T[], key: (item: T, index: number) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const [i, item] of list.entries()) {
    const k = key(item, i);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

const order = (a: VisitEvent, b: VisitEvent) => Date.parse(a.timestamp) - Date.parse(b.timestamp) || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0);

/** Reference: each visitor's events in time order, split at gaps ≥ 30 min and at 24 h from the visit's start. */
function gapSplit(all: VisitEvent[]): string[][] {
  const groups: string[][] = [];
  const byVisitor = groupBy(all, (e) => e.visitor_id);
  for (const list of byVisitor.values()) {
    let start = -Infinity;
    let prev = -Infinity;
    for (const e of [...list].sort(order)) {
      const t = Date.parse(e.timestamp);
      if (t - prev >= GAP || t - start >= DAY) {
        groups.push([]);
        start = t;
      }
      groups.at(-1)!.push(e.event_id);
      prev = t;
    }
  }
  return groups.map((g) => g.sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

function groupsOf(all: VisitEvent[], ids: string[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const [i, e] of all.entries()) groups.set(ids[i]!, [...(groups.get(ids[i]!) ?? []), e.event_id]);
  return [...groups.values()].map((g) => g.sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** Reference: a visit's stored state recomputed from its events. */
function recompute(list: VisitEvent[]): Partial<Visit> {
  const sorted = [...list].sort(order);
  const views = sorted.filter((e) => e.event_type === 'page_view');
  const entry = (views.length > 0 ? views : sorted)[0]!;
  const exit = (views.length > 0 ? views : sorted).at(-1)!;
  return {
    visit_start: toMicros(sorted[0]!.timestamp),
    visit_end: toMicros(sorted.at(-1)!.timestamp),
    events: list.length,
    pageviews: views.length,
    interactions: list.filter((e) => e.event_type !== 'page_view' && e.event_type !== 'page_unload').length,
    engaged_ms: list.reduce((s, e) => s + (e.event_type === 'page_unload' ? (e.engaged_ms ?? 0) : 0), 0),
    entry_event_id: entry.event_id,
    entry_path: entry.page_path ?? '/',
    exit_event_id: exit.event_id,
    exit_path: exit.page_path ?? '/',
    utm_source: entry.utm_source,
    referrer_domain: entry.referrer_domain,
    is_bot: list.some((e) => e.is_bot),
  };
}

/** Batches one after another, each given only the stored visits inside its candidate windows (as the loader reads them). */
function inBatches(all: VisitEvent[], cuts: number[]): { ids: string[]; visits: Map<string, Visit> } {
  const stored = new Map<string, Visit>();
  const ids: string[] = [];
  const bounds = [...new Set([0, ...cuts.map((c) => c % (all.length + 1)), all.length])].sort((a, b) => a - b);
  for (let i = 0; i + 1 < bounds.length; i++) {
    const batch = all.slice(bounds[i], bounds[i + 1]);
    const prepared = batchVisitors(batch);
    const { windows } = prepared;
    const candidates = [...stored.values()].filter((v) => windows.some((w) => w.visitor_id === v.visitor_id && v.visit_end >= w.from && v.visit_start <= w.to));
    const a = assignVisits(candidates, batch, prepared);
    ids.push(...a.visitIds);
    for (const v of a.visits) stored.set(v.visit_id, v);
  }
  return { ids, visits: stored };
}

test('in time order, assignment is the gap split: 30 minutes and 24 hours', () => {
  fc.assert(
    fc.property(fc.array(visitorArb, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 5 }), (visitors, cuts) => {
      const all = events(visitors).sort(order);
      const { ids } = inBatches(all, cuts);
      assert.deepEqual(groupsOf(all, ids), gapSplit(all));
    }),
    { numRuns: 300 },
  );
});

test('any arrival order, any batch cuts: one result, and every visit equals its recomputation', () => {
  fc.assert(
    fc.property(
      fc.array(visitorArb, { minLength: 1, maxLength: 3 }).chain((visitors) => {
        const all = events(visitors);
        return fc.tuple(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), fc.array(fc.nat(), { maxLength: 6 }));
      }),
      ([arrival, cuts]) => {
        const whole = inBatches(arrival, []);
        const cut = inBatches(arrival, cuts);
        assert.deepEqual(cut.ids, whole.ids, 'batch cuts change nothing');
        const byVisit = groupBy(arrival, (_e, i) => cut.ids[i]!);
        assert.equal(cut.visits.size, byVisit.size);
        for (const [id, list] of byVisit) {
          const v = cut.visits.get(id)!;
          const expected = recompute(list);
          for (const [k, value] of Object.entries(expected)) assert.deepEqual(v[k as keyof Visit], value, `${k} of visit ${id}`);
          // Whatever the order, a visit has no gap of 30 minutes and is under 24 hours.
          const times = list.map((e) => Date.parse(e.timestamp)).sort((a, b) => a - b);
          for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! < GAP);
          assert.ok(times.at(-1)! - times[0]! < DAY);
        }
      },
    ),
    { numRuns: 300 },
  );
});
