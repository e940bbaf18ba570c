// The in-memory previous-visit links against a brute-force recomputation written apart from them
// (the migration's lag() over (visit_start, visit_id); a bot visit has no human predecessor):
// batches in any arrival order and cut anywhere, each given only what the loader reads (its
// candidates and window edges), leave every visit's links equal to the recomputation over all
// visits, with the visitors previousLinks leaves undecided recomputed as the SQL statement does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { linkChanges } from '../adapters/previous-visits-sql.ts';
import { assignVisits, batchVisitors, type Visit, type VisitEvent } from './assign-visits.ts';
import { testEvent } from './test-events.ts';
import { previousLinks, visitKey, type Links, type StoredVisit, type WindowEdges } from './previous-links.ts';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

// Gaps around the 30-minute visit gap, equal times, and long pauses; some bot events.
const eventArb = fc.record({ gap: fc.oneof(fc.constantFrom(0, 29 * MIN, 30 * MIN, 31 * MIN, 5 * 60 * MIN), fc.integer({ min: 0, max: 90 * MIN })), bot: fc.integer({ min: 0, max: 9 }) });
const visitorsArb = fc.array(fc.array(eventArb, { minLength: 1, maxLength: 25 }), { minLength: 1, maxLength: 3 });

function events(visitors: { gap: number; bot: number }[][], bots: boolean): VisitEvent[] {
  const out: VisitEvent[] = [];
  for (const [v, list] of visitors.entries()) {
    let t = T0;
    for (const e of list) {
      t += e.gap;
      out.push(testEvent(`s:${v}`, out.length + 1, t, { is_bot: bots && e.bot === 0 }));
    }
  }
  return out;
}

const precedes = (a: Visit, b: Visit) => a.visit_start < b.visit_start || (a.visit_start === b.visit_start && a.visit_id < b.visit_id);

/** Reference: a visit's links recomputed from all of its visitor's visits. */
function recomputed(all: readonly Visit[], v: Visit): Links {
  const before = all.filter((w) => w.visitor_id === v.visitor_id && precedes(w, v));
  const latest = (list: Visit[]) => (list.length === 0 ? null : Math.max(...list.map((w) => w.visit_start)));
  return { previous_visit_start: latest(before), previous_human_visit_start: v.is_bot ? null : latest(before.filter((w) => !w.is_bot)) };
}

/** Loads batches one after another as the store does; returns the visits and how many visitors fell back to SQL. */
function load(all: VisitEvent[], cuts: number[]): { stored: Map<string, StoredVisit>; fallbacks: number } {
  const stored = new Map<string, StoredVisit>();
  let fallbacks = 0;
  const bounds = [...new Set([0, ...cuts.map((c) => c % (all.length + 1)), all.length])].sort((a, b) => a - b);
  for (let i = 0; i + 1 < bounds.length; i++) {
    const batch = all.slice(bounds[i], bounds[i + 1]);
    const prepared = batchVisitors(batch);
    const visits = [...stored.values()];
    const mine = (w: { visitor_id: string }) => visits.filter((v) => v.visitor_id === w.visitor_id);
    // What the candidate read returns: overlapping visits and, per window, its edges.
    const candidates = visits.filter((v) => prepared.windows.some((w) => w.visitor_id === v.visitor_id && v.visit_end >= w.from && v.visit_start <= w.to));
    const edges: WindowEdges[] = prepared.windows.map((w) => {
      const prior = mine(w).filter((v) => v.visit_start < w.from);
      const starts = (list: Visit[]) => (list.length === 0 ? null : Math.max(...list.map((v) => v.visit_start)));
      return { prior_start: starts(prior), prior_human_start: starts(prior.filter((v) => !v.is_bot)), has_after: mine(w).some((v) => v.visit_start > w.to) };
    });
    const a = assignVisits(candidates, batch, prepared);
    const result = previousLinks(candidates, a.visits, linkChanges(candidates, a.visits), prepared.windows, edges);
    for (const v of a.visits) stored.set(visitKey(v), { ...v, ...result.links.get(visitKey(v))! });
    // The SQL statement for the rest: every visit of theirs at or after the earliest changed start.
    const lo = new Map<string, number>();
    for (const v of result.fallback) lo.set(v.visitor_id, Math.min(lo.get(v.visitor_id) ?? Infinity, v.visit_start));
    fallbacks += lo.size;
    const now = [...stored.values()];
    for (const v of now) if (v.visit_start >= (lo.get(v.visitor_id) ?? Infinity)) stored.set(visitKey(v), { ...v, ...recomputed(now, v) });
  }
  return { stored, fallbacks };
}

test('any arrival order, any batch cuts: every visit links to its recomputed previous visit and previous human visit', () => {
  fc.assert(
    fc.property(
      visitorsArb.chain((visitors) => {
        const all = events(visitors, true);
        return fc.tuple(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), fc.array(fc.nat(), { maxLength: 6 }));
      }),
      ([arrival, cuts]) => {
        const { stored } = load(arrival, cuts);
        const all = [...stored.values()];
        for (const v of all) {
          const { previous_visit_start, previous_human_visit_start } = v;
          assert.deepEqual({ previous_visit_start, previous_human_visit_start }, recomputed(all, v), `links of visit ${v.visit_id}`);
        }
      },
    ),
    { numRuns: 400 },
  );
});

test('in time order without bot events, no visitor is left to the SQL statement', () => {
  fc.assert(
    fc.property(visitorsArb, fc.array(fc.nat(), { maxLength: 6 }), (visitors, cuts) => {
      const all = events(visitors, false).sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp) || (a.event_id < b.event_id ? -1 : 1));
      const { stored, fallbacks } = load(all, cuts);
      assert.equal(fallbacks, 0);
      assert.ok(stored.size > 0);
    }),
    { numRuns: 200 },
  );
});

test('a late event that starts a visit before a stored one leaves that visitor to the SQL statement, with the same links', () => {
  const [a, b] = events([[{ gap: 0, bot: 1 }, { gap: 3 * 60 * MIN, bot: 1 }]], false);
  const { stored, fallbacks } = load([b!, a!], [1]);
  assert.equal(fallbacks, 1);
  const visits = [...stored.values()].sort((x, y) => x.visit_start - y.visit_start);
  assert.equal(visits.length, 2);
  assert.equal(visits[0]!.previous_visit_start, null);
  assert.equal(visits[1]!.previous_visit_start, visits[0]!.visit_start);
  assert.equal(visits[1]!.previous_human_visit_start, visits[0]!.visit_start);
});

test('a bot event on a visit started before the window leaves that visitor to the SQL statement: the next visit has no human predecessor', () => {
  // Visit A at 0–40 min, stored human; then a bot event at 35 min joins A (window from 5 min) and a page view at 5 h starts B.
  const [a0, a20, a40, late, b] = events([[{ gap: 0, bot: 1 }, { gap: 20 * MIN, bot: 1 }, { gap: 20 * MIN, bot: 1 }, { gap: 0, bot: 1 }, { gap: 5 * 60 * MIN, bot: 1 }]], false);
  const bot = { ...late!, timestamp: new Date(T0 + 35 * MIN).toISOString(), is_bot: true };
  const { stored, fallbacks } = load([a0!, a20!, a40!, bot, b!], [3]);
  assert.equal(fallbacks, 1);
  const visits = [...stored.values()].sort((x, y) => x.visit_start - y.visit_start);
  assert.deepEqual(
    visits.map((v) => [v.is_bot, v.previous_visit_start, v.previous_human_visit_start]),
    [
      [true, null, null],
      [false, visits[0]!.visit_start, null],
    ],
  );
});
