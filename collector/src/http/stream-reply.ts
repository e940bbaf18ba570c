// Turns a stream's outcome (events/ingest-stream.ts) into the HTTP answer of the NDJSON route. Every
// answer carries the summary, so a client knows what was stored and resumes after last_acked_line.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StreamOutcome, StreamSummary } from '../events/ingest-stream.ts';
import type { CollectorMetrics } from '../metrics.ts';
import { NdjsonSourceError } from './ndjson-source.ts';

const SummaryFields = {
  accepted: Type.Integer({ description: 'Events acknowledged by Kafka' }),
  rejected: Type.Integer({ description: 'Lines refused (all of them counted)' }),
  errors: Type.Array(
    Type.Object({
      line: Type.Integer({ description: 'Line number, 1-based (blank lines count)' }),
      field: Type.String({ description: 'JSON Pointer of the offending field within the line\'s event, e.g. /page_url' }),
      message: Type.String(),
    }),
    { description: 'The first 100 refusals, by line' },
  ),
  last_acked_line: Type.Integer({ description: 'Every line up to this one was acknowledged by Kafka or refused; resend from the next one. 0 when none was.' }),
};

/** 200: the stream was read to its end (some lines may be refused). */
export const StreamSummaryBody = Type.Object(SummaryFields, { $id: 'StreamSummary' });

/** 4xx/5xx that stopped or refused a stream: the error and what was stored before it. */
export const StreamErrorBody = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.String({ description: 'validation_failed, line_too_long, too_many_events, stream_idle, invalid_gzip, gzip_without_content_encoding, kafka_unavailable, visitor_salt_unavailable' }),
    message: Type.String(),
    ...SummaryFields,
  },
  { $id: 'StreamError' },
);

export interface StreamReplyContext {
  request: FastifyRequest;
  reply: FastifyReply;
  metrics: CollectorMetrics;
  retryAfterSeconds: number;
  /** The line read last (the one over a limit when one stopped the stream). */
  line: number;
}

type Answer = { status: number; error?: string; message?: string; outcome: string };

/** Status, error code and message of an outcome. */
function streamAnswer(outcome: StreamOutcome, line: number): Answer {
  const { summary } = outcome;
  switch (outcome.status) {
    case 'complete':
      if (summary.accepted === 0 && summary.rejected > 0) {
        return { status: 400, error: 'validation_failed', message: `every line was refused (${summary.rejected}); see errors[] for each line`, outcome: 'invalid' };
      }
      return { status: 200, outcome: 'complete' };
    case 'unavailable':
      return outcome.reason === 'visitor_salt_unavailable'
        ? { status: 503, error: outcome.reason, message: `visitor identity is temporarily unavailable; resend from line ${summary.last_acked_line + 1}`, outcome: 'unavailable' }
        : { status: 503, error: 'kafka_unavailable', message: `event storage is temporarily unavailable; resend from line ${summary.last_acked_line + 1}`, outcome: 'unavailable' };
    case 'too_many_events':
      return { status: 413, error: 'too_many_events', message: `line ${line}: a stream carries at most ${outcome.limit} events (STREAM_MAX_EVENTS); send the rest in another stream`, outcome: 'too_many_events' };
    case 'source_failed': {
      const stop = outcome.error instanceof NdjsonSourceError ? outcome.error.stop : undefined;
      switch (stop?.kind) {
        case 'line_too_long':
          return { status: 413, error: 'line_too_long', message: `line ${stop.line} is longer than ${stop.limitBytes} bytes (STREAM_MAX_LINE_BYTES)`, outcome: 'line_too_long' };
        case 'too_many_lines':
          return { status: 413, error: 'too_many_events', message: `line ${line}: a stream carries at most ${stop.limit} events, counted as lines, blank ones included (STREAM_MAX_EVENTS); send the rest in another stream`, outcome: 'too_many_events' };
        case 'idle':
          return { status: 408, error: 'stream_idle', message: `nothing received for ${stop.ms} ms (STREAM_IDLE_TIMEOUT_MS); the stream was closed after line ${line}`, outcome: 'idle' };
        case 'invalid_gzip':
          return { status: 400, error: 'invalid_gzip', message: `the gzip body is corrupt (${stop.message}); lines up to ${summary.last_acked_line} are answered: resend from line ${summary.last_acked_line + 1} in a sound body`, outcome: 'invalid_gzip' };
        case 'gzip_without_encoding':
          return { status: 415, error: 'gzip_without_content_encoding', message: 'the body is gzip-compressed but the request has no Content-Encoding: send Content-Encoding: gzip', outcome: 'gzip_without_content_encoding' };
        case 'aborted':
          return { status: 400, error: 'client_aborted', message: 'the client closed the stream before its end', outcome: 'aborted' };
        default:
          return { status: 500, error: 'internal_error', message: 'internal server error', outcome: 'error' };
      }
    }
  }
}

export function sendStreamOutcome(outcome: StreamOutcome, ctx: StreamReplyContext) {
  const { request, reply, metrics, summary } = { ...ctx, summary: outcome.summary };
  const answer = streamAnswer(outcome, ctx.line);
  metrics.streams.inc({ transport: 'ndjson', outcome: answer.outcome });
  if (answer.outcome === 'aborted') {
    // Nobody is left to read the answer; what was acknowledged stays stored.
    request.log.info({ accepted: summary.accepted, last_acked_line: summary.last_acked_line }, 'ndjson stream: the client went away mid-stream');
  } else if (answer.status === 500) {
    request.log.error({ err: outcome.status === 'source_failed' ? outcome.error : undefined }, 'ndjson stream failed');
  }
  if (answer.status === 503) reply.header('retry-after', String(ctx.retryAfterSeconds));
  const body: StreamSummary | (StreamSummary & { success: false; error: string; message: string }) =
    answer.error === undefined ? summary : { success: false, error: answer.error, message: answer.message!, ...summary };
  return reply.code(answer.status).send(body);
}
