// The collector's own CPU per request, without Kafka or sockets: the app driven by inject() with
// the in-memory publisher, single events and 100-event batches (the bench's bodies), CPU µs per
// request from process.cpuUsage. For profiling (`node --cpu-prof`) and quick before/after of the
// request path; the HTTP benchmarks (cases/collector.ts) remain the measure.
// Usage: node --import tsx bench/collector-cpu.ts [requests=20000] [rounds=3]
import { buildApp } from '../collector/src/app.ts';
import { loadCollectorConfig } from '../collector/src/config.ts';
import { createMemoryPublisher } from '../collector/src/events/memory-publisher.ts';
import { createLogger } from '../lib/logger.ts';
import { incomingEvent, prng } from './lib/events.ts';
import { median } from './lib/stats.ts';

const requests = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 3);
const rnd = prng(1);
const single = JSON.stringify(incomingEvent(rnd, 0));
const batch = JSON.stringify(Array.from({ length: 100 }, (_, i) => incomingEvent(rnd, i)));

const publisher = createMemoryPublisher();
const config = loadCollectorConfig({ LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '0' });
const app = await buildApp({ config, publisher, logger: createLogger('collector-cpu', 'warn'), docs: false });
await app.ready();

async function round(body: string, count: number): Promise<number> {
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i += 50) {
    const calls = [];
    for (let j = 0; j < 50; j++) calls.push(app.inject({ method: 'POST', url: '/analytics', headers: { 'content-type': 'text/plain', 'user-agent': 'bench' }, payload: body }));
    for (const r of await Promise.all(calls)) if (r.statusCode !== 200) throw new Error(`answered ${r.statusCode}: ${r.body}`);
    publisher.published.length = 0;
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / count;
}

const singles: number[] = [];
const batches: number[] = [];
await round(single, 2000);
for (let r = 0; r < rounds; r++) {
  singles.push(await round(single, requests));
  batches.push(await round(batch, requests / 50));
}
process.stdout.write(`single event: ${median(singles).toFixed(1)} CPU µs/request (${singles.map((s) => s.toFixed(1)).join(', ')})\n`);
process.stdout.write(`100 events: ${(median(batches) / 100).toFixed(2)} CPU µs/event (${batches.map((s) => (s / 100).toFixed(2)).join(', ')})\n`);
await app.close();
