// Builds the pipeline from its adapters: migrations at boot, a kafkajs consumer whose eachBatch
// writes each batch in one transaction and commits offsets only after it, plus maintenance timers.
import { setTimeout as delay } from 'node:timers/promises';
import { Kafka, type Consumer, type EachBatchPayload } from 'kafkajs';
import pg from 'pg';
import { migrate, type Flavor } from '../../db/migrate.ts';
import { pgRunner, type SqlRunner } from '../../db/sql-runner.ts';
import type { Logger } from '../../lib/logger.ts';
import { commitFailure } from './adapters/commit-error.ts';
import { createDeadLetterProducer } from './adapters/dead-letter-producer.ts';
import { kafkaLogCreator } from './adapters/kafka-logger.ts';
import { applyTimescalePolicies } from './adapters/timescale-policies.ts';
import { createPostgresSink } from './adapters/postgres-sink.ts';
import type { PipelineConfig } from './config.ts';
import { loadBatch, splitBatch } from './load-batch.ts';
import { createMetrics } from './metrics.ts';
import type { Readiness } from './ops-server.ts';
import { retryUntil } from './retry.ts';

/**
 * `onFatal` hears of a consumer kafkajs will not restart: the caller exits so a supervisor starts
 * a fresh process (offsets are committed only after the database commit, so nothing is skipped).
 */
