// The before/after comparison: medians of each side and the cost of the change, with the
// direction of each figure (fewer rows/s is a cost, more CPU per row is a cost).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare, renderComparison } from './lib/compare.ts';
import type { BenchReport, BenchResult } from './lib/report.ts';

function report(loaderRows: number, copyRows: number, cpuPerRow: number, extra: BenchResult[] = []): BenchReport {
  return {
    results: [
      { id: 'loader', title: '', value: loaderRows, unit: 'rows/s', baseline: { name: 'copy', value: copyRows, unit: 'rows/s' }, details: {} },
      { id: 'loader_cpu', title: '', value: cpuPerRow, unit: 'CPU µs/row', details: {} },
      ...extra,
    ],
  } as unknown as BenchReport;
}

test('compare: medians per side and the cost as a share of the before side, in each figure’s direction', () => {
  const pairs = [
    { before: report(20_000, 100_000, 40), after: report(16_000, 90_000, 50) },
    { before: report(24_000, 110_000, 38), after: report(18_000, 100_000, 52) },
    { before: report(22_000, 120_000, 42), after: report(17_000, 95_000, 48) },
  ];
  const byLabel = new Map(compare(pairs).map((c) => [c.label, c]));
  const rows = byLabel.get('loader rows/s')!;
  assert.deepEqual([rows.beforeMedian, rows.afterMedian], [22_000, 17_000]);
  assert.equal(rows.cost.toFixed(4), (1 - 17_000 / 22_000).toFixed(4));
  const copy = byLabel.get('loader: same-run psql \\copy rows/s')!;
  assert.deepEqual([copy.beforeMedian, copy.afterMedian], [110_000, 95_000]);
  const cpu = byLabel.get('loader CPU µs/row')!;
  assert.equal(cpu.cost.toFixed(4), (50 / 40 - 1).toFixed(4), 'more CPU per row is a cost');
  // Figures neither side reported (the collector was not run) are left out, not shown as 0.
  assert.equal(byLabel.has('collector req/s (1 event/request)'), false);
  assert.match(renderComparison(compare(pairs)), /\| loader rows\/s \| 20,000, 24,000, 22,000 \| 16,000, 18,000, 17,000 \| 22,000 \| 17,000 \| \+22\.7 % \|/);
});

test('compare: an improvement is a negative cost', () => {
  const [rows] = compare([{ before: report(10_000, 50_000, 60), after: report(12_000, 50_000, 50) }]);
  assert.equal(rows!.cost.toFixed(2), '-0.20');
  assert.match(renderComparison(compare([{ before: report(10_000, 50_000, 60), after: report(12_000, 50_000, 50) }])), /-20\.0 %/);
});

test('compare: figures read from a result (the single-event ratio, per-round details) beside its value', () => {
  const collector = (ratio: number, perEvent: number[]): BenchResult[] => [
    { id: 'collector_single', title: '', value: 5000, unit: 'req/s', ratio, details: {} },
    { id: 'collector_cpu', title: '', value: 150, unit: 'CPU µs/request', baseline: { name: 'bare', value: 25, unit: 'CPU µs/request' }, details: { batchPerEvent: perEvent } },
  ];
  const pairs = [{ before: report(1, 1, 1, collector(0.24, [50, 54, 52])), after: report(1, 1, 1, collector(0.3, [40, 44])) }];
  const byLabel = new Map(compare(pairs).map((c) => [c.label, c]));
  assert.deepEqual(byLabel.get('collector: same-run ratio to bare Fastify (1 event/request)')!.before, [0.24]);
  assert.deepEqual(byLabel.get('collector: same-run bare Fastify CPU µs/request')!.after, [25]);
  const perEvent = byLabel.get('collector CPU µs/event (100 events/request)')!;
  assert.deepEqual([perEvent.beforeMedian, perEvent.afterMedian], [52, 42]);
  // No broker result on either side: no broker row.
  assert.equal(byLabel.has('Kafka broker CPU µs/request (1 event/request)'), false);
  assert.match(renderComparison(compare(pairs)), /\| collector: same-run ratio to bare Fastify \(1 event\/request\) \| 0\.24 \| 0\.30 \|/);
});
