// Benchmark 8: live streams. The real collector and the real api (its live feed reading the same
// private topic) with 100 subscribers of …/live/events in a process of their own
// (bench/load/sse-worker.ts). A steady 1,000 events/s (bench/load/steady-worker.ts) gives the
// latency from each 2xx at the generator to each subscriber's receipt of that event (every
// (event, subscriber) pair counts). The collector's own throughput (autocannon, 1 event a
// request, as benchmark 1) is measured in the same run without the api and with the api and its
// subscribers attached, in alternating rounds: the cost of the live streams to ingestion.
import { fork } from 'node:child_process';
import path from 'node:path';
import { DEFAULT_PROJECT_ID } from '#contract';
import { runCli } from '../../tenancy/cli-commands.ts';
import { service } from '../../test/support/service-kit.ts';
import type { BenchContext } from '../lib/context.ts';
import { recordPeak } from '../lib/context.ts';
import { createBenchDatabase } from '../lib/database.ts';
import { incomingEvent, prng } from '../lib/events.ts';
import { KAFKA_BROKERS } from '../lib/kafka.ts';
import { ROOT, RUN_DIR, SERVICE_ROOT } from '../lib/processes.ts';
import type { BenchResult } from '../lib/report.ts';
import { median, summarize } from '../lib/stats.ts';
import { runLoad, runSteadyLoad } from '../lib/workers.ts';
import type { SseLoadRequest, SseMessage } from '../load/sse-worker.ts';
import { startCollector } from './collector.ts';

const LIVE_TARGET_P99_MS = 1000;
const PEPPER = 'bench-live-pepper-0123456';

async function startApi(topic: string, databaseUrl: string) {
  const api = await service('api', {
    root: SERVICE_ROOT,
    env: { kafkaTopic: topic, kafkaBrokers: KAFKA_BROKERS, databaseUrl, apiKeyPepper: PEPPER, logLevel: 'warn' },
    logFile: path.join(RUN_DIR, 'api-live.log'),
  });
  await api.start();
  return api;
}

interface Subscribers {
  waitReady(): Promise<void>;
  events(): number;
  stop(): Promise<Extract<SseMessage, { type: 'done' }>>;
}

function startSubscribers(req: SseLoadRequest): Subscribers {
  const child = fork(path.join(ROOT, 'bench', 'load', 'sse-worker.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let events = 0;
  let failed: string | undefined;
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  let resolveDone!: (m: Extract<SseMessage, { type: 'done' }>) => void;
  const done = new Promise<Extract<SseMessage, { type: 'done' }>>((r) => (resolveDone = r));
  child.on('message', (m: SseMessage) => {
    if (m.type === 'ready') resolveReady();
    else if (m.type === 'progress') events = m.events;
    else if (m.type === 'done') resolveDone(m);
    else failed = m.error;
  });
  child.on('error', (error) => (failed = String(error)));
  child.send(req as Parameters<typeof child.send>[0]);
  let stopping: Promise<Extract<SseMessage, { type: 'done' }>> | undefined;
  return {
    async waitReady() {
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`subscribers not ready: ${failed ?? 'timeout'}`)), 30_000));
      await Promise.race([ready, timeout]);
    },
    events: () => events,
    stop() {
      if (stopping === undefined) {
        child.send('stop');
        stopping = done;
      }
      return stopping;
    },
  };
}

