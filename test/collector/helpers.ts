// Shared by the collector's integration tests: a config for tests, a real producer on a private
// topic, and a consumer that collects what arrived.
import type { Kafka } from 'kafkajs';
import { loadCollectorConfig, type CollectorConfig } from '../../collector/src/config.ts';
import type { EventPublisher } from '../../collector/src/events/publisher.ts';
import { createKafkaEventProducer } from '../../collector/src/kafka/event-producer.ts';
import { createLogger } from '../../lib/logger.ts';

export function testConfig(overrides: Partial<CollectorConfig> = {}): CollectorConfig {
  return {
    ...loadCollectorConfig({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' }),
    // CI machines can be starved for CPU; a slow ack must not turn into a 503 in tests that are
    // about something else. Outages are detected by readiness, which these do not affect.
    produceTimeoutMs: 10_000,
    kafkaRequestTimeoutMs: 15_000,
    ...overrides,
  };
}

export const silentLogger = createLogger('collector-test', process.env.LOG_LEVEL ?? 'silent');

export function testPublisher(config: CollectorConfig): EventPublisher {
  return createKafkaEventProducer(config, silentLogger);
}

/** Polls until check() is true; the bound only keeps a broken test from hanging forever. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface ReceivedRecord {
  key: string | null;
  value: Record<string, unknown>;
  timestamp: string;
  partition: number;
}

/** Reads a topic from the beginning until `count` records arrived (or a generous timeout). */
export async function consumeRecords(kafka: Kafka, topic: string, count: number, timeoutMs = 60_000): Promise<ReceivedRecord[]> {
  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
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
