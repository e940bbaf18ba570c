// Every error leaves as the same JSON shape. 4xx say what is wrong; 5xx never show internals
// (the detail goes to the log with the request id).
import type { FastifyError, FastifyInstance } from 'fastify';
import { errorBody } from './responses.ts';
import { databaseUnavailable } from '../../../lib/database-unavailable.ts';
import { BodyError, FASTIFY_BODY_ERRORS } from '../../../lib/http-body/json-body.ts';
import type { CollectorMetrics } from '../metrics.ts';
import { useUnmatchedProblems } from '../../../lib/http-framework-errors.ts';
import { quoteIfShort } from '../../../lib/http-problem.ts';


export function registerErrorHandlers(app: FastifyInstance, metrics: CollectorMetrics, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError | { statusCode?: number; error?: string; message?: string }, request, reply) => {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    const mapped = code !== undefined ? FASTIFY_BODY_ERRORS[code] : undefined;
    const status = mapped?.status ?? error.statusCode ?? 500;
    if (status === 429) {
      metrics.eventsRejected.inc({ reason: 'rate_limited' });
      return reply.code(429).send(errorBody('rate_limited', error.message ?? 'too many requests'));
    }
    if (error instanceof BodyError) {
      metrics.eventsRejected.inc({ reason: error.code });
      // A field's own fault (a key given twice, an inexact number) is worded by its reason alone:
      // the answer's message names the field, errors[] gives the reason beside it.
      const message = error.code === 'validation_failed' ? `${error.field}: ${error.message}` : error.message;
      return reply.code(error.statusCode).send(errorBody(error.code, message, [{ field: error.field, message: error.message }]));
    }
    if (mapped !== undefined) {
      metrics.eventsRejected.inc({ reason: mapped.error });
      const message =
        mapped.status === 413
          ? `body exceeds ${bodyLimit} bytes`
          : mapped.status === 415
            ? `content type ${quoteIfShort(request.headers['content-type'] ?? '') ?? '(not repeated: too long or unprintable)'} is not supported; send application/json or text/plain`
            : (error.message ?? mapped.error);
      const field = mapped.status === 415 ? 'Content-Type' : 'body';
      return reply.code(mapped.status).send(errorBody(mapped.error, message, [{ field, message }]));
    }
    if (status >= 400 && status < 500) return reply.code(status).send(errorBody('bad_request', error.message ?? 'bad request'));
    const unavailable = databaseUnavailable(error);
    if (unavailable !== undefined) {
      request.log.warn({ err: error }, unavailable.message);
      return reply.code(503).header('retry-after', String(unavailable.retryAfter)).send(errorBody(unavailable.error, unavailable.message));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(errorBody('internal_error', 'internal server error'));
  });
  useUnmatchedProblems(app);
}
