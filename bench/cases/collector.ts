// Benchmarks 1 and 2: the real collector (validation, enrichment, Kafka acks=all on a private
// topic) against a bare Fastify handler parsing the same body, and the generator's own ceiling
// (a raw node:http server that parses nothing). Rounds alternate the servers so drift in the
// shared machine's load hits all of them alike.
import type { BenchContext } from '../lib/context.ts';
import { recordPeak } from '../lib/context.ts';
import { createBenchDatabase } from '../lib/database.ts';
import { incomingEvent, prng } from '../lib/events.ts';
import { cpuSecondsOf, extraEnv, readCpuSeconds, spawnCollector, spawnHelper, waitReady, type Service } from '../lib/processes.ts';
import { KAFKA_BROKERS } from '../lib/kafka.ts';
import { freePort } from '../../test/support/service-kit.ts';
import type { BenchResult } from '../lib/report.ts';
import { median } from '../lib/stats.ts';
import { runLoad } from '../lib/workers.ts';
import { brokerPid } from '../lib/broker.ts';
import type { LoadResult } from '../load/autocannon-worker.ts';

const SINGLE_TARGET_RATIO = 0.5;
const BATCH_TARGET_EVENTS_PER_SECOND = 100_000;

/**
 * The measured collector on `topic`, its projects, keys and visitor salts in `databaseUrl` (a
 * migrated bench database: without those tables every event would wait for a salt and get 503).
 */
export async function startCollector(ctx: BenchContext, topic: string, name: string, databaseUrl: string): Promise<{ service: Service; url: string }> {
  const service = await spawnCollector(name, topic, { databaseUrl });
  await waitReady(service);
  ctx.log(`${name} ready on ${service.url} (topic ${topic})`);
  return { service, url: service.url };
}

/** A baseline server (bench/load/baseline-server.ts); `topic` for the one that produces to Kafka. */
async function startBaseline(kind: 'raw' | 'fastify' | 'kafka', topic?: string): Promise<{ service: Service; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // The Kafka floor takes the collector's producer settings, BENCH_COLLECTOR_ENV experiments included.
  const env = kind === 'kafka' ? { ...extraEnv('BENCH_COLLECTOR_ENV'), KAFKA_BROKERS, KAFKA_TOPIC: topic ?? '', LOG_LEVEL: 'warn' } : {};
  // The raw server answers any path; Fastify has /health.
  const service = await spawnHelper(`baseline-${kind}`, 'bench/load/baseline-server.ts', [kind], { ...env, PORT: String(port) }, kind === 'raw' ? url : `${url}/health`);
  await waitReady(service);
  return { service, url };
}

/** Sum of every sample of a metric (all label sets) in Prometheus text. */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

interface FlushSnapshot {
  flushes: number;
  seconds: number;
  records: number;
  /** The collector's CPU seconds so far (process.cpuUsage through /metrics). */
  cpuSeconds: number;
}

async function flushSnapshot(url: string, pid: number): Promise<FlushSnapshot> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return {
    flushes: metricSum(text, 'collector_kafka_produce_seconds_count'),
    seconds: metricSum(text, 'collector_kafka_produce_seconds_sum'),
    records: metricSum(text, 'collector_kafka_batch_records_sum'),
    cpuSeconds: cpuSecondsOf(text, '', pid).seconds,
  };
}

/** CPU a server spent per answered request and per event over one load phase. */
function cpuStats(before: Pick<FlushSnapshot, 'cpuSeconds'>, after: Pick<FlushSnapshot, 'cpuSeconds'>, res: LoadResult, events: number) {
  const cpu = after.cpuSeconds - before.cpuSeconds;
  const requests = res.ok2xx + res.non2xx;
  return {
    // Share of one core the process used: near 100 % means CPU-bound, far below means waiting.
    cpuCores: cpu / res.seconds,
    cpuMicrosPerRequest: requests === 0 ? NaN : (cpu * 1e6) / requests,
    cpuMicrosPerEvent: requests === 0 ? NaN : (cpu * 1e6) / (requests * events),
  };
}

/** Average produce call over a phase: how long the broker took and how full the calls were. */
function flushStats(before: FlushSnapshot, after: FlushSnapshot, seconds: number) {
  const flushes = after.flushes - before.flushes;
  return {
    flushesPerSecond: flushes / seconds,
    avgFlushMs: flushes === 0 ? 0 : ((after.seconds - before.seconds) / flushes) * 1000,
    avgRecordsPerFlush: flushes === 0 ? 0 : (after.records - before.records) / flushes,
  };
}

