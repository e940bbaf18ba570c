// The faults of a chaos run and how recovery is observed. Each fault is injected while the load
// client is sending; the harness then only WATCHES: every service must come back by itself (no
// manual step). A recovery that never comes fails the run after a generous bound; how long it
// took is reported, never asserted.
import type { PrivateStack } from './private-stack.ts';
import { waitFor } from '../support/service-kit.ts';
import { whenBrokerServes, whenPortOpens } from './private-services.ts';
import { checkRollups } from './rollups.ts';

export interface FaultRecord {
  name: string;
  /** Events the load client had dispatched when the fault was injected. */
  atEvent: number;
  /** How long the component was down (stop to restart), ms. */
  downMs: number;
  /** Milliseconds from the component's restart until each observation held. */
  recovery: Record<string, number>;
  notes: string[];
  /** After the recovery: rollup rows differing from their recomputation from the table (0 = exact). */
  rollupDifferences?: number;
}

export interface FaultContext {
  stack: PrivateStack;
  /** Events acknowledged so far by the collector. */
  acked: () => number;
  log: (line: string) => void;
}

export type Fault = { name: string; run: (ctx: FaultContext, record: FaultRecord) => Promise<void> };

const RECOVERY_BOUND_MS = 180_000;

/** Waits until `check` holds; returns the ms it took since `since`. Throws after the bound. */
export async function observe(what: string, check: () => Promise<boolean>, since: number, boundMs = RECOVERY_BOUND_MS): Promise<number> {
  await waitFor(what, check, { timeoutMs: boundMs }).catch((error: Error) => {
    throw new Error(`no recovery (no manual step is allowed): ${error.message}`);
  });
  return Date.now() - since;
}

/** Rows grow again (or everything acknowledged so far is stored): the pipeline is consuming. */
async function consuming(ctx: FaultContext, since: number): Promise<number> {
  const before = await ctx.stack.rowCount().catch(() => -1);
  return observe('pipeline storing rows again', async () => {
    const now = await ctx.stack.rowCount();
    return now > before || now >= ctx.acked();
  }, since);
}

const pipelineKill = (n: number): Fault => ({
  name: `pipeline SIGKILL #${n}`,
  async run(ctx, record) {
    const exit = await ctx.stack.pipeline.stop('SIGKILL');
    if (exit.signal !== 'SIGKILL') record.notes.push(`exited ${exit.code}/${exit.signal} before the kill landed`);
    const restarted = Date.now();
    ctx.stack.pipeline.spawn();
    record.recovery.ready = await observe('pipeline /ready 200 after SIGKILL', () => ctx.stack.pipelineReady(), restarted);
    record.recovery.storing = await consuming(ctx, restarted);
  },
});

/**
 * Stops a component, then stays down until `noticed` (a service reports it; at most 30 s), so the
 * outage is real, not a blip. Notes how long both took; returns when the stop began.
 */
async function takeDown(record: FaultRecord, what: string, stop: () => Promise<unknown>, noticed: string, check: () => Promise<boolean>): Promise<number> {
  const stopped = Date.now();
  await stop();
  record.notes.push(`${what} stop took ${Date.now() - stopped} ms`);
  await observe(noticed, check, stopped, 30_000)
    .then((ms) => record.notes.push(`${noticed}: ${ms} ms after the stop began`))
    .catch(() => record.notes.push(`never: ${noticed}`));
  return stopped;
}

const postgresRestart: Fault = {
  name: 'PostgreSQL restart',
  async run(ctx, record) {
    const stopped = await takeDown(record, 'server', () => ctx.stack.stopPostgres(), 'pipeline /ready 503 while PostgreSQL is down', async () => !(await ctx.stack.pipelineReady()));
    // Recovery is timed from the server accepting connections, watched alongside the start script
    // (which goes on provisioning for a while after that).
    const script = ctx.stack.startPostgres();
    script.catch(() => undefined); // awaited below
    const back = await whenPortOpens(ctx.stack.ports.postgres);
    record.downMs = back - stopped;
    record.recovery.ready = await observe('pipeline /ready 200 after PostgreSQL returned', () => ctx.stack.pipelineReady(), back);
    record.recovery.storing = await consuming(ctx, back);
    await script;
  },
};

