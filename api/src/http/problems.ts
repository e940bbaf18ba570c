// The query API's error answers, in the collector's JSON shape ({ success: false, error, message,
// errors: [{ field, message }] }). A 400 names the query parameter (`field: "tz"`); a project the
// caller may not read and one that does not exist get the same 404, so a key learns nothing about
// other tenants; a 5xx never shows internals.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { escapeKey } from '#contract';
import { BodyError, FASTIFY_BODY_ERRORS } from '../../../lib/http-body/json-body.ts';
import { API_BODY_LIMIT_BYTES, bodyField } from './json-body.ts';
import { databaseUnavailable } from '../../../lib/database-unavailable.ts';
import { useUnmatchedProblems } from '../../../lib/http-framework-errors.ts';
import { quoteIfShort } from '../../../lib/http-problem.ts';

export class ParameterError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`);
  }
}

export function sendProblem(reply: FastifyReply, status: number, error: string, message: string, field?: string) {
  return reply.code(status).send({ success: false, error, message, ...(field !== undefined ? { errors: [{ field, message }] } : {}) });
}

export const notFound = (reply: FastifyReply) => sendProblem(reply, 404, 'not_found', 'no such project, or not one this caller may read');

/**
 * The values a field with a fixed set accepts, from its validation errors: an `enum`, or a union
 * of literals (one `const` error per member, each at the same path). Empty for other errors.
 */
function allowedValues(errors: NonNullable<FastifyError['validation']>, path: string | undefined): unknown[] {
  const values = errors
    .filter((e) => e.instancePath === path)
    .flatMap((e) => {
      const p = e.params as { allowedValues?: unknown[]; allowedValue?: unknown };
      return e.keyword === 'enum' ? (p.allowedValues ?? []) : e.keyword === 'const' ? [p.allowedValue] : [];
    });
  return [...new Set(values)];
}

/** Why a value fails a `type` rule, with what the field is when its schema has a title ("must be string (an ISO 8601 duration)"), or a `pattern` rule its title describes. */
function typeMessage(error: NonNullable<FastifyError['validation']>[number]): string | undefined {
  const title = (error as { parentSchema?: { title?: unknown } }).parentSchema?.title;
  // A pattern is said in words when the schema gives them (e.g. an event type's rule).
  if (error.keyword === 'pattern' && typeof title === 'string') return `must be ${title}`;
  if (error.keyword !== 'type') return undefined;
  return `must be ${(error.params as { type?: string }).type ?? 'of another type'}${typeof title === 'string' ? ` (${title})` : ''}`;
}

/**
 * A body's own fault (bytes, JSON text, unstorable text, a key given twice): the collector's codes,
 * but a value or key at fault is an invalid_parameter named as the API names fields, "<field>: <reason>".
 */
function bodyProblem(reply: FastifyReply, error: BodyError) {
  const field = bodyField(error.field);
  if (error.code === 'validation_failed') return sendProblem(reply, 400, 'invalid_parameter', `${field}: ${error.message}`, field);
  return sendProblem(reply, error.statusCode, error.code, error.message, field);
}

/** PostgreSQL's "canceling statement due to statement timeout". */
const QUERY_CANCELED = '57014';

export function registerApiErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ParameterError) return sendProblem(reply, 400, 'invalid_parameter', error.message, error.parameter);
    if (error instanceof BodyError) return bodyProblem(reply, error);
    const fastifyBodyError = FASTIFY_BODY_ERRORS[error.code];
    if (fastifyBodyError !== undefined) {
      const { status, error: code } = fastifyBodyError;
      const message =
        status === 413
          ? `body exceeds ${API_BODY_LIMIT_BYTES} bytes`
          : status === 415
            ? `content type ${quoteIfShort(request.headers['content-type'] ?? '') ?? '(not repeated: too long or unprintable)'} is not supported; send application/json`
            : error.message;
      return sendProblem(reply, status, code, message, status === 415 ? 'Content-Type' : 'body');
    }
    if (error.validation !== undefined) {
      const first = error.validation[0];
      const params = first?.params as { additionalProperty?: string; missingProperty?: string } | undefined;
      // The body as a whole (an array, null) is named "body", as a body's own faults are.
      const root = error.validationContext === 'body' ? 'body' : '';
      const at = first?.instancePath.replace(/^\//, '') ?? '';
      const key = params?.additionalProperty ?? params?.missingProperty;
      // A key is one pointer segment, escaped as every service names a key (contract/stored-text.ts).
      const property = key === undefined || error.validationContext !== 'body' ? key : escapeKey(key);
      // A nested property is named by its whole path (steps/0/colour), a top-level one alone.
      const field = property !== undefined ? (at === '' ? property : `${at}/${property}`) : at || root;
      const allowed = allowedValues(error.validation, first?.instancePath);
      // A parameter repeated in the query string arrives as an array: say so, not "must be string".
      const sent = error.validationContext === 'querystring' && field !== '' ? (request.query as Record<string, unknown> | undefined)?.[field] : undefined;
      const message =
        params?.additionalProperty !== undefined
          ? `${field}: is not a known parameter`
          : params?.missingProperty !== undefined
            ? `${field}: is required`
          : Array.isArray(sent)
            ? `${field}: was given ${sent.length} times; send it once`
          : allowed.length > 0
            ? `${field || error.validationContext}: must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
            : `${field || error.validationContext}: ${(first && typeMessage(first)) ?? first?.message ?? 'is invalid'}`;
      return sendProblem(reply, 400, 'invalid_parameter', message, field || undefined);
    }
    if ((error as { code?: string }).code === QUERY_CANCELED) {
      request.log.warn({ err: error, url: request.url }, 'report exceeded the query timeout');
      return sendProblem(reply.header('retry-after', '5'), 503, 'query_timeout', 'the report took too long; narrow the range or the filters');
    }
    const unavailable = databaseUnavailable(error);
    if (unavailable !== undefined) {
      request.log.warn({ err: error, url: request.url }, unavailable.message);
      return sendProblem(reply.header('retry-after', String(unavailable.retryAfter)), 503, unavailable.error, unavailable.message);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendProblem(reply, status, status === 429 ? 'rate_limited' : 'bad_request', error.message);
    request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, 500, 'internal_error', 'internal server error');
  });
  useUnmatchedProblems(app);
}
