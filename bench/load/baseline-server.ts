// Baselines for the collector benchmark, each in its own process like the collector:
//   fastify: a bare Fastify handler that parses the same JSON body and answers like the collector
//            (no validation, no Kafka): the framework's floor cost.
//   raw:     node:http that drains the body unparsed and answers: the load generator's ceiling.
// Usage: PORT=3990 node --import tsx bench/load/baseline-server.ts fastify|raw
import http from 'node:http';
import Fastify from 'fastify';

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
} else {
  const app = Fastify({ bodyLimit: 1024 * 1024 });
  app.post('/analytics', async (request, reply) => (request.body === undefined ? reply.code(400).send({ success: false }) : ANSWER));
  app.get('/health', async () => ({ status: 'ok' }));
  await app.listen({ port, host: '127.0.0.1' });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
