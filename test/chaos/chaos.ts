// One chaos run: a private stack, the load client, the fault schedule, catch-up and the verdict.
// Used by `npm run chaos` (full size) and test/reliability/chaos.test.ts (reduced).
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultSchedule, STANDARD_FAULTS, observe, type FaultRecord } from './faults.ts';
import { runLoad, type LoadResult } from './load-client.ts';
import { PrivateStack } from './private-stack.ts';
import { consumerLag, verify, type Verdict } from './verify.ts';

export interface ChaosOptions {
  events: number;
  batchSize?: number;
  concurrency?: number;
  ratePerSecond?: number;
  maxAttempts?: number;
  log?: (line: string) => void;
  /** Keep the run directory (logs) after the run; failed runs always keep it. */
  keepRunDir?: boolean;
}

export interface ChaosReport {
  options: Required<Omit<ChaosOptions, 'log' | 'ratePerSecond' | 'keepRunDir'>> & { ratePerSecond?: number };
  verdict: Verdict;
  faults: FaultRecord[];
  load: Omit<LoadResult, 'sent' | 'acked' | 'gaveUp'> & { gaveUp: number };
  restarts: { pipeline: number; collector: number };
  timings: { setupMs: number; loadMs: number; catchUpMs: number; totalMs: number };
  runDir: string;
}

/** The conditions a run must meet; an empty list is a pass. */
export function failures(report: ChaosReport): string[] {
  const v = report.verdict;
  const out: string[] = [];
  if (v.lost !== 0) out.push(`${v.lost} acknowledged events lost`);
  if (v.duplicated !== 0) out.push(`${v.duplicated} duplicate rows`);
  if (v.missing !== 0) out.push(`${v.missing} sent events not stored`);
  if (v.foreign !== 0) out.push(`${v.foreign} rows the client never sent`);
  if (v.rows !== v.sent) out.push(`table holds ${v.rows} rows for ${v.sent} distinct events sent`);
  if (v.acked !== v.sent) out.push(`${v.sent - v.acked} events never acknowledged (gave up after ${report.options.maxAttempts} attempts)`);
  if (v.rejectedRows !== 0) out.push(`${v.rejectedRows} valid events were dead-lettered`);
  if (v.summaryMismatches !== 0 || v.summaryTotal !== v.rows) out.push(`analytics_summary disagrees with the table (${v.summaryMismatches} rows differ, total ${v.summaryTotal} vs ${v.rows})`);
  if (report.load.unexpected.length > 0) out.push(`unexpected answers: ${report.load.unexpected.slice(0, 3).join(' | ')}`);
  if (report.faults.length !== STANDARD_FAULTS.length) out.push(`${report.faults.length} of ${STANDARD_FAULTS.length} faults injected`);
  return out;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const opts = { batchSize: 20, concurrency: 8, maxAttempts: 60, ...options };
  const log = options.log ?? (() => undefined);
  const stack = new PrivateStack();
  const started = Date.now();
  let ok = false;
  // Ctrl-C or a kill of the run must not leave a private broker, cluster or service behind.
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the private stack`);
    void stack.close({ keepRunDir: true }).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await stack.start();
    log(`private stack in ${stack.runDir}: kafka ${stack.broker}, postgres :${stack.ports.postgres}, collector :${stack.ports.collector}, pipeline ops :${stack.ports.pipelineOps}`);
    await observe('collector healthy at start', () => stack.collectorHealthy(), started);
    await observe('pipeline ready at start', () => stack.pipelineReady(), started);
    const setupMs = Date.now() - started;
    log(`stack ready in ${(setupMs / 1000).toFixed(1)} s; sending ${opts.events} events`);

    let acked = 0;
    const schedule = new FaultSchedule(STANDARD_FAULTS, opts.events, { stack, acked: () => acked, log });
    const progress = setInterval(() => log(`progress: ${acked} acknowledged`), 15_000);
    const loadStarted = Date.now();
    let load: LoadResult;
    try {
      load = await runLoad({
        url: `http://127.0.0.1:${stack.ports.collector}/analytics`,
        events: opts.events,
        batchSize: opts.batchSize,
        concurrency: opts.concurrency,
        maxAttempts: opts.maxAttempts,
        ratePerSecond: opts.ratePerSecond,
        beforeBatch: async (dispatched) => {
          await schedule.gate(dispatched);
        },
        onAck: (n) => (acked += n),
      });
      await schedule.done();
    } finally {
      clearInterval(progress);
    }
    const loadMs = Date.now() - loadStarted;
    log(`load done: ${load.acked.size}/${load.sent.length} acknowledged in ${(loadMs / 1000).toFixed(1)} s, ${load.retries} retries`);

    // Caught up: every acknowledged event stored and the group's committed offsets at the end.
    const catchUpFrom = load.lastAckAt || Date.now();
    await observe('pipeline caught up', async () => (await stack.rowCount()) >= load.acked.size && (await consumerLag(stack.broker)) === 0, catchUpFrom, 300_000).catch((e: Error) => log(e.message));
    const catchUpMs = Date.now() - catchUpFrom;
    // Anything still in flight (a late retry's duplicate) would show up within a few batches.
    await sleep(2000);
    const verdict = await verify(stack.pool, load.sent, load.acked);
    const { sent: _s, acked: _a, gaveUp, ...rest } = load;
    const report: ChaosReport = {
      options: { events: opts.events, batchSize: opts.batchSize, concurrency: opts.concurrency, maxAttempts: opts.maxAttempts, ratePerSecond: opts.ratePerSecond },
      verdict,
      faults: schedule.records,
      load: { ...rest, gaveUp: gaveUp.length },
      restarts: { pipeline: stack.pipeline.starts - 1, collector: stack.collector.starts - 1 },
      timings: { setupMs, loadMs, catchUpMs, totalMs: Date.now() - started },
      runDir: stack.runDir,
    };
    ok = failures(report).length === 0;
    return report;
  } catch (error) {
    log(`run failed: ${(error as Error).message}\n${await stack.logTails()}`);
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stack.close({ keepRunDir: !ok || options.keepRunDir });
  }
}
