// Errors of the tenancy routes in the collector's JSON shape, whatever service hosts them: a
// field at fault (schema violation, key given twice, unstorable text) is a 400 invalid_field
// naming its JSON Pointer, "<field>: <reason>"; a 5xx never shows internals.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { escapeKey } from '#contract';
import { fieldProblem, type Problem } from './field-problem.ts';
import { databaseUnavailable } from '../lib/database-unavailable.ts';
import { BodyError, FASTIFY_BODY_ERRORS } from '../lib/http-body/json-body.ts';
import { quoteIfShort } from '../lib/http-problem.ts';

export function sendProblem(reply: FastifyReply, p: Problem) {
  return reply.code(p.status).send({ success: false, error: p.error, message: p.message, ...(p.field !== undefined ? { errors: [{ field: p.field, message: p.message }] } : {}) });
}

export function useTenancyErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // A field the host's body reader refused (a key given twice, a number a double cannot hold,
    // unstorable text on the query API) is a field fault like a schema violation: invalid_field.
    if (error instanceof BodyError && error.code === 'validation_failed') return sendProblem(reply, fieldProblem(error.field, error.message));
    // The body's own fault (bytes, charset, JSON text), with the reader's code and field.
    if (error instanceof BodyError) return sendProblem(reply, { status: error.statusCode, error: error.code, field: error.field, message: error.message });
    const bodyError = FASTIFY_BODY_ERRORS[error.code];
    if (bodyError !== undefined) {
      // Fastify's 415 message repeats the Content-Type as sent, however long.
      const message = bodyError.status === 415 ? `content type ${quoteIfShort(request.headers['content-type'] ?? '') ?? '(not repeated: too long or unprintable)'} is not supported; send application/json` : error.message;
      return sendProblem(reply, { status: bodyError.status, error: bodyError.error, field: bodyError.status === 415 ? 'Content-Type' : 'body', message });
    }
    if (error.validation !== undefined) {
      const first = error.validation[0];
      // A missing or unknown key is named by its own pointer, not by the object holding it.
      const params = first?.params as { missingProperty?: string; additionalProperty?: string } | undefined;
      const key = params?.additionalProperty ?? params?.missingProperty;
      const field = (key !== undefined ? `${first?.instancePath ?? ''}/${escapeKey(key)}` : first?.instancePath) || '/';
      const reason = params?.additionalProperty !== undefined ? 'is not a known field' : (first?.message ?? 'is invalid');
      return sendProblem(reply, fieldProblem(field, reason));
    }
    const unavailable = databaseUnavailable(error);
    if (unavailable !== undefined) {
      request.log.warn({ err: error }, unavailable.message);
      return sendProblem(reply.header('retry-after', String(unavailable.retryAfter)), unavailable);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendProblem(reply, { status, error: status === 429 ? 'rate_limited' : 'bad_request', message: error.message });
    request.log.error({ err: error }, 'tenancy request failed');
    return sendProblem(reply, { status: 500, error: 'internal_error', message: 'internal server error' });
  });
}
