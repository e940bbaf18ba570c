// The collector's producer against what it replaced and what it must stay compatible with: a key
// lands on the partition Java's murmur2 partitioner (and kafkajs' DefaultPartitioner, which the
// collector used before, and the client's compatibilityPartitioner) picks, so a visitor's events
// stay on one partition; record headers, key, value and timestamp reach the broker as given; with
// several producer lanes in flight, every acknowledged record is stored once, each key's records
// in the order they were published.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { compatibilityPartitioner, murmur2 } from '@platformatic/kafka';
import { Partitioners, type Kafka } from 'kafkajs';
import type { CollectedEvent } from '#contract';
import { createKafkaEventProducer } from '../../collector/src/kafka/event-producer.ts';
import { murmur2 as ourMurmur2, partitionOf } from '../../collector/src/kafka/partitioning.ts';
import { toRecord } from '../../collector/src/kafka/to-record.ts';
import { collectedEvent, prng } from '../../bench/lib/events.ts';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { waitFor } from '../support/service-kit.ts';
import { silentLogger, testConfig } from './helpers.ts';

// org.apache.kafka.common.utils.UtilsTest#testMurmur2: Java's murmur2 of these bytes.
const JAVA_MURMUR2: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

/** The partition kafkajs' DefaultPartitioner (Java-compatible) chooses for `key` among `count`. */
function kafkajsPartition(key: string, count: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: count }, (_, id) => ({ partitionId: id, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
}

/** What the client would pick: its compatibility partitioner's number modulo the partition count. */
const clientPartition = (key: string, count: number) => compatibilityPartitioner({ topic: 't' }, Buffer.from(key)) % count;
/** What the collector picks (it routes each partition to one producer lane). */
const ourPartition = partitionOf;

test("the collector's murmur2 and the library's are Java's: Kafka's own test vectors", () => {
  for (const [text, java] of JAVA_MURMUR2) {
    assert.equal(murmur2(Buffer.from(text)) | 0, java, `library: ${text}`);
    assert.equal(ourMurmur2(Buffer.from(text)), java, `collector: ${text}`);
  }
  // Java's partition: toPositive(murmur2) % n. -973932308 & 0x7fffffff = 1173551340.
  assert.equal(ourPartition('21', 1_000_000_007), 1173551340 % 1_000_000_007);
});

test('5,000 collector keys land on the partition kafkajs chose, for 1 to 64 partitions', () => {
  const rnd = prng(11);
  const keys = Array.from({ length: 5000 }, (_, i) => toRecord(collectedEvent(rnd, i, 5000, Date.now())).key);
  // Keys of other shapes too: non-ASCII (UTF-8 bytes), empty ids, long ones.
  keys.push('p:', 'p:é–visitor-ü', `p:${'x'.repeat(300)}`, '00000000-0000-0000-0000-000000000000:h:0123456789abcdef0123456789abcdef');
  for (const count of [1, 2, 3, 6, 12, 50, 64]) {
    const spread = new Set<number>();
    for (const key of keys) {
      const ours = ourPartition(key, count);
      assert.equal(ours, kafkajsPartition(key, count), `key ${key} with ${count} partitions`);
      assert.equal(ours, clientPartition(key, count), `client: key ${key} with ${count} partitions`);
      spread.add(ours);
    }
    // Not a constant partitioner that happens to agree: every partition gets keys.
    assert.equal(spread.size, count, `${count} partitions all used`);
  }
});

let kafka: Kafka;
let topic: string;

before(async () => {
  kafka = await testKafka('collector-producer-test');
  topic = await createTopic(kafka, 'test-collector-producer', 6);
});

after(async () => {
  await deleteTopics(kafka, [topic]);
});

test('published records reach the broker with their headers, key, value, timestamp and the Java partition', async () => {
  const rnd = prng(5);
  const events: CollectedEvent[] = Array.from({ length: 60 }, (_, i) => collectedEvent(rnd, i, 60, Date.now()));
  // Headers of the test's choosing (the collector's own record writer decides which it sends).
  const withHeaders = (e: CollectedEvent) => ({ ...toRecord(e), headers: { 'x-test-event': e.event_id, 'x-test-ü': 'wert-ä' } });
  const publisher = createKafkaEventProducer(testConfig({ kafkaTopic: topic }), silentLogger, withHeaders);
  try {
    await waitFor('kafka ready', () => publisher.isReady());
    // Several concurrent calls, so records share micro-batches as under load.
    const results = await Promise.all([events.slice(0, 1), events.slice(1, 30), events.slice(30)].map((part) => publisher.publish(part)));
    for (const r of results) assert.deepEqual(r, { ok: true, value: undefined });
  } finally {
    await publisher.close();
  }

  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  const seen = new Map<string, { key: string; value: string; timestamp: string; partition: number; headers: Record<string, string> }>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        const value = message.value!.toString();
        seen.set((JSON.parse(value) as { event_id: string }).event_id, { key: message.key!.toString(), value, timestamp: message.timestamp, partition, headers });
      },
    });
    await waitFor('all records consumed', () => seen.size >= events.length, { timeoutMs: 60_000 });
  } finally {
    await consumer.disconnect();
  }
  assert.equal(seen.size, events.length);
  const partitions = new Set<number>();
  for (const event of events) {
    const want = withHeaders(event);
    const got = seen.get(event.event_id);
    assert.ok(got, `event ${event.event_id} arrived`);
    assert.deepEqual(got, { key: want.key, value: want.value, timestamp: want.timestamp, partition: kafkajsPartition(want.key, 6), headers: want.headers });
    partitions.add(got.partition);
  }
  assert.ok(partitions.size > 1, 'records spread over the partitions by key');
});

