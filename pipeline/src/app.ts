// Builds the pipeline from its parts: migrations and topic checks at boot, then the consumer loop
// (consumer-loop.ts) loading batches through the adapters, and the maintenance timers
// (maintenance.ts). Readiness (readiness.ts) is fed by both and read by /ready and the gauge.
import pg from 'pg';
import { migrate, type Flavor } from '../../db/migrate.ts';
import { pgRunner, type SqlRunner } from '../../db/sql-runner.ts';
import { createKafkaClient } from '../../lib/kafka.ts';
import type { Logger } from '../../lib/logger.ts';
import { createDeadLetterProducer } from './adapters/dead-letter-producer.ts';
import { createPostgresSink } from './adapters/postgres-sink.ts';
import { applyTimescalePolicies } from './adapters/timescale-policies.ts';
import type { PipelineConfig } from './config.ts';
import { createConsumerLoop } from './consumer-loop.ts';
import { createMaintenance } from './maintenance.ts';
import { createMetrics } from './metrics.ts';
import { createReadiness, type ReadinessState } from './readiness.ts';
import { abortableSleep, retryUntil } from './retry.ts';

/**
 * `onFatal` hears of a consumer kafkajs will not restart: the caller exits so a supervisor starts
 * a fresh process (offsets are committed only after the database commit, so nothing is skipped).
 */
export function createPipeline(config: PipelineConfig, logger: Logger, onFatal: (error: Error) => void = () => undefined) {
  const readiness = createReadiness({ kafkaSilenceMs: Math.max(15_000, 2 * config.pipelineRetryMaxMs) });
  const metrics = createMetrics(readiness.ready);
  const stopSignal = new AbortController();
  const stopping = () => stopSignal.signal.aborted;
  const sink = createPostgresSink(
    config.databaseUrl,
    config.pipelineConcurrency + 1,
    (error) => {
      readiness.database(false);
      logger.warn({ err: error }, 'idle database connection failed');
    },
    config.pipelineDirectCopy,
  );
  const kafka = createKafkaClient({ clientId: config.kafkaClientId, brokers: config.kafkaBrokers, logger });
  const deadLetter = createDeadLetterProducer(kafka, config.kafkaDlqTopic);
  const maintenance = createMaintenance(sink, config, readiness, logger);
  const loop = createConsumerLoop({
    kafka,
    settings: config,
    ports: { sink, deadLetter },
    readiness,
    checkDatabase: () => sink.check(),
    metrics,
    logger,
    stopSignal: stopSignal.signal,
    onStored: (result) => maintenance.stored(result),
    onFatal,
  });

  const boot = <T>(what: string, fn: () => Promise<T>) =>
    retryUntil(fn, {
      shouldGiveUp: stopping,
      maxDelayMs: config.pipelineRetryMaxMs,
      sleep: abortableSleep(stopSignal.signal),
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

  return {
    metrics,
    readiness: (): ReadinessState => readiness.current(),
    async start(): Promise<void> {
      const flavor = await boot('migration', runMigrations);
      if (!flavor.ok) return;
      readiness.database(true);
      maintenance.start(flavor.value);
      if (flavor.value === 'timescale') {
        // TimescaleDB applies retention and compression itself, from policies set at every boot.
        const policies = { retentionDays: config.pipelineRetentionDays, compressAfterDays: config.pipelineCompressAfterDays };
        await boot('storage policies', () => withClient((db) => applyTimescalePolicies(db, policies)));
      }
      if (!(await boot('topic check', ensureTopics)).ok) return;
      if (!(await boot('dead-letter producer connect', () => deadLetter.connect())).ok) return;
      if (!(await boot('consumer connect', loop.connect)).ok) return;
      await loop.run();
      logger.info({ topic: config.kafkaTopic, groupId: config.kafkaGroupId, flavor: flavor.value }, 'consuming');
    },
    /** Finishes the batch in flight, commits, leaves the group and closes every connection. */
    async stop(): Promise<void> {
      stopSignal.abort();
      maintenance.stop();
      await loop.disconnect().catch((err: unknown) => logger.warn({ err }, 'consumer disconnect failed'));
      await deadLetter.close().catch(() => undefined);
      await sink.close().catch(() => undefined);
      readiness.kafkaLost();
      readiness.database(false);
    },
  };
}
export type Pipeline = ReturnType<typeof createPipeline>;
