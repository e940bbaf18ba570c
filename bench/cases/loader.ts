// Benchmark 3: the loader. A private topic is pre-filled with N realistic collector records (written
// by the measured checkout's own collector/src/kafka/to-record.ts: value, key and headers); the
// real pipeline (pipeline/src/main.ts) loads them into a fresh migrated database. Every record is
// a new event, so every batch takes the direct path: COPY of its event ids into
// analytics_event_ids and of its rows into analytics_events under a savepoint (the staging +
// ON CONFLICT path runs only for batches holding a resend, and none does here). Against `psql \copy` of the
// very same rows (made by the pipeline's own steps) into another fresh database with the same
// schema. The clock for the pipeline starts when it has joined its group (/ready) and stops when
// its inserted counter reaches N; the row count is then checked in the database. Over the same
// interval the pipeline's own CPU time (its process.cpuUsage, from /metrics) gives CPU µs per row.
// Rows, columns and schema all come from the measured checkout (BENCH_SERVICE_ROOT), so a
// before/after pair compares each revision with its own \copy, across schema changes too.
import { execFile } from 'node:child_process';
import { createWriteStream, rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Message } from 'kafkajs';
import type * as ProcessMessage from '../../pipeline/src/steps/process-message.ts';
import type * as ToCopyRow from '../../pipeline/src/steps/to-copy-row.ts';
import type * as ToRecord from '../../collector/src/kafka/to-record.ts';
import { recordPeak, type BenchContext } from '../lib/context.ts';
import { countEvents, createBenchDatabase, type BenchDatabase } from '../lib/database.ts';
import { collectedEvent, prng } from '../lib/events.ts';
import { fillTopic } from '../lib/kafka.ts';
import { cpuSecondsOf, metricSample, nowMs, RUN_DIR, SERVICE_ROOT, spawnPipeline, waitReady } from '../lib/processes.ts';
import { GiveUp, waitFor } from '../../test/support/service-kit.ts';
import type { BenchResult } from '../lib/report.ts';
import { median } from '../lib/stats.ts';

const run = promisify(execFile);
const LOADER_TARGET_RATIO = 0.8;
// One produce request per chunk: stays well under the broker's 1 MB message batch limit.
const CHUNK = 2000;

/**
 * The measured checkout's own pipeline steps and collector record writer: its rows and COPY
 * columns match its schema, and its records are what its collector writes (canonical, marked).
 */
async function serviceSteps(): Promise<typeof ProcessMessage & typeof ToCopyRow & typeof ToRecord> {
  const load = async <T>(...file: string[]) => (await import(pathToFileURL(path.join(SERVICE_ROOT, ...file)).href)) as T;
  return {
    ...(await load<typeof ProcessMessage>('pipeline', 'src', 'steps', 'process-message.ts')),
    ...(await load<typeof ToCopyRow>('pipeline', 'src', 'steps', 'to-copy-row.ts')),
    ...(await load<typeof ToRecord>('collector', 'src', 'kafka', 'to-record.ts')),
  };
}

/** Fills the topic and writes the COPY text of the same rows; returns the file and bytes written. */
async function prepare(ctx: BenchContext, topic: string, events: number, file: string): Promise<{ bytes: number; rows: number }> {
  const { processMessage, toCopyRow, toRecord } = await serviceSteps();
  const rnd = prng(3);
  const end = Date.now();
  const out = createWriteStream(file);
  let rows = 0;
  let bytes = 0;
  function* chunks(): Generator<Message[]> {
    for (let start = 0; start < events; start += CHUNK) {
      const messages: Message[] = [];
      let tsv = '';
      for (let i = start; i < Math.min(events, start + CHUNK); i++) {
        // Keyed as the collector keys records: a visitor's events share a partition and one loader.
        const { key, value: text, timestamp, headers } = toRecord(collectedEvent(rnd, i, events, end));
        const value = Buffer.from(text);
        messages.push({ key, value, timestamp, ...(headers ? { headers } : {}) });
        // The pipeline's own steps make the COPY rows, so both sides load identical data.
        const { outcome } = processMessage(value, { topic, partition: 0, offset: String(i), timestamp, key: null }, headers);
        if (!outcome.ok) throw new Error(`generated event rejected by the pipeline: ${outcome.reason}`);
        tsv += toCopyRow(outcome.value);
        rows++;
        bytes += value.length;
      }
      out.write(tsv);
      yield messages;
    }
  }
  const written = await fillTopic(ctx.kafka.kafka, topic, chunks(), 8);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  if (written !== events) throw new Error(`filled ${written} of ${events} records`);
  return { bytes, rows };
}

