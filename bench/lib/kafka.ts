// Kafka for the benchmarks: private topics (deleted afterwards) and a fast topic fill for the loader.
import { KAFKA_BROKER } from '../../test/support/services.ts';
import { randomBytes } from 'node:crypto';
import { CompressionTypes, Kafka, Partitioners, logLevel, type Admin, type Message } from 'kafkajs';

export const KAFKA_BROKERS = KAFKA_BROKER;

export interface BenchKafka {
  kafka: Kafka;
  admin: Admin;
  /** Creates `bench-<name>-<hex>` with `partitions` partitions; remembered for cleanup. */
  createTopic(name: string, partitions?: number): Promise<string>;
  /** Sum of the high watermarks: records ever written to the topic. */
  recordCount(topic: string): Promise<number>;
  close(): Promise<void>;
}

export async function connectBenchKafka(): Promise<BenchKafka> {
  const kafka = new Kafka({ clientId: 'bench', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const created: string[] = [];
  return {
    kafka,
    admin,
    async createTopic(name, partitions = 3) {
      const topic = `bench-${name}-${randomBytes(4).toString('hex')}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
      created.push(topic);
      return topic;
    },
    async recordCount(topic) {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((a, o) => a + Number(o.high) - Number(o.low), 0);
    },
    async close() {
      if (created.length > 0) await admin.deleteTopics({ topics: created }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

/**
 * Writes `messages` (generated lazily in chunks) to `topic` the way the collector does: keyed,
 * acks=all, Java-compatible partitioner. Several batches are in flight to fill 1M records fast.
 */
export async function fillTopic(kafka: Kafka, topic: string, chunks: Iterable<Message[]>, inFlight = 4): Promise<number> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  let written = 0;
  const pending = new Set<Promise<void>>();
  try {
    for (const messages of chunks) {
      const p: Promise<void> = producer
        .send({ topic, acks: -1, compression: CompressionTypes.None, messages })
        .then(() => {
          written += messages.length;
          pending.delete(p);
        });
      pending.add(p);
      if (pending.size >= inFlight) await Promise.race(pending);
    }
    await Promise.all(pending);
  } finally {
    await producer.disconnect();
  }
  return written;
}
