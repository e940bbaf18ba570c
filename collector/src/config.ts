// The collector's configuration: read once at boot from the environment (see lib/config.ts),
// each key from its UPPER_SNAKE_CASE variable, e.g. `kafkaBrokers` from KAFKA_BROKERS.
import { Type, type Static } from '@sinclair/typebox';
import { LogLevelSetting, loadConfig, shutdownTimeoutSetting } from '../../lib/config.ts';
import { TOPICS } from '#contract';
import { TenancySettings } from '../../tenancy/settings.ts';

export const DEFAULT_CORS_ORIGINS = 'http://localhost:8080,http://127.0.0.1:8080';

export const CollectorConfigSchema = Type.Object({
  /** DATABASE_URL, API_KEY_PEPPER, JWT_SECRET, ACCESS_TOKEN_TTL_SECONDS, TENANCY_RELOAD_INTERVAL_MS: projects, keys and sign-in. */
  ...TenancySettings,
  collectorPort: Type.Integer({ minimum: 0, maximum: 65535, default: 3001 }),
  collectorHost: Type.String({ minLength: 1, default: '0.0.0.0' }),
  kafkaBrokers: Type.String({ minLength: 1, default: '127.0.0.1:9092', description: 'Comma-separated host:port list' }),
  kafkaTopic: Type.String({ minLength: 1, default: TOPICS.events }),
  kafkaClientId: Type.String({ minLength: 1, default: 'analytics-collector' }),
  /** Origins allowed by CORS, comma-separated; any http(s)://localhost or 127.0.0.1 origin is allowed as well. */
  corsOrigins: Type.String({ default: DEFAULT_CORS_ORIGINS }),
  corsAllowLocalhost: Type.Boolean({ default: true }),
  /**
   * Take the client IP from X-Forwarded-For (only behind a trusted proxy): the rate limit and the
   * visitor hash of browser events use it. Off, every browser behind a proxy is one visitor.
   */
  trustProxy: Type.Boolean({ default: false }),
  bodyLimitBytes: Type.Integer({ minimum: 1024, default: 1024 * 1024 }),
  /** Requests per client IP per window on POST /analytics; 0 turns the limit off. */
  rateLimitMax: Type.Integer({ minimum: 0, default: 6000 }),
  rateLimitWindowMs: Type.Integer({ minimum: 100, default: 60_000 }),
  /** Browser events without a site key go to the default project; off: they are refused (400 naming /site_id). */
  allowDefaultProject: Type.Boolean({ default: true }),
  /** Requests per minute per secret key on the server routes, for keys without their own limit; per process. */
  keyRateLimitPerMinute: Type.Integer({ minimum: 1, default: 6000 }),
  /** Body limit of POST /api/v1/events and /webhook (batches of up to 1,000 events). */
  serverBodyLimitBytes: Type.Integer({ minimum: 1024, default: 4 * 1024 * 1024 }),
  /** Micro-batching: a produce call goes out when this many records wait or after the linger. */
  batchMaxRecords: Type.Integer({ minimum: 1, default: 500 }),
  batchMaxBytes: Type.Integer({ minimum: 1024, default: 512 * 1024 }),
  // 5 ms, not 1: 1 ms raised the rate of 50 connections sending single events by half, but at a
  // steady 1,000 events/s its smaller produce calls raised the end-to-end p99 from 195-215 ms to
  // 288-394 (bench/HISTORY.md § 33).
  batchLingerMs: Type.Integer({ minimum: 0, default: 5 }),
  /** A request waits this long for its ack, longer only while other acks keep arriving (busy, not stalled). */
  produceTimeoutMs: Type.Integer({ minimum: 50, default: 450 }),
  kafkaConnectTimeoutMs: Type.Integer({ minimum: 100, default: 1000 }),
  kafkaRequestTimeoutMs: Type.Integer({ minimum: 100, default: 3000 }),
  /** How often readiness is re-checked (metadata probe when up, reconnect attempt when down). */
  kafkaCheckIntervalMs: Type.Integer({ minimum: 100, default: 1000 }),
  /**
   * Produce calls in flight at once, each from a producer of its own; a partition always uses the
   * same one (partition mod lanes), so its records keep their order. More than the topic's
   * partitions are not opened. 1 by default: where the broker shares the collector's cores, more
   * lanes measured slower (bench/HISTORY.md § 20); for a broker on its own machines.
   */
  kafkaProducerLanes: Type.Integer({ minimum: 1, maximum: 16, default: 1 }),
  /**
   * Record bytes (key and value, in characters) the collector holds from taking events to Kafka's
   * answer, every request and stream together. Over it, an HTTP request is answered 503 overloaded
   * with Retry-After and a stream waits (it stops reading). What the collector holds under load
   * grows with it, several times over: the events' parsed and enriched forms live as long as their
   * records (bench/HISTORY.md § 23).
   */
  maxInFlightBytes: Type.Integer({ minimum: 1024, default: 16 * 1024 * 1024 }),
  /** How often the visitor hash's salts are made ahead, reloaded and pruned (ms); see visitors/salt-store.ts. */
  visitorSaltRefreshMs: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 60_000 }),
  retryAfterSeconds: Type.Integer({ minimum: 1, default: 5 }),
  /** Client timestamps further ahead of receipt than this are clamped to received_at. */
  maxFutureSkewMs: Type.Integer({ minimum: 0, default: 5 * 60_000 }),
  /** Client timestamps older than this are clamped to received_at. */
  maxPastAgeMs: Type.Integer({ minimum: 0, default: 7 * 24 * 3600_000 }),
  /** gRPC ingestion (analytics.v1.Ingest/StreamEvents) listens here; 0 picks a free port. */
  grpcPort: Type.Integer({ minimum: 0, maximum: 65535, default: 50051 }),
  /** Streaming ingestion (NDJSON and gRPC): the longest line or message, in bytes (UTF-8, after decompression). */
  streamMaxLineBytes: Type.Integer({ minimum: 1024, default: 64 * 1024 }),
  /** Events one stream may carry (gRPC messages; NDJSON lines, blank ones included); beyond it the stream is answered and closed. */
  streamMaxEvents: Type.Integer({ minimum: 1, default: 1_000_000 }),
  /** A stream that sends nothing for this long is answered with what it delivered and closed (ms). */
  streamIdleTimeoutMs: Type.Integer({ minimum: 100, default: 30_000 }),
  /** Streams one secret key may hold open at once, per process (NDJSON and gRPC together). */
  streamMaxPerKey: Type.Integer({ minimum: 1, default: 4 }),
  /** Events per chunk handed to the collect core (the chunk is acknowledged as one). */
  streamChunkSize: Type.Integer({ minimum: 1, maximum: 1000, default: 500 }),
  /** Chunks of one stream awaiting Kafka's ack before reading pauses (back-pressure). */
  streamMaxInFlight: Type.Integer({ minimum: 1, default: 4 }),
  /** A partial chunk of a slow stream is sent after this long without filling (ms). */
  streamLingerMs: Type.Integer({ minimum: 1, default: 20 }),
  shutdownTimeoutMs: shutdownTimeoutSetting(10_000),
  logLevel: LogLevelSetting,
});
export type CollectorConfig = Static<typeof CollectorConfigSchema>;

export function loadCollectorConfig(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  return loadConfig(CollectorConfigSchema, env);
}