async function copyBaseline(ctx: BenchContext, file: string, rows: number): Promise<number> {
  const db = await createBenchDatabase('copy');
  try {
    const { COPY_COLUMNS } = await serviceSteps();
    const cols = COPY_COLUMNS.map((c) => `"${c}"`).join(',');
    await db.pool.query('CHECKPOINT').catch(() => undefined);
    const started = nowMs();
    await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', db.url, '-c', `\\copy analytics_events (${cols}) FROM '${file}'`], { maxBuffer: 1024 * 1024 });
    const seconds = (nowMs() - started) / 1000;
    const n = await countEvents(db.pool);
    if (n !== rows) throw new Error(`psql \\copy stored ${n} of ${rows} rows`);
    ctx.log(`psql \\copy: ${rows} rows in ${seconds.toFixed(2)} s (${Math.round(rows / seconds)} rows/s)`);
    return seconds;
  } finally {
    await db.drop();
  }
}

interface PipelineRun {
  seconds: number;
  startupSeconds: number;
  firstRowSeconds: number;
  /** The pipeline's CPU time (user + system) from /ready until the N-th row, per row. */
  cpuMicrosPerRow: number;
  cpuSource: string;
}

/**
 * How long to wait before the next /metrics read: half the time the remaining rows should take at
 * the rate so far (rows per ms), between 20 and 250 ms. One read costs the pipeline about 1–1.3 ms
 * of CPU (prom-client's default metrics); read every 50 ms, that was about 5 µs of the 85–110 µs per row
 * the benchmark charged it. The end is still caught within about 20 ms.
 */
export function nextReadMs(remainingRows: number, rowsPerMs: number): number {
  if (rowsPerMs <= 0) return 20;
  return Math.min(250, Math.max(20, remainingRows / rowsPerMs / 2));
}

/** Rows the pipeline has finished (inserted or skipped as duplicates) and its CPU seconds, from one /metrics read. */
async function progress(service: { url: string; pid?: number }): Promise<{ stored: number; cpu: ReturnType<typeof cpuSecondsOf> }> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const stored = (metricSample(text, 'pipeline_events_inserted_total') ?? 0) + (metricSample(text, 'pipeline_duplicates_skipped_total') ?? 0);
  return { stored, cpu: cpuSecondsOf(text, 'pipeline_', service.pid!) };
}