const kafkaRestart: Fault = {
  name: 'Kafka broker restart',
  async run(ctx, record) {
    const stopped = await takeDown(record, 'broker', () => ctx.stack.stopKafka(), 'collector /health 503 while Kafka is down', async () => !(await ctx.stack.collectorHealthy()));
    const starting = Date.now();
    // Timed from the broker taking writes again, watched alongside the start script (which then
    // goes on checking topics for a few seconds).
    const script = ctx.stack.startKafka();
    script.catch(() => undefined); // awaited below
    const portOpen = whenPortOpens(ctx.stack.ports.kafka);
    portOpen.catch(() => undefined);
    const back = await whenBrokerServes(ctx.stack.broker);
    record.notes.push(`broker port open ${(await portOpen) - starting} ms after start, taking writes ${back - (await portOpen)} ms later`);
    record.downMs = back - stopped;
    const [collector, pipeline] = await Promise.all([
      observe('collector /health 200 after Kafka returned', () => ctx.stack.collectorHealthy(), back),
      observe('pipeline /ready 200 after Kafka returned', () => ctx.stack.pipelineReady(), back),
    ]);
    record.recovery.collectorHealthy = collector;
    record.recovery.pipelineReady = pipeline;
    record.recovery.storing = await consuming(ctx, back);
    await script;
  },
};

const collectorRestart: Fault = {
  name: 'collector SIGTERM + restart',
  async run(ctx, record) {
    const stopped = Date.now();
    const exit = await ctx.stack.collector.stop('SIGTERM');
    record.notes.push(`graceful exit code ${exit.code}`);
    if (exit.code !== 0) throw new Error(`collector exited ${exit.code}/${exit.signal} on SIGTERM; expected a clean 0`);
    const restarted = Date.now();
    record.downMs = restarted - stopped;
    ctx.stack.collector.spawn();
    record.recovery.healthy = await observe('collector /health 200 after restart', () => ctx.stack.collectorHealthy(), restarted);
  },
};

/** The full sequence the spec asks for, spread over the run. */
export const STANDARD_FAULTS: { at: number; fault: Fault }[] = [
  { at: 0.1, fault: pipelineKill(1) },
  { at: 0.22, fault: postgresRestart },
  { at: 0.35, fault: pipelineKill(2) },
  { at: 0.48, fault: kafkaRestart },
  { at: 0.62, fault: collectorRestart },
  { at: 0.76, fault: pipelineKill(3) },
];

/**
 * Fires each fault once the load has dispatched its share of events. The load waits at the next
 * threshold until the previous fault has recovered, so every fault lands while events flow.
 */
export class FaultSchedule {
  readonly records: FaultRecord[] = [];
  private nextIndex = 0;
  private running: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(
    private readonly plan: { at: number; fault: Fault }[],
    private readonly totalEvents: number,
    private readonly ctx: FaultContext,
  ) {}

  async gate(dispatched: number): Promise<void> {
    while (this.nextIndex < this.plan.length && dispatched >= this.plan[this.nextIndex]!.at * this.totalEvents) {
      await this.running;
      if (this.failure) throw this.failure;
      if (this.nextIndex >= this.plan.length || dispatched < this.plan[this.nextIndex]!.at * this.totalEvents) continue;
      const { fault } = this.plan[this.nextIndex++]!;
      const record: FaultRecord = { name: fault.name, atEvent: dispatched, downMs: 0, recovery: {}, notes: [] };
      this.records.push(record);
      this.ctx.log(`fault: ${fault.name} at event ${dispatched}`);
      this.running = fault.run(this.ctx, record).then(
        async () => {
          this.ctx.log(`recovered: ${fault.name} ${JSON.stringify(record.recovery)}`);
          // What the loader committed through the fault: its rollups must equal a recomputation.
          const rollups = await checkRollups(this.ctx.stack.pool);
          record.rollupDifferences = rollups.differences;
          if (rollups.differences > 0) record.notes.push(`rollups differ: ${rollups.sample.join(' | ')}`);
        },
        (error: Error) => {
          this.failure = error;
        },
      );
    }
  }

  /** Waits for the last fault's recovery; throws the first failure. */
  async done(): Promise<void> {
    await this.running;
    if (this.failure) throw this.failure;
    if (this.nextIndex < this.plan.length) throw new Error(`only ${this.nextIndex} of ${this.plan.length} faults were injected`);
  }
}
