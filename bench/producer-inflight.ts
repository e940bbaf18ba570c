// What @platformatic/kafka does with several send() calls in flight on one idempotent producer,
// one partition: the client reads a partition's next sequence number when it builds a request
// but advances it only when the answer comes, so concurrent calls carry the same sequence number.
// Prints what each call was answered and how many records the topic holds. With 1.35.0 every
// call is acknowledged and only the first record of the burst is stored: the broker takes the
// rest as retries of it. This is why the collector keeps one call in flight per partition
// (collector/src/kafka/event-producer.ts, lanes). Reported upstream as platformatic/kafka#326.
// Usage: npx tsx bench/producer-inflight.ts [calls=5]
import { Producer, stringSerializers } from '@platformatic/kafka';
import { connectBenchKafka, KAFKA_BROKERS } from './lib/kafka.ts';

const calls = Number(process.argv[2] ?? 5);
const bench = await connectBenchKafka();
const topic = await bench.createTopic('producer-inflight', 1);
const producer = new Producer({ clientId: 'bench-producer-inflight', bootstrapBrokers: KAFKA_BROKERS.split(','), idempotent: true, acks: -1, serializers: stringSerializers });
try {
  await producer.send({ messages: [{ topic, key: 'k', value: 'first, alone' }] });
  const results = await Promise.allSettled(Array.from({ length: calls }, (_, i) => producer.send({ messages: [{ topic, key: 'k', value: `concurrent ${i}` }] })));
  results.forEach((r, i) => {
    const answer = r.status === 'fulfilled' ? `acknowledged at offset ${r.value.offsets?.[0]?.offset}` : `failed: ${(r.reason as Error).message}`;
    process.stdout.write(`call ${i}: ${answer}\n`);
  });
  const acknowledged = results.filter((r) => r.status === 'fulfilled').length;
  process.stdout.write(`records acknowledged: ${1 + acknowledged}; records in the topic: ${await bench.recordCount(topic)}\n`);
} finally {
  await producer.close();
  await bench.close();
}
