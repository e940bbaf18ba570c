// Benchmark 7: streaming ingestion next to the batched POST, in the same run, through real
// collectors (the bundle `npm start` runs) with Kafka acks=all on a private topic and a secret key of
// a fresh bench database: (a) POST /api/v1/events with 100 events a request at a fixed
// concurrency, (b) NDJSON streams (POST /api/v1/events/stream) and (c) gRPC client streams
// (analytics.v1.Ingest/StreamEvents), both sent by the shipped client (send/). The same events
// each time; the client in its own process. Per transport: events/s (median of the rounds), the
// client's and the collector's CPU per event, and the peak resident memory of a collector that
// served only that transport.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
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
import { metricSum } from './collector.ts';

const TARGET_RATIO = 1.0;
const BATCH_SIZE = 100;
/** The collector's default pepper (API_KEY_PEPPER unset): the bench's collector is started without one. */
const PEPPER = 'local-development-pepper';
const TRANSPORTS = ['post', 'ndjson', 'grpc'] as const;
type Transport = (typeof TRANSPORTS)[number];

interface Phase {
  eventsPerSecond: number;
  clientCpuMicrosPerEvent: number;
  collectorCpuMicrosPerEvent: number;
  /** Peak resident memory (VmHWM) of the transport's own collector so far, MB. */
  collectorPeakRssMb: number;
  accepted: number;
  failures: string[];
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
  const collectors = new Map<Transport, Awaited<ReturnType<typeof spawnCollector>>>();
  try {
    const cli = async (command: 'projects' | 'keys', args: string[]) => {
      const out = await runCli(command, args, { db: db.pool, pepper: PEPPER });
      if (!out.ok) throw new Error(`${command} ${args.join(' ')}: ${out.error}`);
      return out.value.json as Record<string, string>;
    };
    const project = (await cli('projects', ['create', 'bench-streaming'])).project!;
    const key = (await cli('keys', ['create', '--project', project, '--scopes', 'ingest'])).key!;
    // One collector per transport, so each one's peak resident memory is its own transport's
    // (a process's RSS does not shrink back after a phase). Every stream of a round at once, and
    // the batched POST's request rate, stay within the key's limits.
    for (const t of TRANSPORTS) {
      const c = await spawnCollector(`collector-streaming-${t}`, topic, { databaseUrl: db.url, keyRateLimitPerMinute: 100_000_000, streamMaxPerKey: Math.max(streams, 4) });
      collectors.set(t, c);
      await waitReady(c);
      if (c.ports.grpc === undefined) throw new Error('the collector has no gRPC port in the service manifest');
    }
    const files = writeEventFiles(dir, 'events', events, streams);
    const warmFiles = writeEventFiles(dir, 'warmup', Math.max(streams, Math.round(events / 10)), streams);

    const phase = async (transport: Transport, phaseFiles: string[]): Promise<Phase> => {
      const collector = collectors.get(transport)!;
      const pid = collector.pid!;
      const cpuNow = async () => cpuSecondsOf(await (await fetch(`${collector.url}/metrics`)).text(), '', pid).seconds;
      const before = await cpuNow();
      const res = await runStreamLoad({ transport, files: phaseFiles, url: collector.url, grpcAddress: `127.0.0.1:${collector.ports.grpc}`, key, concurrency, batchSize: BATCH_SIZE });
      const collectorCpu = (await cpuNow()) - before;
      return {
        eventsPerSecond: res.accepted / res.seconds,
        clientCpuMicrosPerEvent: res.clientCpuMicros / res.accepted,
        collectorCpuMicrosPerEvent: (collectorCpu * 1e6) / res.accepted,
        collectorPeakRssMb: collector.peakRssBytes() / 2 ** 20,
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
        ctx.log(`round ${r + 1}/${rounds} ${t}: ${Math.round(p.eventsPerSecond)} events/s, client ${p.clientCpuMicrosPerEvent.toFixed(1)} + collector ${p.collectorCpuMicrosPerEvent.toFixed(1)} CPU µs/event, collector peak RSS ${Math.round(p.collectorPeakRssMb)} MB${p.failures.length > 0 ? `, failures: ${p.failures.slice(0, 3).join('; ')}` : ''}`);
      }
    }
    let acceptedByCollector = 0;
    for (const [t, c] of collectors) {
      acceptedByCollector += metricSum(await (await fetch(`${c.url}/metrics`)).text(), 'collector_events_accepted_total');
      recordPeak(ctx, 'collector', `streaming benchmark 7 (${t})`, c);
    }
    const counts = { eventsSentMeasured: sent, acceptedByCollector, recordsOnTopic: await ctx.kafka.recordCount(topic) };

    const med = (t: Transport, f: (p: Phase) => number) => median(byTransport.get(t)!.map(f));
    const summary = (t: Transport) => ({
      eventsPerSecond: med(t, (p) => p.eventsPerSecond),
      clientCpuMicrosPerEvent: med(t, (p) => p.clientCpuMicrosPerEvent),
      collectorCpuMicrosPerEvent: med(t, (p) => p.collectorCpuMicrosPerEvent),
      /** VmHWM of this transport's own collector after its last round. */
      collectorPeakRssMb: Math.max(...byTransport.get(t)!.map((p) => p.collectorPeakRssMb)),
      rounds: byTransport.get(t)!.map((p) => Math.round(p.eventsPerSecond)),
      failures: byTransport.get(t)!.flatMap((p) => p.failures),
    });
    const post = summary('post');
    const describe = (s: ReturnType<typeof summary>) => `CPU µs/event client ${s.clientCpuMicrosPerEvent.toFixed(1)} + collector ${s.collectorCpuMicrosPerEvent.toFixed(1)}; collector peak RSS ${Math.round(s.collectorPeakRssMb)} MB`;
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
    for (const c of collectors.values()) await c.stop();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
