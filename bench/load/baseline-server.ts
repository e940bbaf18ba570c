// Baselines for the collector benchmark, each in its own process like the collector:
//   fastify: a bare Fastify handler that parses the same JSON body and answers like the collector
//            (no validation, no Kafka): the framework's floor cost.
//   raw:     node:http that drains the body unparsed and answers: the load generator's ceiling.
//   kafka:   the bare handler that also produces each event to KAFKA_TOPIC through the collector's
//            own producer (idempotent, acks=all, its lanes, linger and bounds) and answers only
//            once Kafka acknowledged: the floor of any collector that acks before its 2xx. The
//            record is the parsed event re-serialized; no validation, enrichment, canonical
//            record, hooks, CORS or metrics.
// Usage: PORT=3990 node --import tsx bench/load/baseline-server.ts fastify|raw
//        PORT=3990 KAFKA_TOPIC=<an existing topic of its own> node --import tsx bench/load/baseline-server.ts kafka
import http from 'node:http';
import Fastify from 'fastify';
import type { CollectedEvent } from '#contract';
import { loadCollectorConfig } from '../../collector/src/config.ts';
import { createKafkaEventProducer } from '../../collector/src/kafka/event-producer.ts';
import type { EventRecord } from '../../collector/src/kafka/to-record.ts';
import { createLogger } from '../../lib/logger.ts';

const port = Number(process.env.PORT ?? 3990);
const kind = process.argv[2] ?? 'fastify';
const ANSWER = { success: true, message: 'Event received and sent to Kafka', eventId: '00000000-0000-4000-8000-000000000000' };
const ANSWER_TEXT = JSON.stringify(ANSWER);

if (kind === 'raw') {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(ANSWER_TEXT) });
      res.end(ANSWER_TEXT);
    });
  });
  server.keepAliveTimeout = 72_000;
  server.listen(port, '127.0.0.1');
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
} else if (kind === 'kafka') {
  // Never the collector's default topic: the running pipeline would store what a benchmark sends.
  if (process.env.KAFKA_TOPIC === undefined || process.env.KAFKA_TOPIC === '') {
    process.stderr.write('baseline-server kafka: set KAFKA_TOPIC to an existing topic of its own (not the collector\'s)\n');
    process.exit(2);
  }
  const config = loadCollectorConfig();
  // Keyed like the collector's records (one session stays on one partition); the value is the
  // event as parsed, re-serialized: the least a producer of parsed JSON can send.
  const recordOf = (event: CollectedEvent): EventRecord => {
    const e = event as unknown as Record<string, unknown>;
    return { key: String(e['session_id'] ?? e['event_id'] ?? ''), value: JSON.stringify(event), timestamp: String(Date.now()) };
  };
  const publisher = createKafkaEventProducer(config, createLogger('baseline-kafka', 'warn'), recordOf);
  const app = Fastify({ bodyLimit: 1024 * 1024 });
  app.post('/analytics', async (request, reply) => {
    const body = request.body;
    if (body === undefined || body === null || typeof body !== 'object') return reply.code(400).send({ success: false });
    const result = await publisher.publish((Array.isArray(body) ? body : [body]) as CollectedEvent[]);
    return result.ok ? ANSWER : reply.code(503).send({ success: false });
  });
  // Ready once the producers are connected, as the collector's /health is.
  app.get('/health', async (_request, reply) => (publisher.isReady() ? { status: 'ok' } : reply.code(503).send({ status: 'kafka not ready' })));
  await app.listen({ port, host: '127.0.0.1' });
  process.once('SIGTERM', () => void publisher.close().then(() => app.close()).then(() => process.exit(0)));
} else {
  const app = Fastify({ bodyLimit: 1024 * 1024 });
  app.post('/analytics', async (request, reply) => (request.body === undefined ? reply.code(400).send({ success: false }) : ANSWER));
  app.get('/health', async () => ({ status: 'ok' }));
  await app.listen({ port, host: '127.0.0.1' });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
