// The live streams' settings, part of the api's configuration (config.ts), each from its
// UPPER_SNAKE_CASE variable.
import { Type } from '@sinclair/typebox';
import { TOPICS } from '#contract';

export const LiveSettings = {
  /** The broker the live feed reads the events topic from (KAFKA_BROKERS, as the collector's). */
  kafkaBrokers: Type.String({ minLength: 1, default: '127.0.0.1:9092', description: 'Comma-separated host:port list' }),
  kafkaTopic: Type.String({ minLength: 1, default: TOPICS.events }),
  /** Also the prefix of the live feed's consumer group (`<id>-live-<uuid>`, one per process). */
  kafkaClientId: Type.String({ minLength: 1, default: 'analytics-api' }),
  /** Events kept per project for `Last-Event-ID` resumption. */
  liveBufferEvents: Type.Integer({ minimum: 1, maximum: 100_000, default: 1000 }),
  /** Messages a slow client may have waiting; beyond, they are counted and reported as `dropped`. */
  liveQueueMessages: Type.Integer({ minimum: 1, maximum: 100_000, default: 1000 }),
  /** An idle stream gets a `heartbeat` this often. */
  liveHeartbeatMs: Type.Integer({ minimum: 100, default: 15_000 }),
  /** How often `…/live/metrics` sends. */
  liveMetricsIntervalMs: Type.Integer({ minimum: 100, default: 2000 }),
  /** Lifetime of a stream token from POST …/live/token. */
  liveTokenTtlSeconds: Type.Integer({ minimum: 5, maximum: 3600, default: 60 }),
};
