// How a stream's outcome is answered over gRPC: the status code, its details, and the summary
// (the response message on OK, the `x-ingest-summary` trailer otherwise). Pure.
//
// Retry information: a status the client should retry (UNAVAILABLE) carries the trailer
// `grpc-retry-pushback-ms` (gRFC A6, the standard one grpc clients' retry policies honour) with
// the delay in milliseconds; the client resumes with the message after `last_acked_line`.
import { status } from '@grpc/grpc-js';
import { escapeLoneSurrogates } from '#contract';
import type { StreamOutcome, StreamSummary } from '../events/ingest-stream.ts';

/** The source stopped because the client sent nothing for `ms` milliseconds. */
export class IdleTimeout extends Error {
  override name = 'IdleTimeout';
  constructor(readonly ms: number) {
    super(`no message for ${ms} ms`);
  }
}

export interface CallAnswer {
  code: status;
  details: string;
  summary: StreamSummary;
  /** Set on statuses worth retrying: the delay before the retry (ms). */
  retryPushbackMs?: number;
}

export const SUMMARY_TRAILER = 'x-ingest-summary';

const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/g;
const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Text a proto3 `string` can carry: each lone UTF-16 surrogate written as its JSON escape
 * (`\ud800`, six characters). A refused key can hold one; UTF-8 has no encoding for it, and
 * protobufjs would write bytes a strict decoder refuses for the whole message.
 */
export function protoText(text: string): string {
  return escapeLoneSurrogates(text);
}

/** The summary as the IngestSummary message: error fields and messages as protoText. */
export function summaryMessage(summary: StreamSummary): StreamSummary {
  return { ...summary, errors: summary.errors.map((e) => ({ ...e, field: protoText(e.field), message: protoText(e.message) })) };
}

/**
 * The summary as the x-ingest-summary trailer's value: its JSON with every character outside
 * printable ASCII escaped, since gRPC metadata values are printable ASCII (grpc-js throws on any
 * other); JSON.parse gives back the same summary.
 */
export function summaryTrailer(summary: StreamSummary): string {
  return JSON.stringify(summary).replace(NOT_PRINTABLE_ASCII, escape);
}
export const RETRY_PUSHBACK_TRAILER = 'grpc-retry-pushback-ms';

/** The answer of one stream; `retryAfterMs` is the pushback of an outage. */
export function answerOf(outcome: StreamOutcome, retryAfterMs: number): CallAnswer {
  const { summary } = outcome;
  const resume = `resume with message ${summary.last_acked_line + 1}`;
  switch (outcome.status) {
    case 'complete':
      if (summary.accepted === 0 && summary.rejected > 0) {
        return { code: status.INVALID_ARGUMENT, details: `all ${summary.rejected} messages were refused; see the ${SUMMARY_TRAILER} trailer`, summary };
      }
      return { code: status.OK, details: 'OK', summary };
    case 'unavailable': {
      const what = outcome.reason === 'visitor_salt_unavailable' ? 'visitor identity (its salt in the database)' : 'event storage (Kafka)';
      return { code: status.UNAVAILABLE, details: `${what} is temporarily unavailable; ${resume}`, summary, retryPushbackMs: retryAfterMs };
    }
    case 'too_many_events':
      return { code: status.RESOURCE_EXHAUSTED, details: `a stream carries at most ${outcome.limit} messages; ${resume} in a new stream`, summary };
    case 'source_failed':
      if (outcome.error instanceof IdleTimeout) return { code: status.DEADLINE_EXCEEDED, details: `${outcome.error.message}: the stream was answered and closed; ${resume}`, summary };
      return { code: status.CANCELLED, details: `the stream failed: ${(outcome.error as Error | undefined)?.message ?? String(outcome.error)}`, summary };
  }
}
