// POST /api/v1/events/stream: server events as NDJSON (one JSON event per line, optionally gzip),
// read line by line as they arrive and ingested through the streaming core shared with gRPC
// (events/ingest-stream.ts → the one collect use case). Authenticated like POST /api/v1/events
// before a byte of the body is read; one key holds at most STREAM_MAX_PER_KEY streams at once.
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ServerEvent } from '#contract';
import type { CollectorConfig } from '../config.ts';
import { sendContinue } from '../http/expect-continue.ts';
import { lingerOnClose } from '../http/linger-close.ts';
import { countAnswered } from '../metrics.ts';
import { ingestStream } from '../events/ingest-stream.ts';
import type { StreamSlots } from '../events/stream-slots.ts';
import { ndjsonCoding, NDJSON_MEDIA_TYPE } from '../http/ndjson-request.ts';
import { NdjsonSource } from '../http/ndjson-source.ts';
import { ErrorBody, errorBody } from '../http/responses.ts';
import { sendStreamOutcome, StreamErrorBody, StreamSummaryBody } from '../http/stream-reply.ts';
import { serverAssignment } from '../projects/server-assignment.ts';
import { keyedIngestRoute, RULES, type ServerRouteOptions } from './server-events.ts';

/** Refusals listed in a stream's summary (all are counted). */
const MAX_ERRORS = 100;

export interface StreamRouteOptions extends ServerRouteOptions {
  /** The app's one StreamSlots (app.ingestion.streamSlots), shared with the gRPC transport: one budget per key. */
  slots: StreamSlots;
  stream: Pick<CollectorConfig, 'streamMaxLineBytes' | 'streamMaxEvents' | 'streamIdleTimeoutMs' | 'streamChunkSize' | 'streamMaxInFlight' | 'streamLingerMs'>;
}

interface NdjsonBody {
  payload: Readable;
  gzip: boolean;
}

/** How long a connection answered before its body's end stays open for the client to read the answer (ms). */
const LINGER_MS = 2000;

/** The NDJSON route's path (its 100 Continue is deferred: http/expect-continue.ts). */
export const STREAM_PATH = '/api/v1/events/stream';

export async function streamEventRoutes(app: FastifyInstance, opts: StreamRouteOptions): Promise<void> {
  const { collect, metrics, slots, stream } = opts;
  // This plugin's own parsers (encapsulated): the body is handed over as a stream, unread and
  // without Fastify's bodyLimit (the line length and events-per-stream limits bound it instead).
  // The headers are judged here, before the handler reads a byte: 415 naming what was sent.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => {
    try {
      const { gzip } = ndjsonCoding(request.headers);
      done(null, { payload, gzip } satisfies NdjsonBody);
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  // Any answer before the body's end (a refused key, a limit, an outage): the rest of the body must
  // not stay in the socket, nor be read and discarded by Node to keep the connection alive.
  app.addHook('onSend', async (request, reply) => {
    if (request.raw.readableEnded) return;
    reply.header('connection', 'close');
    lingerOnClose(request.raw.socket, LINGER_MS);
  });
  const base = keyedIngestRoute(opts, {
    summary: 'Stream server-side events as NDJSON (secret key, ingest scope)',
    description:
      `Body: ${NDJSON_MEDIA_TYPE} (UTF-8), one event per line (the ServerEvent schema, as in POST /api/v1/events), optionally Content-Encoding: gzip. ` +
      'Read as it arrives, never buffered whole; events are acknowledged by Kafka in chunks and the answer comes after the last one. ' +
      `Every answer carries the summary; errors[] lists the first ${MAX_ERRORS} refused lines. Resend from last_acked_line + 1: with your own event_id per line a resend is idempotent. ` +
      `Limits: a line of at most STREAM_MAX_LINE_BYTES (${stream.streamMaxLineBytes}) bytes, STREAM_MAX_EVENTS (${stream.streamMaxEvents}) events, STREAM_IDLE_TIMEOUT_MS (${stream.streamIdleTimeoutMs}) ms without data, STREAM_MAX_PER_KEY (${slots.limit}) open streams per key. ` +
      '200: read to its end; 400: every line refused (validation_failed), corrupt gzip (invalid_gzip); 401/403/404 as POST /api/v1/events; 408: idle (stream_idle); ' +
      '413: a line too long (line_too_long) or too many events (too_many_events); 415: another content type, charset or coding, or a gzip body without Content-Encoding (gzip_without_content_encoding); 429: the key\'s rate limit or its open streams; ' +
      '503 + Retry-After: Kafka unavailable (kafka_unavailable), answered as soon as the outage is seen.',
    body: ServerEvent,
  });
  app.post(
    STREAM_PATH,
    {
      ...base,
      schema: {
        ...base.schema,
        consumes: [NDJSON_MEDIA_TYPE],
        response: {
          200: StreamSummaryBody,
          400: StreamErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          408: StreamErrorBody,
          413: StreamErrorBody,
          415: ErrorBody,
          429: ErrorBody,
          503: StreamErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { project, principal } = request.ingestIdentity!;
      // No body and no Content-Type: no parser ran; refused as any other type would be.
      if (request.body === undefined) ndjsonCoding(request.headers);
      if (!slots.acquire(principal.keyId)) {
        metrics.streams.inc({ transport: 'ndjson', outcome: 'too_many_streams' });
        const message = `this key already has ${slots.limit} open streams (STREAM_MAX_PER_KEY); send after one of them ends`;
        return reply
          .code(429)
          .header('connection', 'close')
          .header('retry-after', String(opts.retryAfterSeconds))
          .send(errorBody('too_many_streams', message, [{ field: 'X-API-Key', message }]));
      }
      // Key, project and slot granted: now the client may send the body it held back.
      sendContinue(request, reply);
      try {
        const body = request.body as NdjsonBody;
        const source = new NdjsonSource(body.payload, { gzip: body.gzip, maxLineBytes: stream.streamMaxLineBytes, idleTimeoutMs: stream.streamIdleTimeoutMs, maxLines: stream.streamMaxEvents });
        const outcome = await ingestStream(source, {
          collect,
          rules: RULES,
          assign: serverAssignment(project),
          chunkSize: stream.streamChunkSize,
          lingerMs: stream.streamLingerMs,
          maxInFlight: stream.streamMaxInFlight,
          maxEvents: stream.streamMaxEvents,
          maxErrors: MAX_ERRORS,
          onAnswered: countAnswered(metrics),
        });
        return sendStreamOutcome(outcome, { request, reply, metrics, retryAfterSeconds: opts.retryAfterSeconds, line: source.line });
      } finally {
        slots.release(principal.keyId);
      }
    },
  );
}
