// Every error leaves as the same JSON shape. 4xx say what is wrong; 5xx never show internals
// (the detail goes to the log with the request id).
import type { FastifyError, FastifyInstance } from 'fastify';
import { errorBody } from './responses.ts';
import { BodyError } from './body-parser.ts';
import type { CollectorMetrics } from '../metrics.ts';

const BY_CODE: Record<string, { status: number; error: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, error: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, error: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, error: 'invalid_content_length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, error: 'invalid_json' },
};

export function registerErrorHandlers(app: FastifyInstance, metrics: CollectorMetrics, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError | { statusCode?: number; error?: string; message?: string }, request, reply) => {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    const mapped = code !== undefined ? BY_CODE[code] : undefined;
    const status = mapped?.status ?? error.statusCode ?? 500;
    if (status === 429) {
      metrics.eventsRejected.inc({ reason: 'rate_limited' });
      return reply.code(429).send(errorBody('rate_limited', error.message ?? 'too many requests'));
    }
    if (error instanceof BodyError) {
      metrics.eventsRejected.inc({ reason: error.code });
      return reply.code(error.statusCode).send(errorBody(error.code, error.message, [{ field: error.field, message: error.message }]));
    }
    if (mapped !== undefined) {
      metrics.eventsRejected.inc({ reason: mapped.error });
      const message =
        mapped.status === 413
          ? `body exceeds ${bodyLimit} bytes`
          : mapped.status === 415
            ? `content type ${JSON.stringify(request.headers['content-type'] ?? '')} is not supported; send application/json or text/plain`
            : (error.message ?? mapped.error);
      return reply.code(mapped.status).send(errorBody(mapped.error, message));
    }
    if (status >= 400 && status < 500) return reply.code(status).send(errorBody('bad_request', error.message ?? 'bad request'));
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(errorBody('internal_error', 'internal server error'));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)));
}
