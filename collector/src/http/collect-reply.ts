// Turns a collect outcome into the HTTP answer, the same for every ingest route: 200 only after
// Kafka acknowledged every accepted event; 4xx naming each refused field; 503 with Retry-After.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CollectOutcome } from '../events/collect-events.ts';
import type { CollectorMetrics } from '../metrics.ts';
import { BatchAccepted, ErrorBody, SingleAccepted, errorBody } from './responses.ts';

/** The response schemas every ingest route documents. */
export const INGEST_RESPONSES = {
  200: Type.Union([SingleAccepted, BatchAccepted]),
  400: ErrorBody,
  403: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  429: ErrorBody,
  503: ErrorBody,
};

export function sendOutcome(request: FastifyRequest, reply: FastifyReply, outcome: CollectOutcome, metrics: CollectorMetrics, retryAfterSeconds: number) {
  switch (outcome.status) {
    case 'invalid': {
      const { refusal } = outcome;
      metrics.eventsRejected.inc({ reason: refusal.code }, outcome.rejected);
      // One reason shared by every item (an origin, a site key) is the answer's message too,
      // naming the field when one item was refused ("<field>: <reason>"; errors[] give the reason
      // beside its field).
      const [first] = outcome.errors;
      const shared = outcome.errors.length === 1 ? `${first!.field}: ${first!.message}` : first!.message;
      const message = refusal.code === 'validation_failed' ? summarize(outcome.errors.length) : shared;
      return reply.code(refusal.status).send(errorBody(refusal.code, message, outcome.errors));
    }
    case 'unavailable':
      if (outcome.reason === 'visitor_salt_unavailable') {
        // The visitor hash's salt could not be loaded (visitors/salt-store.ts): retried, never guessed.
        metrics.eventsRejected.inc({ reason: outcome.reason }, outcome.events);
        request.log.debug({ events: outcome.events }, 'events not accepted: no visitor salt');
        return reply.code(503).header('retry-after', String(retryAfterSeconds)).send(errorBody(outcome.reason, 'visitor identity is temporarily unavailable (the database holding its salt is unreachable); retry later'));
      }
      if (outcome.reason === 'overloaded') {
        // As many record bytes await Kafka as the collector may hold (MAX_IN_FLIGHT_BYTES).
        metrics.eventsRejected.inc({ reason: outcome.reason }, outcome.events);
        return reply.code(503).header('retry-after', String(retryAfterSeconds)).send(errorBody(outcome.reason, 'the collector has as many events awaiting storage as it may hold; retry later'));
      }
      metrics.eventsRejected.inc({ reason: 'kafka_unavailable' }, outcome.events);
      // The producer logs the outage once; per-request lines would flood the log during one.
      request.log.debug({ reason: outcome.reason, events: outcome.events }, 'events not accepted: kafka unavailable');
      return reply.code(503).header('retry-after', String(retryAfterSeconds)).send(errorBody('kafka_unavailable', 'event storage is temporarily unavailable; retry later'));
    case 'accepted':
      if (outcome.kind === 'single') {
        metrics.eventsAccepted.inc();
        return reply.send({ success: true, message: 'Event received and sent to Kafka', eventId: outcome.eventId });
      }
      metrics.eventsAccepted.inc(outcome.eventIds.length);
      if (outcome.errors.length > 0) metrics.eventsRejected.inc({ reason: 'validation_failed' }, outcome.size - outcome.eventIds.length);
      return reply.send({
        success: true,
        message: 'Events received and sent to Kafka',
        accepted: outcome.eventIds.length,
        rejected: outcome.size - outcome.eventIds.length,
        eventIds: outcome.eventIds,
        errors: outcome.errors,
      });
  }
}

function summarize(count: number): string {
  return `${count} validation error${count === 1 ? '' : 's'}; see errors[] for each field`;
}
