// The pipeline's configuration, read once at boot: each key from its UPPER_SNAKE_CASE variable.
import { Type, type Static } from '@sinclair/typebox';
import { TOPICS } from '#contract';
import { LogLevelSetting, loadConfig, shutdownTimeoutSetting } from '../../lib/config.ts';

export const PipelineConfig = Type.Object({
  kafkaBrokers: Type.String({ default: '127.0.0.1:9092', description: 'Comma-separated host:port list' }),
  kafkaTopic: Type.String({ default: TOPICS.events }),
  kafkaDlqTopic: Type.String({ default: TOPICS.deadLetter }),
  kafkaGroupId: Type.String({ default: 'analytics-pipeline' }),
  kafkaClientId: Type.String({ default: 'analytics-pipeline' }),
  /** How long the group waits for a silent (killed) member before handing its partitions on. */
  kafkaSessionTimeoutMs: Type.Integer({ default: 30_000, minimum: 6000, maximum: 300_000 }),
  databaseUrl: Type.String({ default: 'postgres://analytics:analytics@127.0.0.1:5432/analytics' }),
  pipelineOpsHost: Type.String({ default: '0.0.0.0' }),
  pipelineOpsPort: Type.Integer({ default: 4195, minimum: 0, maximum: 65535 }),
  /** Most records per database transaction. */
  pipelineBatchMaxMessages: Type.Integer({ default: 5000, minimum: 1, maximum: 100_000 }),
  /** Partitions loaded at once, each batch in its own transaction and connection (order kept per partition). */
  pipelineConcurrency: Type.Integer({ default: 3, minimum: 1, maximum: 32 }),
  /**
   * COPY straight into analytics_events first and fall back to staging + ON CONFLICT only when the
   * batch holds an already stored event; false always takes the staging path.
   */
  pipelineDirectCopy: Type.Boolean({ default: true }),
  /** Longest a fetch waits for records before the batch in hand is written. */
  pipelineBatchMaxMs: Type.Integer({ default: 200, minimum: 1, maximum: 60_000 }),
  /** Plain PostgreSQL only: how often analytics_summary is refreshed; 0 turns refreshing off. */
  pipelineSummaryRefreshMs: Type.Integer({ default: 5000, minimum: 0 }),
  /** Raw events older than this are dropped (policy on TimescaleDB, DELETE on PostgreSQL); 0 keeps all. */
  pipelineRetentionDays: Type.Integer({ default: 90, minimum: 0 }),
  /**
   * The deduplication horizon: an event id is remembered this many days after its event was first
   * stored, so any resend within it (whatever its timestamp) is dropped. At least 7 days, the
   * oldest client time the collector keeps unclamped.
   */
  pipelineDedupDays: Type.Integer({ default: 7, minimum: 7 }),
  /** TimescaleDB only: chunks older than this are compressed into the columnstore; 0 turns it off. */
  pipelineCompressAfterDays: Type.Integer({ default: 7, minimum: 0 }),
  /** Longest pause between retries while the database is down. */
  pipelineRetryMaxMs: Type.Integer({ default: 10_000, minimum: 10 }),
  /** Longest a stop may take (finishing the batch in flight, leaving the group) before exit 1. */
  shutdownTimeoutMs: shutdownTimeoutSetting(30_000),
  logLevel: LogLevelSetting,
});
export type PipelineConfig = Static<typeof PipelineConfig>;

export function loadPipelineConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  return loadConfig(PipelineConfig, env);
}
