// Runs the selected benchmark cases in one process, on the already running Kafka and PostgreSQL,
// and assembles the report. bench/run.ts is the CLI around it; the smoke test calls it directly.
import { execFileSync } from 'node:child_process';
import { benchCollector } from './cases/collector.ts';
import { benchEndToEnd } from './cases/end-to-end.ts';
import { benchLive } from './cases/live.ts';
import { benchLoader } from './cases/loader.ts';
import { benchStreaming } from './cases/streaming.ts';
import { benchTracker } from './cases/tracker.ts';
import type { BenchContext } from './lib/context.ts';
import { ADMIN_URL, serverVersion } from './lib/database.ts';
import { connectBenchKafka } from './lib/kafka.ts';
import { describeMachine } from './lib/machine.ts';
import type { CaseName, Settings } from './lib/modes.ts';
import { nodeFlags as serviceNodeFlags } from '../lib/service-manifest.ts';
import { extraEnv, ROOT, SERVICE_ROOT } from './lib/processes.ts';
import { ensureBundles } from '../test/support/service-kit.ts';
import type { BenchReport, BenchResult } from './lib/report.ts';
import pg from 'pg';

const COLLECTOR_RSS_TARGET_MB = 150;
const PIPELINE_RSS_TARGET_MB = 200;

function gitState(): { commit: string; dirty: boolean; serviceRoot?: string } {
  if (SERVICE_ROOT !== ROOT) return { commit: process.env.BENCH_SERVICE_REV ?? 'unknown', dirty: false, serviceRoot: SERVICE_ROOT };
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'collector', 'pipeline', 'contract', 'db', 'lib', 'tracker'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

async function dbFlavor(): Promise<string> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    const r = await c.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
    return r.rowCount ? 'TimescaleDB available' : 'plain, no TimescaleDB';
  } finally {
    await c.end();
  }
}

function memoryResults(ctx: BenchContext): BenchResult[] {
  const out: BenchResult[] = [];
  for (const [role, targetMb] of [
    ['collector', COLLECTOR_RSS_TARGET_MB],
    ['pipeline', PIPELINE_RSS_TARGET_MB],
  ] as const) {
    const peak = ctx.memory.byRole.get(role);
    if (!peak) continue;
    const mb = peak.bytes / 1024 / 1024;
    out.push({
      id: `${role}_peak_rss`,
      title: `6. Peak RSS (VmHWM), ${role} (${peak.atReadyBytes === undefined ? '?' : Math.round(peak.atReadyBytes / 2 ** 20)} MB when ready; peak during ${peak.during})`,
      value: mb,
      unit: 'MB',
      target: { text: `<= ${targetMb} MB`, met: mb <= targetMb },
      details: {
        bytes: peak.bytes,
        during: peak.during,
        rssAtReadyMb: peak.atReadyBytes === undefined ? undefined : peak.atReadyBytes / 1024 / 1024,
        source: '/proc/<pid>/status VmHWM, sampled every second and before stop; rssAtReadyMb = VmRSS when the process first answered ready, before load',
      },
    });
  }
  return out;
}

export async function runSuite(settings: Settings, log: (m: string) => void = () => undefined): Promise<BenchReport> {
  const started = new Date();
  const machine = describeMachine(await serverVersion(), await dbFlavor());
  const kafka = await connectBenchKafka();
  const ctx: BenchContext = { settings, kafka, memory: { byRole: new Map() }, log };
  const results: BenchResult[] = [];
  const nodeFlags = serviceNodeFlags();
  // Bundled once, before any measurement: a service's start-up time is not the build's.
  await ensureBundles(SERVICE_ROOT);
  try {
    for (const name of settings.cases) {
      log(`== ${name}`);
      if (name === 'collector') results.push(...(await benchCollector(ctx)));
      else if (name === 'loader') results.push(...(await benchLoader(ctx)));
      else if (name === 'e2e') results.push(...(await benchEndToEnd(ctx)));
      else if (name === 'streaming') results.push(...(await benchStreaming(ctx)));
      else if (name === 'live') results.push(...(await benchLive(ctx)));
      else results.push(...(await benchTracker()));
    }
  } finally {
    await kafka.close();
  }
  results.push(...memoryResults(ctx));
  const finished = new Date();
  return {
    schemaVersion: 1,
    mode: settings.mode,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationSeconds: (finished.getTime() - started.getTime()) / 1000,
    git: gitState(),
    machine,
    settings: { ...settings, collectorEnv: extraEnv('BENCH_COLLECTOR_ENV'), pipelineEnv: extraEnv('BENCH_PIPELINE_ENV'), serviceNodeFlags: nodeFlags },
    results,
    // Each note only when a benchmark it describes ran.
    notes: (
      [
        { text: 'Every ratio compares two measurements of the same run on the same machine; the load generator runs in its own process (autocannon), sharing the 2 cores with the server it measures, Kafka and PostgreSQL.' },
        { cases: ['collector', 'streaming', 'live'], text: 'Collector: real `collector/src/server.ts` (bundled as by `npm start`, run by plain node), private topic with 3 partitions, acks=all, rate limit off; baseline `bench/load/baseline-server.ts` (Fastify parsing the same body, no validation, no Kafka); floor (1d) the same handler producing each event through the collector\'s own producer and answering after the ack. Medians of the rounds.' },
        { cases: ['loader'], text: 'Loader: real `pipeline/src/main.ts` (bundled, plain node) with its defaults (event ids and rows COPYed under a savepoint, staging + ON CONFLICT DO NOTHING when a batch holds stored events, offsets after commit, summary refresh every 5 s); every record is new, so every batch takes the direct COPY path from a pre-filled private topic into a fresh migrated database; clock from /ready to the inserted counter reaching N, count(*) checked. Baseline `psql \\copy` of the identical rows into another fresh database with the same schema.' },
        { cases: ['e2e', 'live'], text: 'End to end: an evenly paced open-loop generator (not autocannon, whose rate mode sends each second as one burst); latency from the 2xx arriving at the generator to the first database poll (every 5 ms) that returns the row, an upper bound; warm-up seconds reported apart.' },
        { cases: ['collector', 'loader', 'e2e', 'streaming', 'live'], text: 'Peak RSS: VmHWM of each collector/pipeline process from /proc/<pid>/status.' },
        { cases: ['streaming'], text: 'Streaming (7): collectors with a secret key of a fresh bench database; the same realistic events over POST /api/v1/events (100 a request, fixed concurrency), NDJSON streams and gRPC streams sent by the shipped client (send/), each in its own process; transports alternate their order per round; events/s from the client\'s clock over the acknowledged events, medians of the rounds; CPU per event: the client\'s process.cpuUsage and the collector\'s process_cpu_seconds_total over each phase; each transport has a collector process of its own (same settings), so its peak RSS (VmHWM) is that transport\'s.' },
      ] as { cases?: readonly CaseName[]; text: string }[]
    )
      .filter((n) => n.cases === undefined || n.cases.some((c) => settings.cases.includes(c)))
      .map((n) => n.text),
  };
}
