// A funnel's answer from the per-step counts of funnel-sql.ts (docs/metrics.md § Funnels): rates,
// drop-off and times to convert per step, for all units and per breakdown value. Pure.
import { MAX_BREAKDOWN_GROUPS, type FunnelStep } from './funnel-query.ts';

export interface FunnelRow {
  grouped: boolean;
  value: string | null;
  counts: (string | number)[];
  in_progress: (string | number)[];
  median_us: (number | null)[];
  avg_us: (number | null)[];
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

export function funnelSteps(steps: readonly FunnelStep[], row: FunnelRow | undefined): FunnelStepAnswer[] {
  const counts = steps.map((_, i) => Number(row?.counts[i] ?? 0));
  const open = steps.map((_, i) => Number(row?.in_progress[i] ?? 0));
  return steps.map((s, i) => ({
    step: i + 1,
    label: s.label ?? null,
    event_type: s.event_type,
    count: counts[i]!,
    conversion_rate: ratio(counts[i]!, counts[0]!),
    step_conversion_rate: i === 0 ? ratio(counts[0]!, counts[0]!) : ratio(counts[i]!, counts[i - 1]!),
    drop_off: i === 0 ? 0 : counts[i - 1]! - counts[i]! - open[i]!,
    in_progress: open[i]!,
    median_time_to_convert_ms: toMs(row?.median_us[i] ?? null),
    avg_time_to_convert_ms: toMs(row?.avg_us[i] ?? null),
  }));
}

/** Bytewise (UTF-8) order, as the breakdown report orders values; null last. */
function compareValues(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function funnelAnswer(steps: readonly FunnelStep[], rows: readonly FunnelRow[], breakdown: boolean) {
  const all = rows.find((r) => !r.grouped);
  const answer: { steps: FunnelStepAnswer[]; breakdown?: { value: string | null; steps: FunnelStepAnswer[] }[] } = { steps: funnelSteps(steps, all) };
  if (breakdown) {
    const groups = rows.filter((r) => r.grouped).sort((a, b) => Number(b.counts[0]) - Number(a.counts[0]) || compareValues(a.value, b.value));
    answer.breakdown = groups.slice(0, MAX_BREAKDOWN_GROUPS).map((r) => ({ value: r.value, steps: funnelSteps(steps, r) }));
  }
  return answer;
}
