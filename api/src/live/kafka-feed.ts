// The live streams' source: a kafkajs consumer of the events topic in a consumer group of its own
// (one per api process, so every process sees every record), starting at the latest offsets and
// never committing: a live view begins now, and a restart has nothing to resume (clients resume
// from the ring buffer instead). It reads what the collector produced, as soon as Kafka has it.
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { createKafkaClient } from '../../../lib/kafka.ts';
import type { Logger } from '../../../lib/logger.ts';
import { liveEvent, type LiveEvent } from './live-event.ts';

export interface KafkaFeedSettings {
  kafkaBrokers: string;
  kafkaTopic: string;
  kafkaClientId: string;
}

export interface KafkaFeed {
  /** Resolves once the consumer joined its group (records produced from then on are seen). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function startKafkaFeed(settings: KafkaFeedSettings, publish: (events: LiveEvent[]) => void, logger: Logger): KafkaFeed {
  const log = logger.child({ component: 'live-feed' });
  const kafka = createKafkaClient({ clientId: settings.kafkaClientId, brokers: settings.kafkaBrokers, logger: log, retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5000 } });
  const groupId = `${settings.kafkaClientId}-live-${randomUUID()}`;
  // Short fetch waits: an idle partition answers within maxWaitTimeInMs, a busy one at once.
  const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, sessionTimeout: 10_000, heartbeatInterval: 3000, allowAutoTopicCreation: false });
  let joined!: () => void;
  const joinedOnce = new Promise<void>((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  consumer.on(consumer.events.CRASH, ({ payload }) => log.warn({ err: payload.error, restart: payload.restart }, 'live feed consumer crashed'));
  let closed = false;
  const run = async (): Promise<void> => {
    await consumer.connect();
    await consumer.subscribe({ topics: [settings.kafkaTopic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        const events: LiveEvent[] = [];
        for (const m of batch.messages) {
          const event = liveEvent(batch.partition, m.offset, m.value);
          if (event !== undefined) events.push(event);
        }
        if (events.length > 0) publish(events);
      },
    });
    log.info({ topic: settings.kafkaTopic, groupId }, 'live feed reading');
  };
  const started = run().catch((error: unknown) => {
    if (!closed) log.error({ err: error }, 'live feed did not start; live streams get no events');
  });
  return {
    ready: () => joinedOnce,
    async close() {
      closed = true;
      await started;
      await consumer.disconnect().catch(() => undefined);
    },
  };
}