test('three lanes in flight: every acknowledged record stored once, each key in publish order', async () => {
  const lanesTopic = await createTopic(kafka, 'test-collector-lanes', 6);
  const rnd = prng(8);
  const keys = 40;
  const rounds = 25;
  // Small batches and no linger: many produce calls, several lanes busy at once.
  const publisher = createKafkaEventProducer(testConfig({ kafkaTopic: lanesTopic, kafkaProducerLanes: 3, batchMaxRecords: 7, batchLingerMs: 0 }), silentLogger);
  const order = new Map<string, { visitor: string; round: number }>();
  const flushes: number[] = [];
  publisher.onFlush((o) => flushes.push(o.records));
  try {
    await waitFor('kafka ready', () => publisher.isReady());
    const calls: Promise<unknown>[] = [];
    // Round by round, every visitor's next event, none awaited: publish order is call order.
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < keys; k++) {
        const visitor = `h:visitor-${k}`;
        const event = { ...collectedEvent(rnd, round * keys + k, keys * rounds, Date.now()), visitor_id: visitor };
        order.set(event.event_id, { visitor, round });
        calls.push(publisher.publish([event]));
      }
    }
    for (const r of await Promise.all(calls)) assert.deepEqual(r, { ok: true, value: undefined });
  } finally {
    await publisher.close();
  }
  assert.ok(flushes.length >= (keys * rounds) / 7, `${flushes.length} produce calls`);

  const consumer = kafka.consumer({ groupId: `${lanesTopic}-reader` });
  const stored: { eventId: string; partition: number; offset: bigint }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: lanesTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        stored.push({ eventId: (JSON.parse(message.value!.toString()) as { event_id: string }).event_id, partition, offset: BigInt(message.offset) });
      },
    });
    await waitFor('all records consumed', () => stored.length >= order.size, { timeoutMs: 60_000 });
    // Anything stored twice would arrive within this pause.
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await consumer.disconnect();
    await deleteTopics(kafka, [lanesTopic]);
  }
  assert.equal(stored.length, order.size, 'each record stored once');
  assert.equal(new Set(stored.map((s) => s.eventId)).size, order.size);
  stored.sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
  const roundsSeen = new Map<string, number[]>();
  for (const s of stored) {
    const meta = order.get(s.eventId);
    assert.ok(meta, `stored ${s.eventId} was published`);
    roundsSeen.set(meta.visitor, [...(roundsSeen.get(meta.visitor) ?? []), meta.round]);
  }
  const inOrder = Array.from({ length: rounds }, (_, i) => i);
  for (const [visitor, seen] of roundsSeen) assert.deepEqual(seen, inOrder, `${visitor} in publish order`);
  assert.equal(new Set(stored.map((s) => s.partition)).size, 6, 'all partitions written');
});
