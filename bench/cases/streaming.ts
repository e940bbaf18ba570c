// Benchmark 7: streaming ingestion next to the batched POST, in the same run, through one real
// collector (the bundle `npm start` runs) with Kafka acks=all on a private topic and a secret key of
// a fresh bench database: (a) POST /api/v1/events with 100 events a request at a fixed
// concurrency, (b) NDJSON streams (POST /api/v1/events/stream) and (c) gRPC client streams
// (analytics.v1.Ingest/StreamEvents), both sent by the shipped client (send/). The same events
// each time; the client in its own process. Per transport: events/s (median of the rounds), the
// client's and the collector's CPU per event, and the collector's peak resident memory.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../tenancy/cli-commands.ts';
import type { BenchContext } from '../lib/context.ts';
import { recordPeak } from '../lib/context.ts';
import { createBenchDatabase } from '../lib/database.ts';
import { incomingEvent, prng } from '../lib/events.ts';
import { cpuSecondsOf, RUN_DIR, spawnCollector, waitReady } from '../lib/processes.ts';
import type { BenchResult } from '../lib/report.ts';
import { median } from '../lib/stats.ts';
import { runStreamLoad } from '../lib/workers.ts';
import type { StreamLoadResult } from '../load/stream-worker.ts';
import { metricSum } from './collector.ts';

const TARGET_RATIO = 1.0;
const BATCH_SIZE = 100;
/** The collector's default API_KEY_PEPPER: the bench's collector is started without one. */
const PEPPER = 'local-development-pepper';
const TRANSPORTS = ['post', 'ndjson', 'grpc'] as const;
type Transport = (typeof TRANSPORTS)[number];

interface Phase {
  eventsPerSecond: number;
  clientCpuMicrosPerEvent: number;
  collectorCpuMicrosPerEvent: number;
  /** Largest VmRSS sampled (every 50 ms) during the phase, MB. */
  collectorPeakRssMb: number;
  accepted: number;
  failures: string[];
}