export async function benchCollector(ctx: BenchContext): Promise<BenchResult[]> {
  const { seconds, rounds, connections, warmupSeconds } = ctx.settings.http;
  const rnd = prng(1);
  const single = JSON.stringify(incomingEvent(rnd, 0));
  const batch = JSON.stringify(Array.from({ length: 100 }, (_, i) => incomingEvent(rnd, i)));
  const topic = await ctx.kafka.createTopic('collector');
  const db = await createBenchDatabase('collector');
  const services: Service[] = [];
  try {
    const collector = await startCollector(ctx, topic, 'collector', db.url);
    services.push(collector.service);
    const raw = await startBaseline('raw');
    services.push(raw.service);
    const bare = await startBaseline('fastify');
    services.push(bare.service);
    const floor = await startBaseline('kafka', await ctx.kafka.createTopic('collector-floor'));
    services.push(floor.service);
    const cases = [
      { key: 'raw', url: raw.url, body: single, events: 1 },
      { key: 'bare', url: bare.url, body: single, events: 1 },
      { key: 'floor', url: floor.url, body: single, events: 1 },
      { key: 'collector', url: collector.url, body: single, events: 1 },
      { key: 'bareBatch', url: bare.url, body: batch, events: 100 },
      { key: 'floorBatch', url: floor.url, body: batch, events: 100 },
      { key: 'collectorBatch', url: collector.url, body: batch, events: 100 },
    ] as const;
    let collectorEvents2xx = 0;
    if (warmupSeconds > 0) {
      // JIT, the producer id, Kafka connections and metadata: not part of the measurement.
      for (const c of [cases[3], cases[6], cases[1], cases[2], cases[5]]) {
        const w = await runLoad({ url: `${c.url}/analytics`, body: c.body, connections, seconds: warmupSeconds });
        if (c.url === collector.url) collectorEvents2xx += w.ok2xx * c.events;
      }
    }
    const byCase = new Map<string, LoadResult[]>();
    // VmHWM after each collector case: shows which load drives the peak.
    const peakAfter: Record<string, number> = {};
    const flushes: Record<string, (ReturnType<typeof flushStats> & ReturnType<typeof cpuStats>)[]> = {};
    // The baselines' CPU from /proc (10 ms ticks; they have no /metrics), for the same per-request figure.
    const baselineCpu: Record<string, ReturnType<typeof cpuStats>[]> = {};
    const pid = collector.service.pid!;
    // The local broker shares the cores: its CPU per request bounds the collector's throughput too.
    const broker = brokerPid();
    const brokerCpu: Record<string, ReturnType<typeof cpuStats>[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const c of cases) {
        const before = c.url === collector.url ? await flushSnapshot(collector.url, pid) : undefined;
        const basePid = c.url === bare.url ? bare.service.pid! : c.url === floor.url ? floor.service.pid! : undefined;
        const baseBefore = basePid === undefined ? undefined : { cpuSeconds: readCpuSeconds(basePid) };
        const brokerBefore = broker === undefined ? undefined : { cpuSeconds: readCpuSeconds(broker) };
        const res = await runLoad({ url: `${c.url}/analytics`, body: c.body, connections, seconds });
        if (brokerBefore && broker !== undefined) brokerCpu[c.key] = [...(brokerCpu[c.key] ?? []), cpuStats(brokerBefore, { cpuSeconds: readCpuSeconds(broker) }, res, c.events)];
        if (before) {
          const after = await flushSnapshot(collector.url, pid);
          flushes[c.key] = [...(flushes[c.key] ?? []), { ...flushStats(before, after, res.seconds), ...cpuStats(before, after, res, c.events) }];
        }
        if (baseBefore && basePid !== undefined) {
          baselineCpu[c.key] = [...(baselineCpu[c.key] ?? []), cpuStats(baseBefore, { cpuSeconds: readCpuSeconds(basePid) }, res, c.events)];
        }
        byCase.set(c.key, [...(byCase.get(c.key) ?? []), res]);
        if (c.url === collector.url) {
          collectorEvents2xx += res.ok2xx * c.events;
          peakAfter[c.key] = Math.round(collector.service.peakRssBytes() / 1024 / 1024);
        }
        ctx.log(`round ${r + 1}/${rounds} ${c.key}: ${Math.round(res.requestsPerSecond)} req/s, p50 ${res.latencyP50Ms} ms, p99 ${res.latencyP99Ms} ms, non-2xx ${res.non2xx + res.errors}`);
      }
    }
    // Requests autocannon abandoned at its deadline may still be acknowledged: let them land.
    await new Promise((r) => setTimeout(r, 1500));
    const metricsText = await (await fetch(`${collector.url}/metrics`)).text();
    const accepted = metricSum(metricsText, 'collector_events_accepted_total');
    // Where the collector's memory is at the end: V8 heap vs. the rest (code, tsx, buffers).
    const memory = {
      heapTotalMb: metricSum(metricsText, 'nodejs_heap_size_total_bytes') / 2 ** 20,
      heapUsedMb: metricSum(metricsText, 'nodejs_heap_size_used_bytes') / 2 ** 20,
      externalMb: metricSum(metricsText, 'nodejs_external_memory_bytes') / 2 ** 20,
      rssNowMb: metricSum(metricsText, 'process_resident_memory_bytes') / 2 ** 20,
    };
    const onTopic = await ctx.kafka.recordCount(topic);
    recordPeak(ctx, 'collector', 'collector benchmarks 1-2', collector.service);

    const med = (key: string, f: (r: LoadResult) => number) => median((byCase.get(key) ?? []).map(f));
    const summary = (key: string, events: number) => ({
      requestsPerSecond: med(key, (r) => r.requestsPerSecond),
      eventsPerSecond: med(key, (r) => r.requestsPerSecond) * events,
      p50Ms: med(key, (r) => r.latencyP50Ms),
      p99Ms: med(key, (r) => r.latencyP99Ms),
      failed: (byCase.get(key) ?? []).reduce((a, r) => a + r.non2xx + r.errors + r.timeouts, 0),
      rounds: (byCase.get(key) ?? []).map((r) => Math.round(r.requestsPerSecond)),
    });
    const s = {
      raw: summary('raw', 1),
      bare: summary('bare', 1),
      floor: summary('floor', 1),
      collector: summary('collector', 1),
      bareBatch: summary('bareBatch', 100),
      floorBatch: summary('floorBatch', 100),
      collectorBatch: summary('collectorBatch', 100),
    };
    const counts = { collectorEvents2xx, acceptedByCollector: accepted, recordsOnTopic: onTopic };
    const singleRatio = s.collector.requestsPerSecond / s.bare.requestsPerSecond;
    const cpuMedian = (key: string, f: (x: ReturnType<typeof cpuStats>) => number) => median((flushes[key] ?? []).map(f));
    const baselineCpuMedian = (key: string) => median((baselineCpu[key] ?? []).map((x) => x.cpuMicrosPerRequest));
    const brokerMedian = (key: string, f: (x: ReturnType<typeof cpuStats>) => number) => median((brokerCpu[key] ?? []).map(f));
    return [
      {
        id: 'generator_ceiling',
        title: `0. Load generator ceiling: autocannon vs raw node:http (no parsing), c=${connections}`,
        value: s.raw.requestsPerSecond,
        unit: 'req/s',
        details: { ...s.raw, note: 'no server can be measured faster than this on this machine with this generator' },
      },
      {
        id: 'collector_single',
        title: `1. Collector (validate, enrich, produce acks=all), 1 event/request, c=${connections} (p50 ${s.collector.p50Ms} / p99 ${s.collector.p99Ms} ms; bare ${s.bare.p50Ms} / ${s.bare.p99Ms} ms)`,
        value: s.collector.requestsPerSecond,
        unit: 'req/s',
        baseline: { name: 'bare Fastify (parse only)', value: s.bare.requestsPerSecond, unit: 'req/s' },
        ratio: singleRatio,
        target: { text: `>= ${SINGLE_TARGET_RATIO}x bare Fastify`, met: singleRatio >= SINGLE_TARGET_RATIO },
        details: { collector: s.collector, bareFastify: s.bare, counts, topic, collectorPeakRssMbAfter: peakAfter, collectorMemoryAtEnd: memory, kafkaFlushes: flushes['collector'] },
      },
      {
        id: 'collector_batch',
        title: `2. Collector (validate, enrich, produce acks=all), 100 events/request, c=${connections} (p50 ${s.collectorBatch.p50Ms} / p99 ${s.collectorBatch.p99Ms} ms)`,
        value: s.collectorBatch.eventsPerSecond,
        unit: 'events/s',
        baseline: { name: 'bare Fastify (parse only), same body', value: s.bareBatch.eventsPerSecond, unit: 'events/s' },
        ratio: s.collectorBatch.eventsPerSecond / s.bareBatch.eventsPerSecond,
        target: { text: `>= ${BATCH_TARGET_EVENTS_PER_SECOND.toLocaleString('en-US')} events/s`, met: s.collectorBatch.eventsPerSecond >= BATCH_TARGET_EVENTS_PER_SECOND },
        details: { collector: s.collectorBatch, bareFastify: s.bareBatch, counts, kafkaFlushes: flushes['collectorBatch'] },
      },
      {
        id: 'collector_cpu',
        title: `1b. Collector CPU per request, 1 event/request (100 events/request: ${cpuMedian('collectorBatch', (x) => x.cpuMicrosPerRequest).toFixed(0)} µs, ${cpuMedian('collectorBatch', (x) => x.cpuMicrosPerEvent).toFixed(1)} µs/event; bare Fastify ${baselineCpuMedian('bareBatch').toFixed(0)} µs)`,
        value: cpuMedian('collector', (x) => x.cpuMicrosPerRequest),
        unit: 'CPU µs/request',
        baseline: { name: 'bare Fastify (parse only), same flags, /proc', value: baselineCpuMedian('bare'), unit: 'CPU µs/request' },
        details: {
          bareSingle: baselineCpu['bare']?.map((x) => x.cpuMicrosPerRequest),
          bareBatchPerRequest: baselineCpu['bareBatch']?.map((x) => x.cpuMicrosPerRequest),
          single: flushes['collector']?.map((x) => x.cpuMicrosPerRequest),
          batchPerRequest: flushes['collectorBatch']?.map((x) => x.cpuMicrosPerRequest),
          batchPerEvent: flushes['collectorBatch']?.map((x) => x.cpuMicrosPerEvent),
          source: 'process_cpu_seconds_total (process.cpuUsage) of the collector, user + system, over each load phase; /proc when absent',
        },
      },
      {
        // What acks=all before the 2xx costs by itself: no collector reaches more than this here.
        id: 'collector_floor',
        title: `1d. Floor: bare Fastify + the collector's producer (acks=all before the 2xx; no validation, enrichment or hooks), 1 event/request, c=${connections} (p50 ${s.floor.p50Ms} / p99 ${s.floor.p99Ms} ms; ${baselineCpuMedian('floor').toFixed(0)} CPU µs/request, /proc; 100 events/request: ${Math.round(s.floorBatch.eventsPerSecond).toLocaleString('en-US')} events/s, ${(baselineCpuMedian('floorBatch') / 100).toFixed(1)} CPU µs/event)`,
        value: s.floor.requestsPerSecond,
        unit: 'req/s',
        baseline: { name: 'bare Fastify (parse only)', value: s.bare.requestsPerSecond, unit: 'req/s' },
        ratio: s.floor.requestsPerSecond / s.bare.requestsPerSecond,
        details: {
          floor: s.floor,
          floorBatch: s.floorBatch,
          cpuMicrosPerRequest: baselineCpu['floor']?.map((x) => x.cpuMicrosPerRequest),
          cpuMicrosPerEventBatch: baselineCpu['floorBatch']?.map((x) => x.cpuMicrosPerEvent),
          brokerCpuMicrosPerRequest: brokerCpu['floor']?.map((x) => x.cpuMicrosPerRequest),
          brokerCpuMicrosPerEventBatch: brokerCpu['floorBatch']?.map((x) => x.cpuMicrosPerEvent),
          server: 'bench/load/baseline-server.ts kafka',
        },
      },
      // A broker elsewhere (KAFKA_BROKERS of another machine) has no figure here.
      ...(broker === undefined
        ? []
        : [
            {
              id: 'collector_broker_cpu',
              title: `1c. Kafka broker CPU per collector request, 1 event/request (${(brokerMedian('collector', (x) => x.cpuCores) * 100).toFixed(0)} % of a core; 100 events/request: ${brokerMedian('collectorBatch', (x) => x.cpuMicrosPerEvent).toFixed(1)} µs/event), /proc`,
              value: brokerMedian('collector', (x) => x.cpuMicrosPerRequest),
              unit: 'CPU µs/request',
              details: {
                single: brokerCpu['collector']?.map((x) => x.cpuMicrosPerRequest),
                batchPerEvent: brokerCpu['collectorBatch']?.map((x) => x.cpuMicrosPerEvent),
                coresDuringBareFastify: brokerCpu['bare']?.map((x) => x.cpuCores),
                pid: broker,
                source: 'utime + stime of the local broker process (java kafka.Kafka) from /proc/<pid>/stat over each load phase; includes whatever else the shared broker served meanwhile (its share of a core during the bare-Fastify phase shows that)',
              },
            },
          ]),
    ];
  } finally {
    for (const svc of services) await svc.stop();
    await db.drop();
  }
}
