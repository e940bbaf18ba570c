// The Kafka producer clients side by side, as the collector uses them: idempotent, acks=all,
// realistic keyed collector records (about 400 bytes), one send in flight, batches of the size the
// collector's micro-batcher forms under load. Rounds alternate the clients in one process, so
// the shared machine's drift hits both alike; CPU is process.cpuUsage (user + system) of this
// process over the round, divided by the records acknowledged — the client's own cost per record,
// the broker's is not in it.
// Usage: npx tsx bench/producer-clients.ts [rounds=5] [records=20000] [batch=50]
import { Producer, compatibilityPartitioner, stringSerializers } from '@platformatic/kafka';
import { Partitioners } from 'kafkajs';
import { toRecord } from '../collector/src/kafka/to-record.ts';
import { connectBenchKafka, KAFKA_BROKERS } from './lib/kafka.ts';
import { collectedEvent, prng } from './lib/events.ts';
import { median } from './lib/stats.ts';

const rounds = Number(process.argv[2] ?? 5);
const total = Number(process.argv[3] ?? 20_000);
const batchSize = Number(process.argv[4] ?? 50);

type Send = (records: ReturnType<typeof toRecord>[]) => Promise<unknown>;
interface Client {
  name: string;
  send: Send;
  close(): Promise<void>;
}

const bench = await connectBenchKafka();
const topic = await bench.createTopic('producer-clients', 3);
const rnd = prng(3);
const records = Array.from({ length: 2000 }, (_, i) => toRecord(collectedEvent(rnd, i, 2000, Date.now())));
const meanBytes = records.reduce((a, r) => a + r.key.length + r.value.length, 0) / records.length;

async function kafkajsClient(): Promise<Client> {
  const producer = bench.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return {
    name: 'kafkajs',
    send: (batch) => producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch }] }),
    close: () => producer.disconnect(),
  };
}

async function platformaticClient(): Promise<Client> {
  const producer = new Producer({
    clientId: 'bench-producer-clients',
    bootstrapBrokers: KAFKA_BROKERS.split(','),
    idempotent: true,
    acks: -1,
    partitioner: compatibilityPartitioner,
    serializers: stringSerializers,
  });
  const send: Send = (batch) => producer.send({ messages: batch.map((r) => ({ topic, key: r.key, value: r.value, timestamp: BigInt(r.timestamp) })) });
  await send(records.slice(0, 1)); // connects and fetches the producer id outside the clock
  return { name: '@platformatic/kafka', send, close: () => producer.close() };
}

async function round(client: Client): Promise<{ cpuMicrosPerRecord: number; recordsPerSecond: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let sent = 0; sent < total; sent += batchSize) {
    const from = sent % records.length;
    await client.send(records.slice(from, from + batchSize));
  }
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  return { cpuMicrosPerRecord: (used.user + used.system) / total, recordsPerSecond: total / seconds };
}

const clients = [await kafkajsClient(), await platformaticClient()];
try {
  for (const c of clients) await round(c); // warm-up: JIT and connections
  const results = new Map<string, { cpu: number[]; rate: number[] }>(clients.map((c) => [c.name, { cpu: [], rate: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (const c of r % 2 === 0 ? clients : [...clients].reverse()) {
      const res = await round(c);
      results.get(c.name)!.cpu.push(res.cpuMicrosPerRecord);
      results.get(c.name)!.rate.push(res.recordsPerSecond);
      console.log(`round ${r + 1}/${rounds} ${c.name}: ${res.cpuMicrosPerRecord.toFixed(1)} CPU µs/record, ${Math.round(res.recordsPerSecond)} records/s`);
    }
  }
  console.log(`\n${total} records of ~${Math.round(meanBytes)} B a round, batches of ${batchSize}, idempotent, acks=all, one send in flight (medians of ${rounds}):`);
  const [a, b] = clients.map((c) => results.get(c.name)!);
  for (const c of clients) {
    const x = results.get(c.name)!;
    console.log(`  ${c.name.padEnd(20)} ${median(x.cpu).toFixed(1)} CPU µs/record  ${Math.round(median(x.rate))} records/s`);
  }
  const paired = a!.cpu.map((cpu, i) => cpu / b!.cpu[i]!);
  console.log(`  CPU ratio kafkajs / @platformatic/kafka per round: ${paired.map((x) => x.toFixed(2)).join(', ')}`);
} finally {
  for (const c of clients) await c.close();
  await bench.close();
}
