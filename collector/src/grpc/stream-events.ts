// analytics.v1.Ingest/StreamEvents: a client stream of Event messages through the collector's one
// streaming core (events/ingest-stream.ts), the same validation, enrichment and Kafka
// acknowledgement as POST /api/v1/events, answered once with an IngestSummary.
//
// Statuses: UNAUTHENTICATED (no, unknown, revoked or expired key), PERMISSION_DENIED (no ingest
// scope), NOT_FOUND (a project the key cannot see), INVALID_ARGUMENT (two keys, an organization
// key without x-project, or every message refused: summary in the x-ingest-summary trailer),
// RESOURCE_EXHAUSTED (the key holds streamMaxPerKey streams; or more than streamMaxEvents messages,
// with the summary), UNAVAILABLE (projects not loaded yet, or Kafka down: with the summary and
// grpc-retry-pushback-ms), DEADLINE_EXCEEDED (no message for streamIdleTimeoutMs: with the
// summary), OK (the IngestSummary).
import { Metadata, status, type handleClientStreamingCall } from '@grpc/grpc-js';
import { LIMITS, validateServerEvent } from '#contract';
import type { Logger } from '../../../lib/logger.ts';
import { authenticate, CONFLICTING_KEYS } from '../http/api-key.ts';
import type { IngestionCore } from '../app.ts';
import type { CollectorConfig } from '../config.ts';
import { countAnswered } from '../metrics.ts';
import { ingestStream } from '../events/ingest-stream.ts';
import { serverAssignment } from '../projects/server-assignment.ts';
import { callItems } from './call-items.ts';
import type { EventMessage, IngestSummaryMessage } from './ingest-proto.ts';
import { answerOf, RETRY_PUSHBACK_TRAILER, SUMMARY_TRAILER, summaryMessage, summaryTrailer, type CallAnswer } from './ingest-status.ts';

const RULES = { validate: validateServerEvent, maxBatch: LIMITS.serverBatchSize };
/** The same number of listed refusals as the NDJSON answer. */
const MAX_ERRORS = 100;

type StreamSettings = Pick<CollectorConfig, 'streamChunkSize' | 'streamLingerMs' | 'streamMaxInFlight' | 'streamMaxEvents' | 'streamIdleTimeoutMs' | 'retryAfterSeconds'>;

const GRPC_WORDING: Record<string, string> = {
  missing_api_key: 'send a secret key (sk_…) in metadata x-api-key',
  conflicting_api_keys: 'metadata x-api-key holds different keys; send one key',
  project_required: 'an organization-wide key must name the project: send metadata x-project: <project id>',
};

const HTTP_TO_GRPC = { 400: status.INVALID_ARGUMENT, 401: status.UNAUTHENTICATED, 403: status.PERMISSION_DENIED, 404: status.NOT_FOUND } as const;

