// GET /health for load balancers and ops (200 only while Kafka is reachable); GET /metrics
// for Prometheus.
import type { FastifyInstance } from 'fastify';
import type { EventPublisher } from '../events/publisher.ts';
import { HealthBody } from '../http/responses.ts';
import type { CollectorMetrics } from '../metrics.ts';

export interface OpsRouteOptions {
  publisher: Pick<EventPublisher, 'isReady'>;
  metrics: CollectorMetrics;
}

/** The reason a 503 gives; the producer's own log line ("kafka not ready") says what it saw. */
export const NOT_READY = 'Kafka is not ready (broker unreachable or topic missing): events are answered 503 until it is';

export async function opsRoutes(app: FastifyInstance, opts: OpsRouteOptions): Promise<void> {
  app.get(
    '/health',
    { schema: { summary: 'Liveness and Kafka readiness', security: [], response: { 200: HealthBody, 503: HealthBody } } },
    async (_request, reply) => {
      const kafkaReady = opts.publisher.isReady();
      const timestamp = new Date().toISOString();
      if (kafkaReady) return { status: 'ok' as const, kafkaReady, timestamp };
      return reply.code(503).send({ status: 'unavailable' as const, kafkaReady, timestamp, message: NOT_READY });
    },
  );
  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text exposition format)', security: [], produces: ['text/plain'] } }, async (_request, reply) => {
    opts.metrics.kafkaReady.set(opts.publisher.isReady() ? 1 : 0);
    return reply.header('content-type', opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics());
  });
}
