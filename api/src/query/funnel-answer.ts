// A funnel's answer from the per-step counts of funnel-sql.ts (docs/metrics.md § Funnels): rates,
// drop-off and times to convert per step, for all units and per breakdown value; the rows of a
// funnel's parts (disjoint sets of units) are merged first. Pure.
import { MAX_BREAKDOWN_GROUPS, type FunnelStep } from './funnel-query.ts';

/** One group's row of one part (funnel-sql.ts). */
export interface FunnelRow {
  grouped: boolean;
  value: string | null;
  counts: (string | number)[];
  in_progress: (string | number)[];
  /** Per step, each unit's time to convert in whole µs, or null (step 1, or no unit reached it). */
  times_us: (number[] | null)[];
}

/** One group over all parts: counts and in-progress units added, the units' times gathered. */
interface FunnelGroup {
  grouped: boolean;
  value: string | null;
  counts: number[];
  inProgress: number[];
  times: number[][];
}

/** Adds up the rows of the parts by group (all units; each breakdown value). */
function mergeParts(steps: number, rows: readonly FunnelRow[]): FunnelGroup[] {
  const groups = new Map<string, FunnelGroup>();
  for (const row of rows) {
    // JSON keeps null (no value) apart from every string value, and the all-units row apart from both.
    const key = row.grouped ? JSON.stringify([row.value]) : 'all';
    let g = groups.get(key);
    if (g === undefined) {
      g = { grouped: row.grouped, value: row.value, counts: Array(steps).fill(0), inProgress: Array(steps).fill(0), times: Array.from({ length: steps }, () => []) };
      groups.set(key, g);
    }
    for (let i = 0; i < steps; i++) {
      g.counts[i]! += Number(row.counts[i] ?? 0);
      g.inProgress[i]! += Number(row.in_progress[i] ?? 0);
      const times = row.times_us[i];
      if (times) for (const t of times) g.times[i]!.push(t);
    }
  }
  return [...groups.values()];
}

/**
 * The median as PostgreSQL's percentile_cont(0.5) defines it: the middle value, or the mean of
 * the two middle ones. Sorts `values` in place.
 */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/** The mean of whole numbers, summed exactly (as BigInt once a double could round the sum). */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  if (Math.abs(sum) <= Number.MAX_SAFE_INTEGER) return sum / values.length;
  let big = 0n;
  for (const v of values) big += BigInt(v);
  return Number(big) / values.length;
}

export interface FunnelStepAnswer {
  step: number;
  label: string | null;
  event_type: string;
  count: number;
  conversion_rate: number | null;
  step_conversion_rate: number | null;
  drop_off: number;
  in_progress: number;
  median_time_to_convert_ms: number | null;
  avg_time_to_convert_ms: number | null;
}

/** Microseconds as milliseconds with 3 decimals (the stored precision). */
const toMs = (us: number | null) => (us === null ? null : Math.round(us) / 1000);
const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

function funnelSteps(steps: readonly FunnelStep[], group: FunnelGroup | undefined): FunnelStepAnswer[] {
  const counts = steps.map((_, i) => group?.counts[i] ?? 0);
  const open = steps.map((_, i) => group?.inProgress[i] ?? 0);
  return steps.map((s, i) => ({
    step: i + 1,
    label: s.label ?? null,
    event_type: s.event_type,
    count: counts[i]!,
    conversion_rate: ratio(counts[i]!, counts[0]!),
    step_conversion_rate: i === 0 ? ratio(counts[0]!, counts[0]!) : ratio(counts[i]!, counts[i - 1]!),
    drop_off: i === 0 ? 0 : counts[i - 1]! - counts[i]! - open[i]!,
    in_progress: open[i]!,
    median_time_to_convert_ms: toMs(median(group?.times[i] ?? [])),
    avg_time_to_convert_ms: toMs(mean(group?.times[i] ?? [])),
  }));
}

/** Bytewise (UTF-8) order, as the breakdown report orders values; null last. */
function compareValues(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The answer from the rows of all parts of one funnel. */
export function funnelAnswer(steps: readonly FunnelStep[], rows: readonly FunnelRow[], breakdown: boolean) {
  const merged = mergeParts(steps.length, rows);
  const all = merged.find((g) => !g.grouped);
  const answer: { steps: FunnelStepAnswer[]; breakdown?: { value: string | null; steps: FunnelStepAnswer[] }[] } = { steps: funnelSteps(steps, all) };
  if (breakdown) {
    const groups = merged.filter((g) => g.grouped).sort((a, b) => b.counts[0]! - a.counts[0]! || compareValues(a.value, b.value));
    answer.breakdown = groups.slice(0, MAX_BREAKDOWN_GROUPS).map((g) => ({ value: g.value, steps: funnelSteps(steps, g) }));
  }
  return answer;
}