/** Resident memory of `pid` now, bytes (VmRSS); 0 once it is gone. */
function rssBytes(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** `total` realistic server events as NDJSON, cut into `parts` files of consecutive lines. */
function writeEventFiles(dir: string, label: string, total: number, parts: number): string[] {
  const rnd = prng(7);
  const files: string[] = [];
  const per = Math.ceil(total / parts);
  for (let p = 0; p < parts; p++) {
    const lines: string[] = [];
    for (let i = p * per; i < Math.min(total, (p + 1) * per); i++) lines.push(JSON.stringify({ ...incomingEvent(rnd, i), ip: `198.51.100.${i % 250}` }));
    const file = path.join(dir, `${label}-${p}.ndjson`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    files.push(file);
  }
  return files;
}

export async function benchStreaming(ctx: BenchContext): Promise<BenchResult[]> {
  const { events, rounds, streams, concurrency } = ctx.settings.streaming;
  const dir = path.join(RUN_DIR, 'streaming');
  mkdirSync(dir, { recursive: true });
  const db = await createBenchDatabase('streaming');
  const topic = await ctx.kafka.createTopic('streaming');
  let collector: Awaited<ReturnType<typeof spawnCollector>> | undefined;
  try {
    const cli = async (command: 'projects' | 'keys', args: string[]) => {
      const out = await runCli(command, args, { db: db.pool, pepper: PEPPER });
      if (!out.ok) throw new Error(`${command} ${args.join(' ')}: ${out.error}`);
      return out.value.json as Record<string, string>;
    };
    const project = (await cli('projects', ['create', 'bench-streaming'])).project!;
    const key = (await cli('keys', ['create', '--project', project, '--scopes', 'ingest'])).key!;
    // Every stream of a round at once, and the batched POST's request rate, stay within the key's limits.
    collector = await spawnCollector('collector-streaming', topic, { databaseUrl: db.url, keyRateLimitPerMinute: 100_000_000, streamMaxPerKey: Math.max(streams, 4) });
    await waitReady(collector);
    const grpcPort = collector.ports.grpc;
    if (grpcPort === undefined) throw new Error('the collector has no gRPC port in the service manifest');
    const target = { url: collector.url, grpcAddress: `127.0.0.1:${grpcPort}`, key, concurrency, batchSize: BATCH_SIZE };
    const files = writeEventFiles(dir, 'events', events, streams);
    const warmFiles = writeEventFiles(dir, 'warmup', Math.max(streams, Math.round(events / 10)), streams);
    const pid = collector.pid!;
    const cpuNow = async () => cpuSecondsOf(await (await fetch(`${collector!.url}/metrics`)).text(), '', pid).seconds;

    const phase = async (transport: Transport, phaseFiles: string[]): Promise<Phase> => {
      const before = await cpuNow();
      let peak = rssBytes(pid);
      const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 50);
      let res: StreamLoadResult;
      try {
        res = await runStreamLoad({ transport, files: phaseFiles, ...target });
      } finally {
        clearInterval(sampler);
      }
      const collectorCpu = (await cpuNow()) - before;
      return {
        eventsPerSecond: res.accepted / res.seconds,
        clientCpuMicrosPerEvent: res.clientCpuMicros / res.accepted,
        collectorCpuMicrosPerEvent: (collectorCpu * 1e6) / res.accepted,
        collectorPeakRssMb: Math.max(peak, rssBytes(pid)) / 2 ** 20,
        accepted: res.accepted,
        failures: res.failures,
      };
    };

    // JIT, Kafka connections and the producer id: not part of the measurement.
    for (const t of TRANSPORTS) await phase(t, warmFiles);
    const byTransport = new Map<Transport, Phase[]>(TRANSPORTS.map((t) => [t, []]));
    let sent = 0;
    for (let r = 0; r < rounds; r++) {
      // The order turns every round, so drift in the shared machine's load hits each transport alike.
      for (let i = 0; i < TRANSPORTS.length; i++) {
        const t = TRANSPORTS[(i + r) % TRANSPORTS.length]!;
        const p = await phase(t, files);
        sent += events;
        byTransport.get(t)!.push(p);
        ctx.log(`round ${r + 1}/${rounds} ${t}: ${Math.round(p.eventsPerSecond)} events/s, client ${p.clientCpuMicrosPerEvent.toFixed(1)} + collector ${p.collectorCpuMicrosPerEvent.toFixed(1)} CPU µs/event, collector RSS ≤ ${Math.round(p.collectorPeakRssMb)} MB${p.failures.length > 0 ? `, failures: ${p.failures.slice(0, 3).join('; ')}` : ''}`);
      }
    }
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    const counts = { eventsSentMeasured: sent, acceptedByCollector: metricSum(metrics, 'collector_events_accepted_total'), recordsOnTopic: await ctx.kafka.recordCount(topic) };
    recordPeak(ctx, 'collector', 'streaming benchmark 7', collector);

    const med = (t: Transport, f: (p: Phase) => number) => median(byTransport.get(t)!.map(f));
    const summary = (t: Transport) => ({
      eventsPerSecond: med(t, (p) => p.eventsPerSecond),
      clientCpuMicrosPerEvent: med(t, (p) => p.clientCpuMicrosPerEvent),
      collectorCpuMicrosPerEvent: med(t, (p) => p.collectorCpuMicrosPerEvent),
      collectorPeakRssMb: Math.max(...byTransport.get(t)!.map((p) => p.collectorPeakRssMb)),
      rounds: byTransport.get(t)!.map((p) => Math.round(p.eventsPerSecond)),
      failures: byTransport.get(t)!.flatMap((p) => p.failures),
    });
    const post = summary('post');
    const describe = (s: ReturnType<typeof summary>) => `CPU µs/event client ${s.clientCpuMicrosPerEvent.toFixed(1)} + collector ${s.collectorCpuMicrosPerEvent.toFixed(1)}; collector RSS ≤ ${Math.round(s.collectorPeakRssMb)} MB`;
    const streamResult = (t: 'ndjson' | 'grpc', title: string): BenchResult => {
      const s = summary(t);
      const ratio = s.eventsPerSecond / post.eventsPerSecond;
      return {
        id: `streaming_${t}`,
        title: `${title}, ${streams} streams of ${Math.round(events / streams).toLocaleString('en-US')} events (${describe(s)})`,
        value: s.eventsPerSecond,
        unit: 'events/s',
        baseline: { name: `POST /api/v1/events, ${BATCH_SIZE}/request, c=${concurrency}`, value: post.eventsPerSecond, unit: 'events/s' },
        ratio,
        target: { text: `>= ${TARGET_RATIO.toFixed(1)}x batched POST`, met: ratio >= TARGET_RATIO && s.failures.length === 0 },
        details: { ...s, counts },
      };
    };
    return [
      {
        id: 'streaming_post_batch',
        title: `7a. Batched POST /api/v1/events (secret key), ${BATCH_SIZE} events/request, c=${concurrency} (${describe(post)})`,
        value: post.eventsPerSecond,
        unit: 'events/s',
        details: { ...post, counts, events, rounds },
      },
      streamResult('ndjson', '7b. NDJSON stream POST /api/v1/events/stream (send --http)'),
      streamResult('grpc', '7c. gRPC stream Ingest/StreamEvents (send --grpc)'),
    ];
  } finally {
    await collector?.stop();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
