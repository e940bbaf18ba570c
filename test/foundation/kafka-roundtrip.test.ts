// Proves kafkajs works with the pinned Kafka 4 broker: keyed produce with acks=all, idempotent
// producer, and a consumer group reading every record back with its key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';

test('kafkajs produces keyed messages and a consumer group reads them back', async () => {
  const kafka = await testKafka('roundtrip');
  const topic = await createTopic(kafka, 'test-roundtrip');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `${topic}-group` });
  try {
    await producer.connect();
    const sent = Array.from({ length: 50 }, (_, i) => ({ key: `session-${i % 5}`, value: JSON.stringify({ n: i }) }));
    await producer.send({ topic, acks: -1, messages: sent });

    const received: { key: string; n: number; partition: number }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const all = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          received.push({ key: message.key!.toString(), n: JSON.parse(message.value!.toString()).n, partition });
          if (received.length === sent.length) resolve();
        },
      });
    });
    await Promise.race([all, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${received.length} of ${sent.length} arrived`)), 30_000))]);

    assert.deepEqual(received.map((r) => r.n).sort((a, b) => a - b), sent.map((_, i) => i));
    // Same key, same partition: the ordering guarantee the pipeline relies on per session.
    const partitionsByKey = new Map<string, Set<number>>();
    for (const r of received) partitionsByKey.set(r.key, (partitionsByKey.get(r.key) ?? new Set()).add(r.partition));
    for (const [key, partitions] of partitionsByKey) assert.equal(partitions.size, 1, `${key} spread over partitions`);
    for (const r of received) assert.equal(r.key, `session-${r.n % 5}`);
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await deleteTopics(kafka, [topic]);
  }
});