export async function benchLive(ctx: BenchContext): Promise<BenchResult[]> {
  const { subscribers } = ctx.settings.live;
  const { rate, seconds, warmupSeconds, connections } = ctx.settings.e2e;
  const http = ctx.settings.http;
  const topic = await ctx.kafka.createTopic('live');
  const db = await createBenchDatabase('live');
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const out = await runCli('keys', ['create', '--project', DEFAULT_PROJECT_ID, '--scopes', 'live'], { db: db.pool, pepper: PEPPER });
    if (!out.ok) throw new Error(`live key: ${out.error}`);
    const apiKey = String((out.value.json as { key: string }).key);
    const collector = await startCollector(ctx, topic, 'collector-live', db.url);
    stops.push(() => collector.service.stop());
    const single = JSON.stringify(incomingEvent(prng(8), 0));
    const throughput = { without: [] as number[], with: [] as number[] };
    let latency: { values: number[]; expected: number; received: number; dropped: number; achieved: number } | undefined;
    await runLoad({ url: `${collector.url}/analytics`, body: single, connections: http.connections, seconds: Math.max(1, http.warmupSeconds) });
    for (let round = 0; round < http.rounds; round++) {
      const alone = await runLoad({ url: `${collector.url}/analytics`, body: single, connections: http.connections, seconds: http.seconds });
      throughput.without.push(alone.requestsPerSecond);
      const api = await startApi(topic, db.url);
      const subs = startSubscribers({ url: `${api.url}/api/v1/projects/${DEFAULT_PROJECT_ID}/live/events`, apiKey, subscribers });
      try {
        await subs.waitReady();
        // The api's consumer reads from the offsets current when it joined: probe until seen.
        for (let i = 0; subs.events() === 0; i++) {
          if (i > 600) throw new Error('the live feed saw no event within 60 s');
          await fetch(`${collector.url}/analytics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: single });
          await new Promise((r) => setTimeout(r, 100));
        }
        if (latency === undefined) {
          const acked = new Map<string, number>();
          let loadStarted = 0;
          const summary = await runSteadyLoad({ url: `${collector.url}/analytics`, rate, seconds: warmupSeconds + seconds, connections }, (msg) => {
            if (msg.type === 'acks') for (const [id, , at] of msg.acks) acked.set(id, at);
            else if (msg.type === 'started') loadStarted = msg.at;
          });
          await new Promise((r) => setTimeout(r, 2000));
          const receipts = await subs.stop();
          const measureFrom = loadStarted + warmupSeconds * 1000;
          const values: number[] = [];
          let expected = 0;
          let received = 0;
          const byId = new Map(receipts.receipts);
          for (const [id, at] of acked) {
            if (at < measureFrom) continue;
            expected += subscribers;
            for (const t of byId.get(id) ?? []) {
              values.push(Math.max(0, t - at));
              received++;
            }
          }
          latency = { values, expected, received, dropped: receipts.dropped, achieved: summary.ok2xx / summary.seconds };
          ctx.log(`live: ${received}/${expected} (event, subscriber) receipts, p99 ${summarize(values).p99.toFixed(1)} ms`);
        }
        const attached = await runLoad({ url: `${collector.url}/analytics`, body: single, connections: http.connections, seconds: http.seconds });
        throughput.with.push(attached.requestsPerSecond);
        ctx.log(`round ${round + 1}/${http.rounds}: collector ${Math.round(alone.requestsPerSecond)} req/s alone, ${Math.round(attached.requestsPerSecond)} req/s with the api and ${subscribers} subscribers`);
        recordPeak(ctx, 'collector', 'live benchmark 8', collector.service);
      } finally {
        await subs.stop().catch(() => undefined);
        await api.stop();
      }
    }
    const s = summarize(latency!.values);
    const withMedian = median(throughput.with);
    const withoutMedian = median(throughput.without);
    return [
      {
        id: 'live_latency',
        title: `8. Live: collector 2xx -> server-sent event, ${rate} events/s, ${subscribers} subscribers (p99)`,
        value: s.p99,
        unit: 'ms',
        target: { text: `p99 <= ${LIVE_TARGET_P99_MS} ms`, met: s.p99 <= LIVE_TARGET_P99_MS && latency!.received === latency!.expected },
        details: {
          p50Ms: s.p50,
          p99Ms: s.p99,
          maxMs: s.max,
          receipts: latency!.received,
          expectedReceipts: latency!.expected,
          droppedReported: latency!.dropped,
          achievedRatePerSecond: latency!.achieved,
          method: 'each (event, subscriber) pair: the subscriber process stamps the message on arrival (performance.timeOrigin + now), minus the 2xx arrival at the generator; warm-up excluded',
        },
      },
      {
        id: 'live_collector_throughput',
        title: `8b. Collector throughput with the api and ${subscribers} live subscribers attached (1 event/request, c=${http.connections})`,
        value: withMedian,
        unit: 'req/s',
        baseline: { name: 'the same collector without the api', value: withoutMedian, unit: 'req/s' },
        ratio: withMedian / withoutMedian,
        details: { rounds: throughput, note: 'the api and its subscribers share the machine\'s 2 cores with the collector, Kafka and the load generator' },
      },
    ];
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await db.drop();
  }
}
