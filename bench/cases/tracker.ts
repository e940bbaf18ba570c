// Benchmark 5: the tracker's size, built exactly as tracker/build.ts ships it (esbuild, minified,
// gzip level 9), against its budget.
import { bundleTracker, GZIP_BUDGET_BYTES as TRACKER_BUDGET_BYTES } from '../../tracker/build.ts';
import type { BenchResult } from '../lib/report.ts';

export async function benchTracker(): Promise<BenchResult[]> {
  const bundle = await bundleTracker();
  return [
    {
      id: 'tracker_size',
      title: '5. Tracker analytics.js, min+gzip',
      value: bundle.gzipBytes,
      unit: 'B',
      baseline: { name: 'budget', value: TRACKER_BUDGET_BYTES, unit: 'B' },
      ratio: bundle.gzipBytes / TRACKER_BUDGET_BYTES,
      target: { text: `<= ${TRACKER_BUDGET_BYTES} B`, met: bundle.gzipBytes <= TRACKER_BUDGET_BYTES },
      details: { minifiedBytes: bundle.bytes, gzipBytes: bundle.gzipBytes, gzipLevel: 9 },
    },
  ];
}
