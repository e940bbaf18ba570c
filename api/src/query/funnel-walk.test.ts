// The funnel's single pass on hand-made units (docs/metrics.md § Funnels): repeated steps need a
// distinct later event, the window runs from step 1, strict order breaks at any other event, a
// unit whose latest window is open is in progress, and medians and means are PostgreSQL's.
// The route's fixtures and the brute-force property test (test/api/funnels*.test.ts) check the
// same rules end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { funnelRows, walkUnit, type WalkSettings } from './funnel-walk.ts';

const W = 100;
const ordered: WalkSettings = { steps: 3, order: 'ordered', windowUs: W, nowUs: 1_000_000 };
const unit = (events: [number, number][], value: string | null = null) => ({ us: events.map((e) => e[0]), masks: events.map((e) => e[1]), value });

test('a step repeating the previous definition needs a distinct, later event', () => {
  const two: WalkSettings = { ...ordered, steps: 2 };
  assert.equal(walkUnit(unit([[0, 0b11]]), two).reached, 1);
  const r = walkUnit(unit([[0, 0b11], [7, 0b11]]), two);
  assert.deepEqual([r.reached, r.times[1]], [2, 7]);
});

test('the window runs from step 1; a later start can still convert, with the shortest time', () => {
  assert.equal(walkUnit(unit([[0, 0b001], [50, 0b010], [W + 1, 0b100]]), ordered).reached, 2);
  const r = walkUnit(unit([[0, 0b001], [50, 0b010], [60, 0b001], [70, 0b010], [W + 30, 0b100]]), ordered);
  // Step 3 at 130 is within the window of the start at 60 only (chain 60 → 70 → 130).
  assert.deepEqual([r.reached, r.times[1], r.times[2]], [3, 10, 70]);
  assert.equal(walkUnit(unit([[0, 0b001], [W, 0b010]]), ordered).reached, 2, 'exactly the window is inside it');
});

test('strict order: any other event between two steps breaks the chain', () => {
  const strict: WalkSettings = { ...ordered, order: 'strict' };
  assert.equal(walkUnit(unit([[0, 0b001], [1, 0], [2, 0b010]]), strict).reached, 1);
  assert.equal(walkUnit(unit([[0, 0b001], [2, 0b010], [3, 0b100]]), strict).reached, 3);
  assert.equal(walkUnit(unit([[0, 0b001], [2, 0b010], [3, 0b100]]), ordered).reached, 3);
});

test('in progress: the latest start’s window is still open at the report’s time', () => {
  const late = { ...ordered, nowUs: 80 };
  assert.equal(walkUnit(unit([[0, 0b001]]), late).open, true);
  assert.equal(walkUnit(unit([[0, 0b001]]), { ...ordered, nowUs: W }).open, false);
  const rows = funnelRows([unit([[0, 0b001]]), unit([[0, 0b001], [5, 0b010]])], late, false);
  assert.deepEqual([rows[0]!.counts, rows[0]!.in_progress], [[2, 1, 0], [0, 1, 1]]);
});

test('medians interpolate between the middle two and means are exact, as PostgreSQL gives them; units without a start are left out', () => {
  const units = [[0, 10], [0, 20], [0, 41]].map(([a, b]) => unit([[a!, 0b001], [b!, 0b010]], 'x'));
  const rows = funnelRows([...units, unit([[0, 0b001], [30, 0b010]], null), unit([[5, 0b010]], 'y')], ordered, true);
  assert.deepEqual(rows[0]!.median_us, [null, 25, null]);
  assert.deepEqual(rows[0]!.avg_us, [null, 25.25, null]);
  assert.deepEqual(rows.slice(1).map((r) => [r.value, r.counts[1], r.median_us[1]]), [['x', 3, 20], [null, 1, 30]]);
});
