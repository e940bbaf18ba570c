// Shared by the collector's integration tests: a config for tests, the collector in-process with a
// real producer on a private topic, and a consumer that collects what arrived.
import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import { buildApp } from '../../collector/src/app.ts';
import { loadCollectorConfig, type CollectorConfig } from '../../collector/src/config.ts';
import type { EventPublisher } from '../../collector/src/events/publisher.ts';
import { createKafkaEventProducer } from '../../collector/src/kafka/event-producer.ts';
import { pino } from 'pino';
import { createLogger, type Logger } from '../../lib/logger.ts';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { waitFor } from '../support/service-kit.ts';
import { KAFKA_BROKER } from '../support/services.ts';

export function testConfig(overrides: Partial<CollectorConfig> = {}): CollectorConfig {
  return {
    ...loadCollectorConfig({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' }),
    kafkaBrokers: KAFKA_BROKER,
    // CI machines can be starved for CPU; a slow ack must not turn into a 503 in tests that are
    // about something else. Outages are detected by readiness, which these do not affect.
    produceTimeoutMs: 10_000,
    kafkaRequestTimeoutMs: 15_000,
    ...overrides,
  };
}

export const silentLogger = createLogger('collector-test', process.env.LOG_LEVEL ?? 'silent');

/** A logger keeping its lines (at `level` and above) as parsed objects, for tests of what is logged. */
export function capturingLogger(level = 'warn'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { logger: pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) }), lines };
}

export function testPublisher(config: CollectorConfig): EventPublisher {
  return createKafkaEventProducer(config, silentLogger);
}

export interface CollectorApp {
  app: FastifyInstance;
  publisher: EventPublisher;
  close(): Promise<void>;
}

/** The collector in-process (app.inject or a real listener), its producer connected. */
export async function startCollectorApp(overrides: Partial<CollectorConfig> = {}, options: { docs?: boolean } = {}): Promise<CollectorApp> {
  const config = testConfig(overrides);
  const publisher = testPublisher(config);
  const app = await buildApp({ config, publisher, logger: silentLogger, docs: options.docs ?? false });
  await waitFor('kafka ready', () => publisher.isReady());
  return {
    app,
    publisher,
    async close() {
      await app.close();
      await publisher.close();
    },
  };
}

/** The collector in-process on a private topic of its own (deleted again by close()). */
export async function collectorBed(label: string, overrides: Partial<CollectorConfig> = {}, options: { docs?: boolean } = {}): Promise<CollectorApp & { kafka: Kafka; topic: string }> {
  const kafka = await testKafka(`${label}-test`);
  const topic = await createTopic(kafka, `test-${label}`);
  const collector = await startCollectorApp({ kafkaTopic: topic, ...overrides }, options);
  return {
    ...collector,
    kafka,
    topic,
    async close() {
      await collector.close();
      await deleteTopics(kafka, [topic]);
    },
  };
}

export interface ReceivedRecord {
  key: string | null;
  value: Record<string, unknown>;
  timestamp: string;
  partition: number;
}

let readers = 0;

/** Reads a topic from the beginning until `count` records arrived (or a generous timeout); each call reads it all again. */
export async function consumeRecords(kafka: Kafka, topic: string, count: number, timeoutMs = 60_000): Promise<ReceivedRecord[]> {
  const consumer = kafka.consumer({ groupId: `${topic}-reader-${++readers}` });
  const received: ReceivedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${count} records arrived`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          received.push({
            key: message.key?.toString() ?? null,
            value: JSON.parse(message.value!.toString()) as Record<string, unknown>,
            timestamp: message.timestamp,
            partition,
          });
          if (received.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

/**
 * The event ids in `topic`, read from the beginning until every id of `wanted` was seen (or the
 * timeout). Not a count: a chunk whose ack timed out may still have been written (at least once),
 * so the topic can hold more than the acknowledged messages.
 */
export async function eventIdsUntil(kafka: Kafka, topic: string, wanted: Set<string>, timeoutMs = 60_000): Promise<Set<string>> {
  const consumer = kafka.consumer({ groupId: `${topic}-ids-reader-${++readers}` });
  const seen = new Set<string>();
  let left = wanted.size;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const id = String((JSON.parse(message.value!.toString()) as { event_id: string }).event_id);
          if (!seen.has(id)) {
            seen.add(id);
            if (wanted.has(id)) left -= 1;
          }
          if (left === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}