export function streamEventsHandler(core: IngestionCore, settings: StreamSettings, logger: Logger): handleClientStreamingCall<EventMessage, IngestSummaryMessage> {
  const retryAfterMs = settings.retryAfterSeconds * 1000;
  return (call, callback) => {
    const refuse = (code: status, details: string, trailers?: Metadata) => callback({ code, details, metadata: trailers ?? new Metadata() });
    if (!core.directoryReady()) {
      core.metrics.eventsRejected.inc({ reason: 'projects_unavailable' });
      return refuse(status.UNAVAILABLE, 'projects and keys are not loaded yet (PostgreSQL unreachable since start); retry later', pushback(retryAfterMs));
    }
    const identity = authenticate(core.directory, 'ingest', presentedKey(call.metadata), single(call.metadata, 'x-project'));
    if (!('principal' in identity)) {
      core.metrics.eventsRejected.inc({ reason: identity.code });
      // The HTTP wording names ?project and headers; a gRPC client sends metadata.
      const details = GRPC_WORDING[identity.code] ?? identity.message;
      return refuse(HTTP_TO_GRPC[identity.status], details);
    }
    const { principal, project } = identity;
    if (!core.streamSlots.acquire(principal.keyId)) {
      core.metrics.eventsRejected.inc({ reason: 'too_many_streams' });
      core.metrics.streams.inc({ transport: 'grpc', outcome: 'too_many_streams' });
      return refuse(status.RESOURCE_EXHAUSTED, `this key already holds ${core.streamSlots.limit} open streams; finish one first`);
    }
    // The queue holds one chunk, so a chunk fills without waiting for grpc-js to resume the call.
    const source = callItems(call, { idleMs: settings.streamIdleTimeoutMs, highWater: settings.streamChunkSize });
    ingestStream(source, {
      collect: core.collect,
      rules: RULES,
      assign: serverAssignment(project),
      chunkSize: settings.streamChunkSize,
      lingerMs: settings.streamLingerMs,
      maxInFlight: settings.streamMaxInFlight,
      maxEvents: settings.streamMaxEvents,
      maxErrors: MAX_ERRORS,
      onAnswered: countAnswered(core.metrics),
    })
      .then((outcome) => {
        const answer = answerOf(outcome, retryAfterMs);
        core.metrics.streams.inc({ transport: 'grpc', outcome: outcomeOf(answer.code) });
        if (answer.code === status.CANCELLED) logger.info({ project: project.id, accepted: answer.summary.accepted, last_acked_line: answer.summary.last_acked_line }, 'gRPC stream: the client went away mid-stream');
        // UNAVAILABLE is this side failing (an HTTP 503): a warning with its reason, as the HTTP
        // routes log theirs. What the client sent wrong stays at debug.
        else if (answer.code !== status.OK) logger[answer.code === status.UNAVAILABLE ? 'warn' : 'debug']({ code: status[answer.code], details: answer.details, project: project.id, summary: { ...answer.summary, errors: undefined } }, 'gRPC stream answered with an error status');
        // A cancelled call has no one to answer; grpc-js ignores the callback then.
        send(callback, answer);
      })
      .catch((error: unknown) => {
        logger.error({ err: error, project: project.id }, 'gRPC stream failed');
        refuse(status.INTERNAL, 'internal error');
      })
      .finally(() => {
        source.close();
        core.streamSlots.release(principal.keyId);
      });
  };
}

/** The outcome label of collector_streams_total, the same words as the NDJSON route's. */
function outcomeOf(code: status): string {
  switch (code) {
    case status.OK:
      return 'complete';
    case status.INVALID_ARGUMENT:
      return 'invalid';
    case status.UNAVAILABLE:
      return 'unavailable';
    case status.RESOURCE_EXHAUSTED:
      return 'too_many_events';
    case status.DEADLINE_EXCEEDED:
      return 'idle';
    case status.CANCELLED:
      return 'aborted';
    default:
      return 'error';
  }
}

function send(callback: Parameters<handleClientStreamingCall<EventMessage, IngestSummaryMessage>>[1], answer: CallAnswer): void {
  if (answer.code === status.OK) return callback(null, summaryMessage(answer.summary));
  const trailers = answer.retryPushbackMs === undefined ? new Metadata() : pushback(answer.retryPushbackMs);
  trailers.set(SUMMARY_TRAILER, summaryTrailer(answer.summary));
  callback({ code: answer.code, details: answer.details, metadata: trailers });
}

function pushback(ms: number): Metadata {
  const trailers = new Metadata();
  trailers.set(RETRY_PUSHBACK_TRAILER, String(ms));
  return trailers;
}

/** One text value of a metadata key; undefined when absent or blank. */
function single(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key).find((v): v is string => typeof v === 'string' && v.trim() !== '');
  return value?.trim();
}

/** The key of `x-api-key` (one value, or the same value repeated); CONFLICTING_KEYS when it holds different keys. */
function presentedKey(metadata: Metadata): string | undefined | typeof CONFLICTING_KEYS {
  const keys = new Set(metadata.get('x-api-key').map((v) => String(v).trim()).filter((v) => v !== ''));
  if (keys.size > 1) return CONFLICTING_KEYS;
  return keys.values().next().value;
}
