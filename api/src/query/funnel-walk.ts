// The funnel's single pass (docs/metrics.md § Funnels) over each unit's step events, as
// funnel-sql.ts reads them: one sort in PostgreSQL, then here one pass per unit that advances the
// unit's attempt state, and the per-step counts, in-progress units and times to convert per group.
// Pure.
//
// Why this shape: "the furthest step any attempt reaches" needs no enumeration of attempts. For
// step k, keep the LATEST step-1 time from which a chain of distinct, ordered events reaches step
// k among the events seen so far (the latest start leaves the most room in the window). An event
// matching step k extends the best chain of step k−1 from strictly earlier events (ordered), or of
// the event right before it (strict), while it lies within the window of that start. A unit reaches
// step k when some event does; its time to convert is the least `timestamp − start` over those
// events, which is the shortest chain over all attempts. Before this pass the same recurrence ran as
// one SQL window pass per step, each about as slow as the sort (bench/HISTORY.md § Funnels).
import type { FunnelRow } from './funnel-answer.ts';

/** One unit's events in (timestamp, event_id) order: epoch µs and a bit per matched step (bit 0: step 1 in the range). */
export interface UnitEvents {
  us: readonly number[];
  masks: readonly number[];
  /** The breakdown value of the visit of the unit's first step-1 event in the range. */
  value: string | null;
}

export interface WalkSettings {
  steps: number;
  order: 'ordered' | 'strict';
  windowUs: number;
  /** The report's time (epoch µs): a unit whose latest start's window ends after it may still convert. */
  nowUs: number;
}

interface UnitResult {
  /** Steps reached: 0 when the unit has no step-1 event in the range. */
  reached: number;
  /** Shortest µs from a start to step k (index k − 1; index 0 unused). */
  times: number[];
  open: boolean;
}

const NONE = -Infinity;

export function walkUnit(unit: UnitEvents, s: WalkSettings): UnitResult {
  const n = s.steps;
  const times = new Array<number>(n).fill(Infinity);
  // best[k]: the latest start reaching step k + 1 (ordered: over the events so far; strict: at the previous event).
  let best = new Array<number>(n).fill(NONE);
  let reached = 0;
  let latestStart = NONE;
  for (let j = 0; j < unit.us.length; j++) {
    const mask = unit.masks[j]!;
    const ts = unit.us[j]!;
    if (s.order === 'strict') {
      // Only the event right before counts: a chain breaks at any other event.
      const next = new Array<number>(n).fill(NONE);
      for (let k = 1; k < n; k++) {
        const start = best[k - 1]!;
        if ((mask >> k) & 1 && start !== NONE && ts - start <= s.windowUs) {
          next[k] = start;
          if (k + 1 > reached) reached = k + 1;
          if (ts - start < times[k]!) times[k] = ts - start;
        }
      }
      if (mask & 1) next[0] = ts;
      best = next;
    } else {
      if (mask === 0) continue;
      // Downwards, so each step reads the previous step's state from strictly earlier events.
      for (let k = n - 1; k >= 1; k--) {
        const start = best[k - 1]!;
        if ((mask >> k) & 1 && start !== NONE && ts - start <= s.windowUs) {
          if (start > best[k]!) best[k] = start;
          if (k + 1 > reached) reached = k + 1;
          if (ts - start < times[k]!) times[k] = ts - start;
        }
      }
      if (mask & 1) best[0] = ts;
    }
    if (mask & 1) {
      if (reached === 0) reached = 1;
      latestStart = ts;
    }
  }
  return { reached, times, open: latestStart !== NONE && latestStart + s.windowUs > s.nowUs };
}

/** PostgreSQL's percentile_cont(0.5) of float8 values: the middle one, or interpolated between the two. */
function median(sorted: readonly number[]): number {
  const pos = (sorted.length - 1) / 2;
  const lo = sorted[Math.floor(pos)]!;
  const hi = sorted[Math.ceil(pos)]!;
  return lo + (pos - Math.floor(pos)) * (hi - lo);
}

/** The mean of whole microseconds, as PostgreSQL's avg of numeric gives it (exact, then rounded once). */
function mean(values: readonly number[]): number {
  let sum = 0n;
  for (const v of values) sum += BigInt(v);
  const count = BigInt(values.length);
  return Number(sum / count) + Number(sum % count) / values.length;
}

function groupRow(results: readonly UnitResult[], steps: number, grouped: boolean, value: string | null): FunnelRow {
  const row: FunnelRow = { grouped, value, counts: [], in_progress: [], median_us: [], avg_us: [] };
  for (let k = 0; k < steps; k++) {
    const reaching = results.filter((r) => r.reached > k);
    row.counts.push(reaching.length);
    row.in_progress.push(k === 0 ? 0 : results.filter((r) => r.reached === k && r.open).length);
    const times = k === 0 ? [] : reaching.map((r) => r.times[k]!).sort((a, b) => a - b);
    row.median_us.push(times.length === 0 ? null : median(times));
    row.avg_us.push(times.length === 0 ? null : mean(times));
  }
  return row;
}

/** The rows funnelAnswer takes: all units, then (with a breakdown) one per value. */
export function funnelRows(units: Iterable<UnitEvents>, s: WalkSettings, breakdown: boolean): FunnelRow[] {
  const all: UnitResult[] = [];
  const byValue = new Map<string | null, UnitResult[]>();
  for (const unit of units) {
    const result = walkUnit(unit, s);
    if (result.reached === 0) continue;
    all.push(result);
    if (breakdown) (byValue.get(unit.value) ?? byValue.set(unit.value, []).get(unit.value)!).push(result);
  }
  return [groupRow(all, s.steps, false, null), ...[...byValue].map(([value, results]) => groupRow(results, s.steps, true, value))];
}
