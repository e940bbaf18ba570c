// Bytes the collector allocates per event on its request path, and where: the app driven by
// inject() with 50 concurrent 100-event batches (collector-cpu.ts' bodies), each published event
// made into its Kafka record and value bytes as the producer makes them, under V8's sampling heap
// profiler counting objects already collected too. Garbage is what the young generation's
// scavenges pay for (bench/HISTORY.md § 27); the Kafka client's own allocations are not included.
// Usage: node --import tsx bench/collector-alloc.ts [requests=1000] [top=20]
import { Session } from 'node:inspector/promises';
import { buildApp } from '../collector/src/app.ts';
import { loadCollectorConfig } from '../collector/src/config.ts';
import { createMemoryPublisher } from '../collector/src/events/memory-publisher.ts';
import { toRecord } from '../collector/src/kafka/to-record.ts';
import { createLogger } from '../lib/logger.ts';
import { incomingEvent, prng } from './lib/events.ts';

const requests = Number(process.argv[2] ?? 1000);
const top = Number(process.argv[3] ?? 20);
const rnd = prng(1);
const batch = JSON.stringify(Array.from({ length: 100 }, (_, i) => incomingEvent(rnd, i)));

const publisher = createMemoryPublisher();
const publish = publisher.publish.bind(publisher);
publisher.publish = (events, options) => {
  for (const e of events) Buffer.from(toRecord(e).value, 'utf8');
  return publish(events, options);
};
const config = loadCollectorConfig({ LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '0' });
const app = await buildApp({ config, publisher, logger: createLogger('collector-alloc', 'warn'), docs: false });
await app.ready();

async function send(count: number): Promise<void> {
  for (let i = 0; i < count; i += 50) {
    const calls = [];
    for (let j = 0; j < 50; j++) calls.push(app.inject({ method: 'POST', url: '/analytics', headers: { 'content-type': 'text/plain', 'user-agent': 'bench' }, payload: batch }));
    for (const r of await Promise.all(calls)) if (r.statusCode !== 200) throw new Error(`answered ${r.statusCode}: ${r.body}`);
    publisher.published.length = 0;
  }
}

interface SampleNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: SampleNode[];
}

await send(Math.min(500, requests));
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
// One sample per 4 KiB allocated on average; collected objects count, as garbage is the point.
await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
await send(requests);
const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: SampleNode } };
session.disconnect();
await app.close();

const events = requests * 100;
const bySite = new Map<string, number>();
let total = 0;
const stack: SampleNode[] = [profile.head];
while (stack.length > 0) {
  const node = stack.pop()!;
  total += node.selfSize;
  const file = node.callFrame.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*?\/(collector|contract|enrichment|lib|bench)\//, '$1/');
  const site = `${node.callFrame.functionName || '(anonymous)'} ${file}`;
  bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
  stack.push(...node.children);
}
process.stdout.write(`${(total / events).toFixed(0)} bytes allocated per event (${events} events in 100-event requests)\n`);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${(bytes / events).toFixed(0).padStart(7)} B/event  ${site}\n`);
