// The client's CPU per record with the record headers given as strings (its string serializers
// make their bytes for every record) against the same headers given once as bytes (what the
// collector sends, collector/src/kafka/event-producer.ts). Idempotent, acks=all, batches of 200
// realistic collector records, rounds alternating in one process; CPU = process.cpuUsage per record.
// Usage: npx tsx bench/producer-headers.ts [rounds=6] [records=20000]
import { Producer, stringSerializer, stringSerializers } from '@platformatic/kafka';
import { toRecord, type EventRecord } from '../collector/src/kafka/to-record.ts';
import { connectBenchKafka, KAFKA_BROKERS } from './lib/kafka.ts';
import { collectedEvent, prng } from './lib/events.ts';
import { median } from './lib/stats.ts';

const rounds = Number(process.argv[2] ?? 6);
const total = Number(process.argv[3] ?? 20_000);
const BATCH = 200;

const bench = await connectBenchKafka();
const topic = await bench.createTopic('producer-headers', 3);
const rnd = prng(3);
const records = Array.from({ length: 2000 }, (_, i) => toRecord(collectedEvent(rnd, i, 2000, Date.now())));
const headerBytes = new Map(Object.entries(records[0]!.headers ?? {}).map(([k, v]) => [Buffer.from(k), Buffer.from(v)]));
const options = { bootstrapBrokers: KAFKA_BROKERS.split(','), idempotent: true, acks: -1 as const };
const asStrings = new Producer({ ...options, clientId: 'bench-headers-strings', serializers: stringSerializers });
const asBytes = new Producer<string, string, Buffer, Buffer>({ ...options, clientId: 'bench-headers-bytes', serializers: { key: stringSerializer, value: stringSerializer } });
const message = (r: EventRecord) => ({ topic, key: r.key, value: r.value, timestamp: BigInt(r.timestamp) });
const sides = [
  { name: 'headers as strings', send: (batch: EventRecord[]) => asStrings.send({ messages: batch.map((r) => ({ ...message(r), headers: r.headers })) }), cpu: [] as number[] },
  { name: 'headers as bytes, made once', send: (batch: EventRecord[]) => asBytes.send({ messages: batch.map((r) => ({ ...message(r), headers: headerBytes })) }), cpu: [] as number[] },
];
try {
  for (const side of sides) await side.send(records.slice(0, 1)); // producer ids and connections outside the clock
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      const cpu = process.cpuUsage();
      for (let sent = 0; sent < total; sent += BATCH) await side.send(records.slice(sent % records.length, (sent % records.length) + BATCH));
      const used = process.cpuUsage(cpu);
      side.cpu.push((used.user + used.system) / total);
    }
  }
  for (const side of sides) process.stdout.write(`${side.name}: ${median(side.cpu).toFixed(2)} CPU µs/record (${side.cpu.map((c) => c.toFixed(1)).join(', ')})\n`);
} finally {
  await asStrings.close();
  await asBytes.close();
  await bench.close();
}