export function createPipeline(config: PipelineConfig, logger: Logger, onFatal: (error: Error) => void = () => undefined) {
  const metrics = createMetrics();
  const state: Readiness = { kafka: false, database: false };
  const stopSignal = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  const sink = createPostgresSink(
    config.databaseUrl,
    config.pipelineConcurrency + 1,
    (error) => {
      state.database = false;
      logger.warn({ err: error }, 'idle database connection failed');
    },
    config.pipelineDirectCopy,
  );
  const kafka = new Kafka({ clientId: config.kafkaClientId, brokers: config.kafkaBrokers.split(','), logCreator: kafkaLogCreator(logger) });
  const deadLetter = createDeadLetterProducer(kafka, config.kafkaDlqTopic);
  const consumer: Consumer = kafka.consumer({
    groupId: config.kafkaGroupId,
    sessionTimeout: config.kafkaSessionTimeoutMs,
    heartbeatInterval: Math.min(3000, Math.floor(config.kafkaSessionTimeoutMs / 3)),
    maxWaitTimeInMs: config.pipelineBatchMaxMs,
    // 1 MiB a partition (~2,000 records) fills a transaction as well as 8 MiB did: loader
    // throughput measured the same (bench/HISTORY.md), peak RSS under a backlog 350 -> 227 MB.
    // Smaller (512 KiB) halves the batches and costs a third of the throughput.
    maxBytesPerPartition: 1024 * 1024,
    maxBytes: 4 * 1024 * 1024,
  });
  const stopping = () => stopSignal.signal.aborted;
  let summaryStale = true;
  const pause = (ms: number) => delay(ms, undefined, { signal: stopSignal.signal }).catch(() => undefined);

  // Kafka counts as connected while the consumer is in the group and has fetched or heartbeated
  // recently (a broker outage stops both long before kafkajs gives up and reports a crash).
  let kafkaSeenAt = 0;
  const KAFKA_SILENCE_MS = Math.max(15_000, 2 * config.pipelineRetryMaxMs);
  const seen = () => {
    state.kafka = true;
    kafkaSeenAt = Date.now();
  };
  consumer.on(consumer.events.GROUP_JOIN, seen);
  consumer.on(consumer.events.FETCH, seen);
  consumer.on(consumer.events.HEARTBEAT, seen);
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    state.kafka = false;
    if (!payload.restart && !stopping()) onFatal(payload.error);
  });
  consumer.on(consumer.events.DISCONNECT, () => (state.kafka = false));
  const kafkaConnected = () => state.kafka && Date.now() - kafkaSeenAt < KAFKA_SILENCE_MS;

  const boot = <T>(what: string, fn: () => Promise<T>) =>
    retryUntil(fn, {
      shouldGiveUp: stopping,
      maxDelayMs: config.pipelineRetryMaxMs,
      sleep: pause,
      onFailure: (err, attempt, ms) => logger.warn({ err, attempt, retryInMs: ms }, `${what} failed, retrying`),
    });

  // A short-lived connection for boot work, so the advisory lock never pins a pooled client.
  async function withClient<T>(fn: (db: SqlRunner) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: config.databaseUrl });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await fn(pgRunner(client));
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  const runMigrations = () =>
    withClient(async (db): Promise<Flavor> => {
      const { flavor, applied } = await migrate(db);
      logger.info({ flavor, applied: applied.map((m) => `${m.version}_${m.name}`) }, 'database migrated');
      return flavor;
    });

  async function ensureTopics(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = [config.kafkaTopic, config.kafkaDlqTopic].filter((t) => !existing.has(t));
      if (missing.length > 0) {
        await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
        logger.info({ topics: missing }, 'created missing topics');
      }
    } finally {
      await admin.disconnect();
    }
  }

  function every(ms: number, what: string, fn: () => Promise<void>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || stopping()) return;
      busy = true;
      fn()
        .catch((err: unknown) => logger.warn({ err }, `${what} failed`))
        .finally(() => (busy = false));
    }, ms);
    timers.push(timer);
  }

  function startMaintenance(flavor: Flavor): Promise<unknown> {
    every(2000, 'database check', async () => {
      state.database = await sink.check();
      metrics.ready.set(kafkaConnected() && state.database ? 1 : 0);
    });
    if (flavor === 'plain') {
      // TimescaleDB's continuous aggregate policy refreshes there; here the pipeline does.
      // A refresh recomputes the whole view, so it runs only when this instance stored rows since the last one.
      if (config.pipelineSummaryRefreshMs > 0) {
        every(config.pipelineSummaryRefreshMs, 'summary refresh', async () => {
          if (!summaryStale) return;
          summaryStale = false;
          await sink.refreshSummary().catch((error: unknown) => {
            summaryStale = true;
            throw error;
          });
        });
      }
      if (config.pipelineRetentionDays > 0) every(3_600_000, 'retention', async () => void (await sink.deleteOlderThan(config.pipelineRetentionDays)));
      return Promise.resolve();
    }
    return boot('storage policies', () =>
      withClient((db) => applyTimescalePolicies(db, { retentionDays: config.pipelineRetentionDays, compressAfterDays: config.pipelineCompressAfterDays })),
    );
  }

  async function eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    for (let i = 0; i < batch.messages.length; i += config.pipelineBatchMaxMessages) {
      // After SIGTERM or a revoke, stop at a chunk boundary: what is done is committed, the rest replays.
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(i, i + config.pipelineBatchMaxMessages);
      const started = process.hrtime.bigint();
      const split = splitBatch(topic, partition, chunk, metrics);
      const result = await retryUntil(() => loadBatch({ sink, deadLetter }, split), {
        shouldGiveUp: () => stopping() || !isRunning() || isStale(),
        maxDelayMs: config.pipelineRetryMaxMs,
        sleep: pause,
        onFailure: async (err, attempt, ms) => {
          metrics.dbErrors.inc();
          state.database = await sink.check();
          metrics.ready.set(0);
          logger.warn({ err, attempt, retryInMs: ms, topic, partition, records: chunk.length }, 'batch not stored, retrying');
          await heartbeat().catch(() => undefined);
        },
      });
      // Given up (shutdown or partition revoked): nothing is committed, so these records replay.
      if (!result.done) return;
      state.database = true;
      const last = chunk[chunk.length - 1]!.offset;
      const next = (BigInt(last) + 1n).toString();
      // Offsets are committed only after the DB transaction commits, so a crash replays, never skips.
      await consumer.commitOffsets([{ topic, partition, offset: next }]).catch((error: unknown) => {
        throw commitFailure(error);
      });
      resolveOffset(last);
      const { inserted, duplicates, deadLettered } = result.value;
      metrics.consumed.inc(chunk.length);
      metrics.inserted.inc(inserted);
      if (inserted > 0) summaryStale = true;
      metrics.duplicates.inc(duplicates);
      for (const r of deadLettered) metrics.deadLettered.inc({ reason: r.reason });
      metrics.batchSize.observe(chunk.length);
      metrics.batchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      metrics.lag.set({ topic, partition: String(partition) }, Number(BigInt(batch.highWatermark) - BigInt(next)));
      logger.debug({ topic, partition, offset: last, records: chunk.length, inserted, duplicates, deadLettered: deadLettered.length }, 'batch stored');
      await heartbeat();
    }
  }

  return {
    metrics,
    readiness: (): Readiness => ({ kafka: kafkaConnected(), database: state.database }),
    async start(): Promise<void> {
      const flavor = await boot('migration', runMigrations);
      if (!flavor.done) return;
      state.database = true;
      await startMaintenance(flavor.value);
      if (!(await boot('topic check', ensureTopics)).done) return;
      if (!(await boot('dead-letter producer connect', () => deadLetter.connect())).done) return;
      if (!(await boot('consumer connect', () => consumer.connect())).done) return;
      await consumer.subscribe({ topics: [config.kafkaTopic], fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: config.pipelineConcurrency, eachBatch });
      logger.info({ topic: config.kafkaTopic, groupId: config.kafkaGroupId, flavor: flavor.value }, 'consuming');
    },
    /** Finishes the batch in flight, commits, leaves the group and closes every connection. */
    async stop(): Promise<void> {
      stopSignal.abort();
      for (const t of timers) clearInterval(t);
      await consumer.disconnect().catch((err: unknown) => logger.warn({ err }, 'consumer disconnect failed'));
      await deadLetter.close().catch(() => undefined);
      await sink.close().catch(() => undefined);
      state.kafka = false;
      state.database = false;
    },
  };
}
export type Pipeline = ReturnType<typeof createPipeline>;
