// Benchmark 4: end-to-end latency at a steady rate. A separate process (bench/load/steady-worker.ts,
// an evenly paced open-loop generator) posts one new event per request to the real collector, with its own event_id and
// timestamp, and reports the instant each 2xx arrived. This process polls the database the real
// pipeline writes to, every few milliseconds, for rows whose "timestamp" is at or after the
// oldest acknowledged event not seen yet (an index range scan on the dedup key), and records when
// each event_id first appears. Latency = first poll that saw the row - 2xx arrival; a row seen
// by a poll was committed before that poll began, so the figure is an upper bound, too high by
// at most one poll interval plus the poll's own duration (both reported). The first seconds are a
// warm-up, reported apart from the percentiles.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { recordPeak, type BenchContext } from '../lib/context.ts';
import { createBenchDatabase } from '../lib/database.ts';
import { nowMs, RUN_DIR, spawnPipeline, waitReady, type Service } from '../lib/processes.ts';
import type { BenchResult } from '../lib/report.ts';
import { median, summarize } from '../lib/stats.ts';
import { runSteadyLoad } from '../lib/workers.ts';
import type { Ack } from '../load/steady-worker.ts';
import { metricSum, startCollector } from './collector.ts';

const E2E_TARGET_P99_MS = 250;
/** An acknowledged event not visible after this long counts as missing. */
const GIVE_UP_MS = 15_000;
// A range scan of the dedup key ("timestamp", event_id): cheap enough to run every few ms.
const SEEN_SINCE = 'SELECT event_id::text AS id FROM analytics_events WHERE "timestamp" >= $1';

