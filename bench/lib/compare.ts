// Before/after comparison of benchmark reports taken in pairs in one run (bench/before-after.ts):
// the figures of each side, per pair and as medians, and what the change costs. Pure.
import type { BenchReport, BenchResult } from './report.ts';
import { median } from './stats.ts';

/** The median of a list of per-round figures in a result's details (absent: undefined). */
const detailMedian = (key: string) => (r: BenchResult): number | undefined => {
  const xs = r.details[key];
  return Array.isArray(xs) && xs.length > 0 ? median(xs as number[]) : undefined;
};

/**
 * The figures compared, by result id, with whether a higher value is better: the result's value,
 * its baseline's (`baseline`), or what `read` takes from it.
 */
const COMPARED: readonly { id: string; label: string; higherIsBetter: boolean; baseline?: boolean; read?: (r: BenchResult) => number | undefined }[] = [
  { id: 'loader', label: 'loader rows/s', higherIsBetter: true },
  { id: 'loader', label: 'loader: same-run psql \\copy rows/s', higherIsBetter: true, baseline: true },
  { id: 'loader_cpu', label: 'loader CPU µs/row', higherIsBetter: false },
  { id: 'collector_single', label: 'collector req/s (1 event/request)', higherIsBetter: true },
  { id: 'collector_single', label: 'collector: same-run ratio to bare Fastify (1 event/request)', higherIsBetter: true, read: (r) => r.ratio },
  { id: 'collector_cpu', label: 'collector CPU µs/request (1 event/request)', higherIsBetter: false },
  { id: 'collector_cpu', label: 'collector: same-run bare Fastify CPU µs/request', higherIsBetter: false, baseline: true },
  { id: 'collector_batch', label: 'collector events/s (100 events/request)', higherIsBetter: true },
  { id: 'collector_cpu', label: 'collector CPU µs/event (100 events/request)', higherIsBetter: false, read: detailMedian('batchPerEvent') },
  { id: 'collector_floor', label: 'floor (bare Fastify + producer): same-run ratio to bare Fastify (1 event/request)', higherIsBetter: true, read: (r) => r.ratio },
  { id: 'collector_floor', label: 'floor (bare Fastify + producer) events/s (100 events/request)', higherIsBetter: true, read: (r) => (r.details['floorBatch'] as { eventsPerSecond?: number } | undefined)?.eventsPerSecond },
  { id: 'collector_broker_cpu', label: 'Kafka broker CPU µs/request (1 event/request)', higherIsBetter: false },
  { id: 'collector_broker_cpu', label: 'Kafka broker CPU µs/event (100 events/request)', higherIsBetter: false, read: detailMedian('batchPerEvent') },
];

export interface Pair {
  before: BenchReport;
  after: BenchReport;
}

function figure(report: BenchReport, c: (typeof COMPARED)[number]): number | undefined {
  const r = report.results.find((x) => x.id === c.id);
  if (r === undefined) return undefined;
  return c.read !== undefined ? c.read(r) : c.baseline ? r.baseline?.value : r.value;
}

export interface Comparison {
  label: string;
  before: number[];
  after: number[];
  beforeMedian: number;
  afterMedian: number;
  /** How much worse the after side is, as a share of the before side (negative: better). */
  cost: number;
}

/** One comparison per figure both sides report. */
export function compare(pairs: readonly Pair[]): Comparison[] {
  const out: Comparison[] = [];
  for (const c of COMPARED) {
    const before = pairs.map((p) => figure(p.before, c)).filter((v): v is number => v !== undefined && Number.isFinite(v));
    const after = pairs.map((p) => figure(p.after, c)).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (before.length === 0 || after.length === 0) continue;
    const beforeMedian = median(before);
    const afterMedian = median(after);
    const cost = c.higherIsBetter ? 1 - afterMedian / beforeMedian : afterMedian / beforeMedian - 1;
    out.push({ label: c.label, before, after, beforeMedian, afterMedian, cost });
  }
  return out;
}

const num = (x: number) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(Math.abs(x) < 1 ? 2 : 1));

/** The Markdown table bench/HISTORY.md records: per-pair figures, medians, and the cost of the change. */
export function renderComparison(comparisons: readonly Comparison[]): string {
  const lines = ['| figure | before (pairs) | after (pairs) | before median | after median | cost of the change |', '|---|---|---|---:|---:|---:|'];
  for (const c of comparisons) {
    const cost = `${c.cost >= 0 ? '+' : ''}${(c.cost * 100).toFixed(1)} %`;
    lines.push(`| ${c.label} | ${c.before.map(num).join(', ')} | ${c.after.map(num).join(', ')} | ${num(c.beforeMedian)} | ${num(c.afterMedian)} | ${cost} |`);
  }
  return lines.join('\n');
}
