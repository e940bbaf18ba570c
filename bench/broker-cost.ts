// The broker's CPU per produce call and per record, as the collector produces (idempotent,
// acks=all, realistic keyed records with the contract header, one call in flight), for several
// records-per-call sizes: what fewer, larger produce calls would save the shared cores.
// The broker's CPU is read from /proc/<pid>/stat (10 ms ticks) around each round; its idle CPU
// over the same time (measured before the rounds) is subtracted.
// Usage: npx tsx bench/broker-cost.ts [seconds=5] [sizes=1,10,40,100,500]
import { Producer, stringSerializer } from '@platformatic/kafka';
import { toRecord } from '../collector/src/kafka/to-record.ts';
import { partitionOf } from '../collector/src/kafka/partitioning.ts';
import { brokerPid } from './lib/broker.ts';
import { connectBenchKafka, KAFKA_BROKERS } from './lib/kafka.ts';
import { collectedEvent, prng } from './lib/events.ts';
import { readCpuSeconds } from './lib/processes.ts';

const seconds = Number(process.argv[2] ?? 5);
const sizes = (process.argv[3] ?? '1,10,40,100,500').split(',').map(Number);
const pid = brokerPid();
if (pid === undefined) throw new Error('no local Kafka broker process (kafka.Kafka) found');

const bench = await connectBenchKafka();
const topic = await bench.createTopic('broker-cost', 3);
const rnd = prng(3);
const header = new Map([[Buffer.from('x-contract-version'), Buffer.from('1')]]);
const records = Array.from({ length: 2000 }, (_, i) => toRecord(collectedEvent(rnd, i, 2000, Date.now()))).map((r) => ({
  topic,
  key: r.key,
  value: Buffer.from(r.value),
  timestamp: BigInt(r.timestamp),
  headers: header,
  partition: partitionOf(r.key, 3),
}));
const producer = new Producer<string, Buffer, Buffer, Buffer>({ clientId: 'bench-broker-cost', bootstrapBrokers: KAFKA_BROKERS.split(','), idempotent: true, acks: -1, serializers: { key: stringSerializer } });

async function round(size: number, ms: number): Promise<{ calls: number; records: number; brokerSeconds: number; wall: number }> {
  const cpu0 = readCpuSeconds(pid!);
  const t0 = performance.now();
  let calls = 0;
  let from = 0;
  while (performance.now() - t0 < ms) {
    if (from + size > records.length) from = 0;
    await producer.send({ messages: records.slice(from, from + size) });
    from += size;
    calls += 1;
  }
  const wall = (performance.now() - t0) / 1000;
  return { calls, records: calls * size, brokerSeconds: readCpuSeconds(pid!) - cpu0, wall };
}

try {
  await round(50, 2000); // connections, producer id, JIT on both sides
  const idle0 = readCpuSeconds(pid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const idlePerSecond = (readCpuSeconds(pid) - idle0) / seconds;
  console.log(`broker pid ${pid}; idle: ${(idlePerSecond * 100).toFixed(1)} % of a core`);
  for (const size of sizes) {
    const r = await round(size, seconds * 1000);
    const busy = r.brokerSeconds - idlePerSecond * r.wall;
    console.log(`${String(size).padStart(4)} records/call: ${Math.round(r.calls / r.wall)} calls/s, ${(r.wall * 1000 / r.calls).toFixed(2)} ms/call; broker ${((r.brokerSeconds / r.wall) * 100).toFixed(0)} % of a core, ${((busy * 1e6) / r.calls).toFixed(0)} µs/call, ${((busy * 1e6) / r.records).toFixed(1)} µs/record (idle subtracted)`);
  }
} finally {
  await producer.close();
  await bench.close();
}
