// Kafka helpers for tests: a private topic per test, so tests never read each other's records.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { ensureKafka } from './services.ts';

export async function testKafka(clientId = 'test'): Promise<Kafka> {
  const broker = await ensureKafka();
  return new Kafka({ clientId, brokers: [broker], logLevel: logLevel.NOTHING });
}

export async function createTopic(kafka: Kafka, prefix: string, partitions = 3): Promise<string> {
  const topic = `${prefix}-${randomBytes(4).toString('hex')}`;
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics });
  } catch {
    // Best effort: a leftover test topic is harmless and pruned by retention.
  } finally {
    await admin.disconnect();
  }
}
