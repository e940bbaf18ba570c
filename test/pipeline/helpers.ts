// Shared helpers for pipeline integration tests: collector-shaped events, a producer, row counts
// and the pipeline as a child process (through the service kit), all against the real services.
import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka } from 'kafkajs';
import type pg from 'pg';
import type { CollectedEvent } from '#contract';
import { toRecord } from '../../collector/src/kafka/to-record.ts';
import { createLogger } from '../../lib/logger.ts';
import { toEnv, type ServiceOverrides } from '../../lib/service-manifest.ts';
import { createPipeline, type Pipeline } from '../../pipeline/src/app.ts';
import { loadPipelineConfig } from '../../pipeline/src/config.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { KAFKA_BROKER } from '../support/services.ts';
import { service, type Service } from '../support/service-kit.ts';

export function collectedEvent(overrides: Partial<CollectedEvent> = {}): CollectedEvent {
  const now = new Date().toISOString();
  return {
    event_id: randomUUID(),
    event_type: 'page_view',
    page_url: 'https://shop.example/products',
    page_title: 'Products',
    session_id: 'session-1',
    user_agent: 'Mozilla/5.0 test',
    timestamp: now,
    received_at: now,
    metadata: { referrer: 'https://search.example/' },
    ...overrides,
  };
}

/** The record the collector writes for `event`: canonical JSON, marked with the contract version. */
export function canonicalMessage(event: CollectedEvent): { key: string; value: string; headers: Record<string, string> } {
  const { key, value, headers } = toRecord(event);
  return { key, value, headers: headers ?? {} };
}

export async function produce(kafka: Kafka, topic: string, messages: { key?: string | null; value: Buffer | string | null; headers?: Record<string, string | Buffer> }[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) });
  } finally {
    await producer.disconnect();
  }
}

export async function count(pool: pg.Pool, sql = 'SELECT count(*)::int AS n FROM analytics_events'): Promise<number> {
  return (await pool.query<{ n: number }>(sql)).rows[0]!.n;
}

export interface PipelineBed extends Required<PipelineTarget> {
  kafka: Kafka;
  db: TestDatabase;
  /** A pipeline process on this bed, started and ready (any number of them: one consumer group). */
  startPipeline(env?: ServiceOverrides<'pipeline'>): Promise<Service<'pipeline'>>;
  /** Kills the pipelines it started, deletes the topics and drops the database. */
  close(): Promise<void>;
}

/** What one pipeline test file consumes from and writes to: private topics on the shared broker and a fresh database. */
export async function pipelineBed(label: string, options: { partitions?: number } = {}): Promise<PipelineBed> {
  const kafka = await testKafka(`${label}-test`);
  const [db, topic, dlqTopic] = await Promise.all([
    createTestDatabase(`analytics_test_${label.replaceAll('-', '_')}`),
    createTopic(kafka, `test-${label}-events`, options.partitions),
    createTopic(kafka, `test-${label}-dlq`, 1),
  ]);
  const started: Service<'pipeline'>[] = [];
  const bed: PipelineBed = {
    kafka,
    db,
    topic,
    dlqTopic,
    databaseUrl: db.url,
    groupId: `${topic}-group`,
    async startPipeline(env = {}) {
      const pipeline = await pipelineService(bed, env);
      started.push(pipeline);
      return pipeline.start();
    },
    async close() {
      for (const pipeline of started) await pipeline.stop('SIGKILL');
      await deleteTopics(kafka, [topic, dlqTopic]);
      await db.drop();
    },
  };
  return bed;
}

export interface PipelineTarget {
  databaseUrl: string;
  topic: string;
  dlqTopic: string;
  groupId?: string;
}

/** The pipeline's settings in tests: a private topic, group and database, short retry and refresh intervals. */
export function pipelineSettings(target: PipelineTarget, env: ServiceOverrides<'pipeline'> = {}): ServiceOverrides<'pipeline'> {
  return {
    kafkaBrokers: KAFKA_BROKER,
    kafkaTopic: target.topic,
    kafkaDlqTopic: target.dlqTopic,
    kafkaGroupId: target.groupId ?? `${target.topic}-group`,
    databaseUrl: target.databaseUrl,
    pipelineSummaryRefreshMs: 500,
    pipelineRetryMaxMs: 1000,
    kafkaSessionTimeoutMs: 8000,
    ...env,
  };
}

/** The pipeline as its own process (the service kit), not yet started. */
export function pipelineService(target: PipelineTarget, env: ServiceOverrides<'pipeline'> = {}): Promise<Service<'pipeline'>> {
  return service('pipeline', { env: pipelineSettings(target, env) });
}

/** The pipeline in-process with the same settings, started. */
export async function startPipelineInProcess(target: PipelineTarget, env: ServiceOverrides<'pipeline'> = {}): Promise<Pipeline> {
  const config = loadPipelineConfig(toEnv(pipelineSettings(target, { logLevel: 'warn', ...env })));
  const pipeline = createPipeline(config, createLogger('pipeline-test', config.logLevel));
  await pipeline.start();
  return pipeline;
}
