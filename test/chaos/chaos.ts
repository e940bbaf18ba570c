// One chaos run: a private stack, the load client, the fault schedule, catch-up and the verdict.
// Used by `npm run chaos` (full size) and test/reliability/chaos.test.ts (reduced).
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultSchedule, STANDARD_FAULTS, observe, type FaultRecord } from './faults.ts';
import { foreignProducer } from './foreign-producer.ts';
import { Ledger, type TimeKind } from './ledger.ts';
import { runLoad, type LoadResult } from './load-client.ts';
import { PrivateStack } from './private-stack.ts';
import { consumerLag, topicRecords, verdictProblems, verify, type Verdict } from './verify.ts';

export interface ChaosOptions {
  events: number;
  batchSize?: number;
  concurrency?: number;
  ratePerSecond?: number;
  maxAttempts?: number;
  /** Every how many batches one is sent again after its 2xx (default 10). */
  resendEvery?: number;
  /** Events the second producer writes straight to Kafka, each at least twice (default 1 % of events, at least 20). */
  foreignEvents?: number;
  /** How long analytics_summary may take to agree after catch-up (default 30 s: six refresh cycles). */
  summaryWaitMs?: number;
  log?: (line: string) => void;
  /** Keep the run directory (logs) after the run; failed runs always keep it. */
  keepRunDir?: boolean;
}

export interface ChaosReport {
  options: Required<Omit<ChaosOptions, 'log' | 'ratePerSecond' | 'keepRunDir'>> & { ratePerSecond?: number };
  verdict: Verdict;
  faults: FaultRecord[];
  load: Omit<LoadResult, 'sent' | 'acked' | 'gaveUp'> & { gaveUp: number };
  /** Events per time kind, as the ledger wrote them down. */
  kinds: Record<TimeKind, number>;
  /** The second producer: records written straight to Kafka, copies included. */
  foreignRecords: number;
  /** Records on the events topic: copies beyond one per event are what the pipeline had to drop. */
  topicRecords: number;
  restarts: { pipeline: number; collector: number };
  timings: { setupMs: number; loadMs: number; catchUpMs: number; totalMs: number };
  runDir: string;
}

/** The conditions a run must meet; an empty list is a pass. */
export function failures(report: ChaosReport): string[] {
  const v = report.verdict;
  const out = verdictProblems(v);
  if (v.acked !== v.sent) out.push(`${v.sent - v.acked} events never acknowledged (gave up after ${report.options.maxAttempts} attempts)`);
  if (report.options.resendEvery > 0 && report.load.resends === 0) out.push('no batch was sent again after its 2xx');
  if (report.load.resendsAcked !== report.load.resends) out.push(`${report.load.resends - report.load.resendsAcked} resends never got a 2xx`);
  if (report.load.unexpected.length > 0) out.push(`unexpected answers: ${report.load.unexpected.slice(0, 3).join(' | ')}`);
  if (report.faults.length !== STANDARD_FAULTS.length) out.push(`${report.faults.length} of ${STANDARD_FAULTS.length} faults injected`);
  for (const f of report.faults) {
    if (f.rollupDifferences !== 0) out.push(`after ${f.name}: ${f.rollupDifferences ?? 'unchecked'} rollup rows differ from their recomputation`);
  }
  return out;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const opts = { batchSize: 20, concurrency: 8, maxAttempts: 60, resendEvery: 10, foreignEvents: Math.max(20, Math.round(options.events / 100)), summaryWaitMs: 30_000, ...options };
  const ledger = new Ledger();
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
    const foreign = foreignProducer(stack.broker, opts.foreignEvents, ledger);
    await foreign.first();
    log(`stack ready in ${(setupMs / 1000).toFixed(1)} s; ${foreign.produced} records of ${opts.foreignEvents} foreign events produced; sending ${opts.events} events`);

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
        ledger,
        resendEvery: opts.resendEvery,
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
    log(`load done: ${load.acked.size}/${load.sent.length} acknowledged in ${(loadMs / 1000).toFixed(1)} s, ${load.retries} retries, ${load.resends} batches sent again after their 2xx`);
    await foreign.again();
    const ackedIds = new Set([...load.acked, ...foreign.acked]);

    // Caught up: every acknowledged event stored and the group's committed offsets at the end.
    const catchUpFrom = load.lastAckAt || Date.now();
    await observe('pipeline caught up', async () => (await stack.rowCount()) >= ackedIds.size && (await consumerLag(stack.broker)) === 0, catchUpFrom, 300_000).catch((e: Error) => log(e.message));
    const catchUpMs = Date.now() - catchUpFrom;
    // Anything still in flight (a late retry's duplicate) would show up within a few batches.
    await sleep(2000);
    const verdict = await verify(stack.pool, ledger, ackedIds, { summaryWaitMs: opts.summaryWaitMs });
    const { sent: _s, acked: _a, gaveUp, ...rest } = load;
    const report: ChaosReport = {
      options: { events: opts.events, batchSize: opts.batchSize, concurrency: opts.concurrency, maxAttempts: opts.maxAttempts, ratePerSecond: opts.ratePerSecond, resendEvery: opts.resendEvery, foreignEvents: opts.foreignEvents, summaryWaitMs: opts.summaryWaitMs },
      verdict,
      faults: schedule.records,
      load: { ...rest, gaveUp: gaveUp.length },
      kinds: ledger.kinds(),
      foreignRecords: foreign.produced,
      topicRecords: await topicRecords(stack.broker),
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