export async function benchEndToEnd(ctx: BenchContext): Promise<BenchResult[]> {
  const { rate, seconds, warmupSeconds, connections, pollIntervalMs } = ctx.settings.e2e;
  const topic = await ctx.kafka.createTopic('e2e');
  const dlqTopic = await ctx.kafka.createTopic('e2e-dlq');
  const db = await createBenchDatabase('e2e');
  const services: Service[] = [];
  try {
    const pipeline = await spawnPipeline('pipeline-e2e', topic, dlqTopic, db.url);
    services.push(pipeline);
    const collector = await startCollector(ctx, topic, 'collector-e2e', db.url);
    services.push(collector.service);
    await waitReady(pipeline, 120_000);

    const acked = new Map<string, { ts: number; at: number }>();
    const seen = new Map<string, number>();
    const pending = new Map<string, number>(); // acked, not yet seen: id -> event time
    const pollDurations: number[] = [];
    let lastTs = Date.now();
    let loadDone = false;
    let missing = 0;
    let firstPoll = 0;
    let pollSpanMs = 0;

    const poller = (async () => {
      const client = await db.pool.connect();
      try {
        for (;;) {
          const started = nowMs();
          let low = lastTs;
          for (const ts of pending.values()) if (ts < low) low = ts;
          const { rows } = await client.query<{ id: string }>({ name: 'seen_since', text: SEEN_SINCE, values: [new Date(low).toISOString()] });
          pollDurations.push(nowMs() - started);
          if (firstPoll === 0) firstPoll = started;
          pollSpanMs = started - firstPoll;
          for (const { id } of rows) {
            if (!seen.has(id)) seen.set(id, started);
            pending.delete(id);
          }
          for (const [id, ts] of pending) {
            if (started - acked.get(id)!.at > GIVE_UP_MS) {
              pending.delete(id);
              missing++;
            } else if (ts < low) low = ts;
          }
          if (loadDone && pending.size === 0) return;
          const wait = started + pollIntervalMs - nowMs();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      } finally {
        client.release();
      }
    })();

    // Handled here so a failing poll cannot crash the process mid-load (and skip the cleanup);
    // `await poller` below still throws it.
    poller.catch(() => (loadDone = true));
    ctx.log(`steady load: ${rate} events/s for ${warmupSeconds} s warm-up + ${seconds} s measured, ${connections} connections`);
    const onAcks = (acks: Ack[]) => {
      for (const [id, ts, at] of acks) {
        acked.set(id, { ts, at });
        if (!seen.has(id)) pending.set(id, ts);
        if (ts > lastTs) lastTs = ts;
      }
    };
    let loadStarted = nowMs();
    const summary = await runSteadyLoad({ url: `${collector.url}/analytics`, rate, seconds: warmupSeconds + seconds, connections }, (msg) => {
      if (msg.type === 'acks') onAcks(msg.acks);
      else if (msg.type === 'started') loadStarted = msg.at;
    }).finally(() => (loadDone = true));
    await poller;
    recordPeak(ctx, 'pipeline', 'end-to-end benchmark 4', pipeline);
    recordPeak(ctx, 'collector', 'end-to-end benchmark 4', collector.service);

    // Events acknowledged during the warm-up (fresh JIT, first connections and COPYs) are
    // excluded from the percentiles; their worst case is reported separately.
    const measureFrom = loadStarted + warmupSeconds * 1000;
    const latencies: number[] = [];
    const warmup: number[] = [];
    const samples: [number, number][] = [];
    for (const [id, { ts, at }] of acked) {
      const s = seen.get(id);
      if (s === undefined) continue;
      // By send time: an event sent during the warm-up belongs to it however late its 2xx came.
      (ts < measureFrom ? warmup : latencies).push(Math.max(0, s - at));
      samples.push([Math.round(at - loadStarted), Math.round(s - at)]);
    }
    // Every (2xx time, latency) pair, for looking at when the slow ones happen.
    mkdirSync(RUN_DIR, { recursive: true });
    writeFileSync(path.join(RUN_DIR, 'e2e-samples.json'), JSON.stringify(samples));
    const pipelineMetrics = await (await fetch(`${pipeline.url}/metrics`)).text();
    const batches = metricSum(pipelineMetrics, 'pipeline_batch_duration_seconds_count');
    const pipelineBatches = {
      count: batches,
      avgMs: batches === 0 ? 0 : (metricSum(pipelineMetrics, 'pipeline_batch_duration_seconds_sum') / batches) * 1000,
      avgRecords: batches === 0 ? 0 : metricSum(pipelineMetrics, 'pipeline_batch_size_sum') / batches,
    };
    const lat = summarize(latencies);
    const achieved = summary.ok2xx / summary.seconds;
    const warm = summarize(warmup);
    ctx.log(`end to end: ${lat.count} events, p50 ${lat.p50.toFixed(1)} ms, p99 ${lat.p99.toFixed(1)} ms, max ${lat.max.toFixed(1)} ms, missing ${missing}`);
    return [
      {
        id: 'end_to_end',
        title: `4. End to end at ${rate.toLocaleString('en-US')} events/s for ${seconds} s after ${warmupSeconds} s warm-up: collector 2xx -> row seen by a ${pollIntervalMs} ms poll (upper bound), p99 (p50 ${lat.p50.toFixed(0)} / max ${lat.max.toFixed(0)} ms; warm-up max ${warm.count === 0 ? 'n/a' : warm.max.toFixed(0)} ms)`,
        value: lat.p99,
        unit: 'ms',
        target: { text: `p99 <= ${E2E_TARGET_P99_MS} ms`, met: lat.p99 <= E2E_TARGET_P99_MS && missing === 0 },
        details: {
          p50Ms: lat.p50,
          p99Ms: lat.p99,
          maxMs: lat.max,
          meanMs: lat.mean,
          eventsMeasured: lat.count,
          acknowledged: acked.size,
          warmup: { seconds: warmupSeconds, events: warm.count, p99Ms: warm.p99, maxMs: warm.max },
          missingAfterMs: { count: missing, giveUpMs: GIVE_UP_MS },
          achievedRatePerSecond: achieved,
          non2xx: summary.non2xx + summary.errors,
          httpP50Ms: summary.httpP50Ms,
          httpP99Ms: summary.httpP99Ms,
          generatorMaxScheduleLagMs: summary.maxScheduleLagMs,
          pipelineBatches,
          pollIntervalMs,
          pollQueryMedianMs: median(pollDurations),
          polls: pollDurations.length,
          meanPollGapMs: pollSpanMs / Math.max(1, pollDurations.length - 1),
          method: 'poll SELECT event_id WHERE "timestamp" >= oldest unseen acked event; latency = start of first poll that returned the row - 2xx arrival (upper bound)',
        },
      },
    ];
  } finally {
    for (const s of services.reverse()) await s.stop();
    await db.drop();
  }
}
