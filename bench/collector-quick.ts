// Quick collector throughput check: autocannon against the real collector (real broker,
// private topic) next to a bare Fastify handler, in the same run on the same machine.
// Usage: node --import tsx bench/collector-quick.ts [seconds=10] [rounds=3] [connections=50]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Kafka, logLevel } from 'kafkajs';

const [seconds = 10, rounds = 3, connections = 50] = process.argv.slice(2).map(Number);
const ROOT = new URL('../', import.meta.url).pathname;
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const topic = `bench-collector-${randomBytes(4).toString('hex')}`;

const BARE = `
import Fastify from 'fastify';
const app = Fastify();
app.post('/analytics', async () => ({ success: true, message: 'ok', eventId: '00000000-0000-4000-8000-000000000000' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
`;

const event = (i: number) => ({
  event_type: 'page_view',
  page_url: `http://localhost:8080/page/${i}`,
  page_title: 'Bench page',
  session_id: `bench-session-${i % 50}`,
  user_agent: 'autocannon',
  metadata: { referrer: 'http://localhost:8080/', viewport: { w: 1280, h: 800 } },
});
const single = JSON.stringify(event(1));
const batch = JSON.stringify(Array.from({ length: 100 }, (_, i) => event(i)));

function start(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`${name} exited early (${code ?? signal})`);
  });
  return child;
}

async function waitHttp(url: string, method = 'GET'): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? single : undefined })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready`);
}

async function run(url: string, body: string) {
  const result = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration: seconds });
  const non2xx = result.non2xx + result.errors + result.timeouts;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let stopping = false;
const kafka = new Kafka({ clientId: 'bench', brokers: BROKERS.split(','), logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
const collector = start('collector', ['--import', 'tsx', 'collector/src/server.ts'], {
  COLLECTOR_PORT: '3991', COLLECTOR_HOST: '127.0.0.1', KAFKA_TOPIC: topic, KAFKA_BROKERS: BROKERS, RATE_LIMIT_MAX: '0', LOG_LEVEL: 'warn',
});
const bare = start('bare', ['--input-type=module', '-e', BARE], { PORT: '3992' });
try {
  await waitHttp('http://127.0.0.1:3991/health');
  await waitHttp('http://127.0.0.1:3992/analytics', 'POST');
  const cases = [
    { name: 'bare Fastify, 1 event/request', url: 'http://127.0.0.1:3992/analytics', body: single, events: 1 },
    { name: 'collector, 1 event/request', url: 'http://127.0.0.1:3991/analytics', body: single, events: 1 },
    { name: 'collector, 100 events/request', url: 'http://127.0.0.1:3991/analytics', body: batch, events: 100 },
  ];
  await run(cases[1]!.url, single); // warm-up: JIT, producer id, connections
  const results = new Map<string, Awaited<ReturnType<typeof run>>[]>();
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const res = await run(c.url, c.body);
      results.set(c.name, [...(results.get(c.name) ?? []), res]);
      console.error(`round ${r + 1} ${c.name}: ${Math.round(res.rps)} req/s p50 ${res.p50} ms p99 ${res.p99} ms non-2xx ${res.non2xx}`);
    }
  }
  console.log(`\nmedians of ${rounds} rounds, ${seconds} s each, ${connections} connections (topic ${topic}, brokers ${BROKERS})`);
  console.log('| case | req/s | events/s | p50 ms | p99 ms | non-2xx |');
  console.log('|---|---|---|---|---|---|');
  for (const c of cases) {
    const rs = results.get(c.name)!;
    const rps = median(rs.map((x) => x.rps));
    console.log(`| ${c.name} | ${Math.round(rps)} | ${Math.round(rps * c.events)} | ${median(rs.map((x) => x.p50))} | ${median(rs.map((x) => x.p99))} | ${rs.reduce((a, x) => a + x.non2xx, 0)} |`);
  }
  await new Promise((r) => setTimeout(r, 1000)); // let requests autocannon abandoned finish
  const metrics = await (await fetch('http://127.0.0.1:3991/metrics')).text();
  const accepted = /collector_events_accepted_total (\d+)/.exec(metrics)?.[1];
  const offsets = await admin.fetchTopicOffsets(topic);
  const onTopic = offsets.reduce((a, o) => a + Number(o.high), 0);
  console.log(`\nevents acknowledged by the collector: ${accepted}; records on the topic: ${onTopic}`);
} finally {
  stopping = true;
  collector.kill('SIGTERM');
  bare.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}
