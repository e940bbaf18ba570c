// The transports' own cost, with no collector behind them: CPU per event of carrying the same
// realistic events (a) as gRPC client-stream messages through @grpc/grpc-js (the client encodes
// each message with the collector's proto, the server decodes it with the collector's decoder,
// counts it and drops it) and (b) as HTTP/1.1 POST bodies of 100 events (built before the clock,
// as benchmark 7 builds them; the server reads and JSON.parses each body). Client and server share
// one process here, so each figure is both ends together. It bounds benchmark 7: whatever the
// collector does per event comes on top of these figures, and on one machine the client's share
// competes with the collector for the same cores.
// Usage: npx tsx bench/transport-floor.ts [rounds=5] [events=100000]
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { withUtf8Check } from '../collector/src/grpc/event-message.ts';
import { loadIngestPackage, type EventMessage } from '../collector/src/grpc/ingest-proto.ts';
import { lineToMessage } from '../send/line-to-message.ts';
import { incomingEvent, prng } from './lib/events.ts';
import { median } from './lib/stats.ts';

const rounds = Number(process.argv[2] ?? 5);
const events = Number(process.argv[3] ?? 100_000);
const STREAMS = 4;
const BATCH = 100;
const CONCURRENCY = 50;

const rnd = prng(7);
const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ ...incomingEvent(rnd, i), ip: `198.51.100.${i % 250}` }));
const messages = lines.map((line, i) => {
  const out = lineToMessage(Buffer.from(line), i + 1);
  if (out.kind !== 'message') throw new Error(`line ${i + 1} is no message: ${JSON.stringify(out)}`);
  return out.message;
});
const bodies: Buffer[] = [];
for (let i = 0; i < lines.length; i += BATCH) bodies.push(Buffer.from(`[${lines.slice(i, i + BATCH).join(',')}]`));

const cpuMicros = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return d.user + d.system;
};

async function grpcRound(): Promise<number> {
  const { Ingest } = loadIngestPackage();
  const method = Ingest.service.StreamEvents!;
  const server = new grpc.Server();
  let received = 0;
  const decode = withUtf8Check(method.requestDeserialize as (raw: Buffer) => EventMessage);
  server.addService({ StreamEvents: { ...method, requestDeserialize: decode } }, {
    StreamEvents: (call: grpc.ServerReadableStream<EventMessage, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      call.on('data', () => (received += 1));
      call.on('end', () => callback(null, {}));
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const client = new Ingest(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    StreamEvents(metadata: grpc.Metadata, callback: (error: grpc.ServiceError | null) => void): grpc.ClientWritableStream<EventMessage>;
  };
  const per = Math.ceil(events / STREAMS);
  const start = process.cpuUsage();
  await Promise.all(
    Array.from({ length: STREAMS }, async () => {
      let call!: grpc.ClientWritableStream<EventMessage>;
      const done = new Promise<void>((resolve, reject) => (call = client.StreamEvents(new grpc.Metadata(), (e) => (e ? reject(e) : resolve()))));
      for (let i = 0; i < per; i++) if (!call.write(messages[i % messages.length]!)) await once(call, 'drain');
      call.end();
      await done;
    }),
  );
  const micros = cpuMicros(start);
  client.close();
  server.forceShutdown();
  if (received !== per * STREAMS) throw new Error(`gRPC: ${received} of ${per * STREAMS} messages arrived`);
  return micros / received;
}

async function httpRound(): Promise<number> {
  let received = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received += (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[]).length;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":100}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const requests = Math.ceil(events / BATCH);
  let next = 0;
  const post = (body: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
  const start = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < requests) await post(bodies[next++ % bodies.length]!);
  }));
  const micros = cpuMicros(start);
  agent.destroy();
  server.close();
  return micros / received;
}

const grpcRuns: number[] = [];
const httpRuns: number[] = [];
await grpcRound(); // JIT
await httpRound();
for (let r = 0; r < rounds; r++) {
  grpcRuns.push(await grpcRound());
  httpRuns.push(await httpRound());
}
const g = median(grpcRuns);
const h = median(httpRuns);
console.log(`Transport cost per event, client and server together, no collector (${events.toLocaleString('en-US')} events a round, median of ${rounds}):`);
console.log(`| transport | CPU µs/event | rounds |`);
console.log(`|---|---:|---|`);
console.log(`| gRPC client stream, one message an event (${STREAMS} streams; encode + grpc-js + decode) | ${g.toFixed(1)} | ${grpcRuns.map((x) => x.toFixed(1)).join(' · ')} |`);
console.log(`| HTTP/1.1 POST, ${BATCH} events a body (c=${CONCURRENCY}; framing + JSON.parse) | ${h.toFixed(1)} | ${httpRuns.map((x) => x.toFixed(1)).join(' · ')} |`);
console.log(`gRPC costs ${(g - h).toFixed(1)} µs more per event than the batched POST (${(g / h).toFixed(1)}x) before any collector work.`);
