// Smoke test of the benchmark harness: every case runs in its tiny `--smoke` size against the real
// Kafka, PostgreSQL, collector and pipeline, and the report has the promised shape. No timing is
// asserted (speed belongs to `npm run bench`); counts and structure are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureKafka, ensurePostgres } from '../test/support/services.ts';
import { parseArgs } from './lib/modes.ts';
import { renderMarkdown, type BenchResult } from './lib/report.ts';
import { median, percentile } from './lib/stats.ts';
import { runSuite } from './suite.ts';

test('stats: median and nearest-rank percentiles', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
  assert.equal(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99), 99);
  assert.ok(Number.isNaN(median([])));
});

test('arguments: modes, case selection and refusal of unknown flags', () => {
  assert.equal(parseArgs([]).settings.mode, 'full');
  assert.equal(parseArgs([]).settings.loader.events, 1_000_000);
  assert.equal(parseArgs(['--quick']).settings.e2e.seconds, 10);
  assert.deepEqual(parseArgs(['--smoke', '--only=tracker,loader']).settings.cases, ['tracker', 'loader']);
  assert.deepEqual(parseArgs(['--quick', '--rounds=2']).settings.streaming, { events: 50_000, rounds: 2, streams: 4, concurrency: 50 });
  assert.equal(parseArgs(['--quick', '--loader-events=1234']).settings.loader.events, 1234);
  assert.throws(() => parseArgs(['--only=nope']), /unknown case/);
  assert.throws(() => parseArgs(['--fast']), /unknown argument/);
});

test('npm run bench -- --smoke: every benchmark runs against the real stack and reports positive figures', { timeout: 600_000 }, async () => {
  await ensureKafka();
  await ensurePostgres();
  const { settings } = parseArgs(['--smoke']);
  const report = await runSuite(settings);
  const byId = new Map<string, BenchResult>(report.results.map((r) => [r.id, r]));
  for (const id of ['generator_ceiling', 'collector_single', 'collector_batch', 'collector_floor', 'loader', 'end_to_end', 'tracker_size', 'collector_peak_rss', 'pipeline_peak_rss', 'streaming_post_batch', 'streaming_ndjson', 'streaming_grpc', 'live_latency', 'live_collector_throughput']) {
    const r = byId.get(id);
    assert.ok(r, `result ${id} missing`);
    assert.ok(Number.isFinite(r.value) && r.value > 0, `${id}: value ${r.value}`);
    if (r.baseline) assert.ok(r.baseline.value > 0, `${id}: baseline ${r.baseline.value}`);
    if (r.ratio !== undefined) assert.ok(r.ratio > 0, `${id}: ratio ${r.ratio}`);
    // The generator's ceiling and the streaming case's batched POST are baselines: no target of their own.
    if (id !== 'generator_ceiling' && id !== 'collector_floor' && id !== 'streaming_post_batch' && id !== 'live_collector_throughput') assert.equal(typeof r.target?.met, 'boolean', `${id}: target`);
  }
  // CPU per request and per row, read from the services' own process.cpuUsage (their /metrics).
  for (const [id, source] of [['collector_cpu', /process_cpu_seconds_total/], ['loader_cpu', /^process\.cpuUsage$/]] as const) {
    const r = byId.get(id);
    assert.ok(r && Number.isFinite(r.value) && r.value > 0, `${id}: ${r?.value}`);
    assert.match(String(r.details.source), source);
  }

  // Every event the collector acknowledged is on its topic, and at least every 2xx the generator counted.
  const counts = byId.get('collector_single')!.details.counts as { collectorEvents2xx: number; acceptedByCollector: number; recordsOnTopic: number };
  assert.ok(counts.collectorEvents2xx > 0);
  assert.equal(counts.recordsOnTopic, counts.acceptedByCollector);
  assert.ok(counts.acceptedByCollector >= counts.collectorEvents2xx);

  // Streaming: every event of every transport acknowledged, each on the topic once; CPU and memory read.
  for (const id of ['streaming_ndjson', 'streaming_grpc']) {
    const d = byId.get(id)!.details as { failures: string[]; clientCpuMicrosPerEvent: number; collectorCpuMicrosPerEvent: number; collectorPeakRssMb: number; counts: { eventsSentMeasured: number; acceptedByCollector: number; recordsOnTopic: number } };
    assert.deepEqual(d.failures, [], id);
    assert.ok(d.clientCpuMicrosPerEvent > 0 && d.collectorCpuMicrosPerEvent > 0 && d.collectorPeakRssMb > 0, id);
    // At least every acknowledged event is on the topic. More may be: a produce that outlived
    // PRODUCE_TIMEOUT_MS on a loaded machine was answered 503 (resend: safe by event_id) and may
    // still have landed.
    assert.ok(d.counts.recordsOnTopic >= d.counts.acceptedByCollector, id);
    assert.ok(d.counts.acceptedByCollector >= d.counts.eventsSentMeasured, id);
  }

  // Live: every (event, subscriber) pair of the measured seconds arrived, none reported dropped.
  const live = byId.get('live_latency')!.details as { receipts: number; expectedReceipts: number; droppedReported: number };
  assert.ok(live.expectedReceipts > 0);
  assert.deepEqual([live.receipts, live.droppedReported], [live.expectedReceipts, 0]);

  // The loader stored exactly the pre-filled events (checked by count(*) inside the case).
  assert.equal(byId.get('loader')!.details.rows, settings.loader.events);

  // End to end: every acknowledged event was seen in the database.
  const e2e = byId.get('end_to_end')!.details as {
    eventsMeasured: number;
    acknowledged: number;
    warmup: { events: number };
    missingAfterMs: { count: number };
    p50Ms: number;
    maxMs: number;
  };
  assert.ok(e2e.acknowledged > 0);
  assert.equal(e2e.eventsMeasured + e2e.warmup.events, e2e.acknowledged);
  assert.equal(e2e.missingAfterMs.count, 0);
  assert.ok(e2e.p50Ms <= e2e.maxMs);

  assert.ok(report.machine.cores > 0 && report.machine.memoryGiB > 0);
  assert.match(report.machine.postgres, /^\d+/);
  const md = renderMarkdown(report);
  assert.match(md, /\| benchmark \| measured \|/);
  assert.match(md, /Machine: /);

  // The CLI writes both files where it is told.
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-smoke-'));
  try {
    const { execFileSync } = await import('node:child_process');
    execFileSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--only=tracker', `--out=${dir}`], { cwd: path.join(import.meta.dirname, '..'), stdio: 'pipe' });
    const written = JSON.parse(readFileSync(path.join(dir, 'latest.json'), 'utf8')) as { results: BenchResult[]; machine: unknown };
    assert.equal(written.results[0]!.id, 'tracker_size');
    assert.ok(written.machine);
    const writtenMd = readFileSync(path.join(dir, 'latest.md'), 'utf8');
    assert.match(writtenMd, /Tracker analytics\.js/);
    // The header names the command that made it, and the notes only what ran.
    assert.match(writtenMd, /^Benchmark run \(`npm run bench -- --smoke --only=tracker`\)/);
    assert.doesNotMatch(writtenMd, /^- (Loader|Collector|Streaming|Peak RSS)/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
