// POST /analytics: one event or a batch. 200 only after Kafka acknowledged every accepted event.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { IncomingEvent, LIMITS } from '#contract';
import { requestOrigin } from '../http/cors-origins.ts';
import type { CollectFn } from '../events/collect-events.ts';
import { BatchAccepted, ErrorBody, SingleAccepted, errorBody } from '../http/responses.ts';
import type { CollectorMetrics } from '../metrics.ts';

export interface AnalyticsRouteOptions {
  collect: CollectFn;
  metrics: CollectorMetrics;
  retryAfterSeconds: number;
  rateLimit: { max: number; timeWindow: number } | false;
  /** The CORS allowlist: browser events from other origins are refused, not only unreadable. */
  allowOrigin: (origin: string | undefined) => boolean;
}

const Body = Type.Union([IncomingEvent, Type.Array(IncomingEvent, { minItems: 1, maxItems: LIMITS.batchSize })]);

export async function analyticsRoutes(app: FastifyInstance, opts: AnalyticsRouteOptions): Promise<void> {
  const { collect, metrics } = opts;
  app.post(
    '/analytics',
    {
      config: opts.rateLimit === false ? {} : { rateLimit: opts.rateLimit },
      // CORS headers cannot stop a simple (text/plain) POST: the browser sends it and only hides
      // the answer. A snippet copied onto another site would record its visitors, so browser
      // requests from origins not allowed are refused before the body is read. The answer carries
      // CORS headers so the tracker can read the 403 and stop, instead of retrying a CORS error.
      onRequest: async (request, reply) => {
        const origin = requestOrigin(request.headers.origin, request.headers.referer);
        if (opts.allowOrigin(origin)) return;
        metrics.eventsRejected.inc({ reason: 'origin_not_allowed' });
        return reply
          .code(403)
          .header('access-control-allow-origin', origin)
          .header('vary', 'Origin')
          .send(errorBody('origin_not_allowed', `origin ${JSON.stringify(origin)} may not send events; allowed origins are set by CORS_ORIGINS`));
      },
      schema: {
        summary: 'Collect one event or a batch of events',
        description: `Body: one event, or an array of up to ${LIMITS.batchSize}. Sent as application/json or text/plain (sendBeacon). Invalid batch items are reported by index; valid siblings are accepted.`,
        consumes: ['application/json', 'text/plain'],
        body: Body,
        response: {
          200: Type.Union([SingleAccepted, BatchAccepted]),
          400: ErrorBody,
          403: ErrorBody,
          413: ErrorBody,
          415: ErrorBody,
          429: ErrorBody,
          503: ErrorBody,
        },
      },
      // The body schema is for /docs; validation runs through the contract so that batch items
      // are judged one by one and every error names its field.
      validatorCompiler: () => (value) => ({ value }),
      // The 200 schema is a union; fast-json-stringify would run a validator per response to pick
      // the branch. The bodies are small plain objects, so JSON.stringify is cheaper.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request, reply) => {
      const outcome = await collect(request.body, request.headers['user-agent']);
      switch (outcome.status) {
        case 'invalid':
          metrics.eventsRejected.inc({ reason: 'validation_failed' }, outcome.rejected);
          return reply.code(400).send(errorBody('validation_failed', summarize(outcome.errors.length), outcome.errors));
        case 'unavailable':
          metrics.eventsRejected.inc({ reason: 'kafka_unavailable' }, outcome.events);
          // The producer logs the outage once; per-request lines would flood the log during one.
          request.log.debug({ reason: outcome.reason, events: outcome.events }, 'events not accepted: kafka unavailable');
          return reply
            .code(503)
            .header('retry-after', String(opts.retryAfterSeconds))
            .send(errorBody('kafka_unavailable', 'event storage is temporarily unavailable; retry later'));
        case 'accepted':
          if (outcome.kind === 'single') {
            metrics.eventsAccepted.inc();
            return { success: true, message: 'Event received and sent to Kafka', eventId: outcome.eventId };
          }
          metrics.eventsAccepted.inc(outcome.eventIds.length);
          if (outcome.errors.length > 0) {
            metrics.eventsRejected.inc({ reason: 'validation_failed' }, outcome.size - outcome.eventIds.length);
          }
          return {
            success: true,
            message: 'Events received and sent to Kafka',
            accepted: outcome.eventIds.length,
            rejected: outcome.size - outcome.eventIds.length,
            eventIds: outcome.eventIds,
            errors: outcome.errors,
          };
      }
    },
  );
}

function summarize(count: number): string {
  return `${count} validation error${count === 1 ? '' : 's'}; see errors[] for each field`;
}