async function pipelineRun(ctx: BenchContext, topic: string, dlqTopic: string, rows: number): Promise<PipelineRun> {
  const db: BenchDatabase = await createBenchDatabase('loader');
  const spawned = nowMs();
  const service = await spawnPipeline('pipeline-loader', topic, dlqTopic, db.url);
  try {
    const ready = await waitReady(service, 120_000, 20);
    const cpuAtReady = (await progress(service)).cpu.seconds;
    let first = 0;
    let cpuAtDone = { seconds: 0, source: '' };
    let stored = 0;
    const done = await waitFor(`pipeline to store ${rows} rows (log ${service.logFile})`, async () => {
      if (!service.running) throw new GiveUp(`pipeline exited (${JSON.stringify(await service.exited)}); see ${service.logFile}`);
      const read = await progress(service);
      const t = nowMs();
      stored = read.stored;
      if (stored > 0 && first === 0) first = t;
      cpuAtDone = read.cpu;
      return stored >= rows ? t : 0;
    }, { timeoutMs: 120_000 + rows / 2, intervalMs: () => nextReadMs(rows - stored, stored / Math.max(1, nowMs() - ready)) });
    recordPeak(ctx, 'pipeline', 'loader benchmark 3', service);
    const n = await countEvents(db.pool);
    if (n !== rows) throw new Error(`pipeline stored ${n} of ${rows} rows`);
    const seconds = (done - ready) / 1000;
    const cpuMicrosPerRow = ((cpuAtDone.seconds - cpuAtReady) * 1e6) / rows;
    ctx.log(`pipeline: ${rows} rows in ${seconds.toFixed(2)} s after joining (${Math.round(rows / seconds)} rows/s, ${cpuMicrosPerRow.toFixed(1)} CPU µs/row); startup ${((ready - spawned) / 1000).toFixed(2)} s`);
    return { seconds, startupSeconds: (ready - spawned) / 1000, firstRowSeconds: (first - ready) / 1000, cpuMicrosPerRow, cpuSource: cpuAtDone.source };
  } finally {
    await service.stop();
    await db.drop();
  }
}

export async function benchLoader(ctx: BenchContext): Promise<BenchResult[]> {
  const { events, rounds } = ctx.settings.loader;
  const topic = await ctx.kafka.createTopic('loader');
  const dlqTopic = await ctx.kafka.createTopic('loader-dlq');
  mkdirSync(RUN_DIR, { recursive: true });
  const file = path.join(RUN_DIR, `loader-${process.pid}.tsv`);
  try {
    const fillStart = nowMs();
    const { bytes, rows } = await prepare(ctx, topic, events, file);
    ctx.log(`topic ${topic} filled with ${rows} records (${(bytes / rows).toFixed(0)} bytes avg) in ${((nowMs() - fillStart) / 1000).toFixed(1)} s`);
    const copies: number[] = [];
    const loads: PipelineRun[] = [];
    for (let r = 0; r < rounds; r++) {
      copies.push(await copyBaseline(ctx, file, rows));
      loads.push(await pipelineRun(ctx, topic, dlqTopic, rows));
    }
    const copySeconds = median(copies);
    const pipelineSeconds = median(loads.map((l) => l.seconds));
    const ratio = copySeconds / pipelineSeconds;
    const cpuMicrosPerRow = median(loads.map((l) => l.cpuMicrosPerRow));
    return [
      {
        id: 'loader',
        title: `3. Loader, ${rows.toLocaleString('en-US')} events topic -> analytics_events (direct COPY of ids and rows, no resends)`,
        value: rows / pipelineSeconds,
        unit: 'rows/s',
        baseline: { name: 'psql \\copy, same rows and schema', value: rows / copySeconds, unit: 'rows/s' },
        ratio,
        target: { text: `>= ${LOADER_TARGET_RATIO}x psql \\copy`, met: ratio >= LOADER_TARGET_RATIO },
        details: {
          rows,
          avgRecordBytes: bytes / rows,
          pipelineSeconds: loads.map((l) => l.seconds),
          copySeconds: copies,
          pipelineStartupSeconds: loads.map((l) => l.startupSeconds),
          pipelineFirstRowSeconds: loads.map((l) => l.firstRowSeconds),
          pipelineCpuMicrosPerRow: loads.map((l) => l.cpuMicrosPerRow),
          clock: 'pipeline: from /ready (group joined) until inserted+duplicates counter reaches N, then count(*) verified; copy: psql wall time',
        },
      },
      {
        id: 'loader_cpu',
        title: '3b. Loader CPU per row: the pipeline process, user + system, from /ready to the N-th row',
        value: cpuMicrosPerRow,
        unit: 'CPU µs/row',
        details: { rounds: loads.map((l) => l.cpuMicrosPerRow), source: loads[0]?.cpuSource, rowsPerCpuSecond: 1e6 / cpuMicrosPerRow },
      },
    ];
  } finally {
    rmSync(file, { force: true });
  }
}
