// Turns a validated incoming event into the CollectedEvent written to Kafka. Pure: the clock,
// the id generator, the request's User-Agent and the assigned project come in as arguments (the
// user-agent cache of #enrichment only remembers parses).
import type { CollectedEvent, IncomingEvent, ServerEvent } from '#contract';
import { isUtf8 } from 'node:buffer';
import { DEFAULT_PROJECT_ID, IncomingEvent as IncomingEventSchema, LIMITS } from '#contract';
import { deriveEnrichment } from '#enrichment';

// Copied field by field from the contract's list: faster than object spread on this hot path,
// and only record fields can ever reach Kafka (a server event's `ip` never does).
const FIELDS = [...Object.keys(IncomingEventSchema.properties), 'user_id', 'anonymous_id'] as (keyof ServerEvent)[];

/** The project an event was assigned to by its route; the client never chooses it. */
export interface AssignedProject {
  projectId: string;
  /** Overrides the context's maxPastAgeMs (server-side backfill up to the project's retention). */
  maxPastAgeMs?: number | undefined;
}

export interface EnrichContext {
  receivedAt: Date;
  /** receivedAt as ISO-8601, computed once per request. */
  receivedAtIso?: string;
  userAgentHeader?: string | undefined;
  /**
   * The request came to the browser route: every browser sends a User-Agent, so an event with
   * none at all is a script's and is flagged as a bot. Server routes leave it unset (a backend's
   * event without a user agent is not a bot).
   */
  fromBrowser?: boolean | undefined;
  newId: () => string;
  maxFutureSkewMs: number;
  maxPastAgeMs: number;
}

export function enrichEvent(event: IncomingEvent | ServerEvent, ctx: EnrichContext, assigned?: AssignedProject): CollectedEvent {
  const receivedAt = ctx.receivedAtIso ?? ctx.receivedAt.toISOString();
  const out = {} as Record<string, unknown>;
  for (const key of FIELDS) {
    const value = (event as ServerEvent)[key];
    if (value !== undefined) out[key] = value;
  }
  out.project_id = assigned?.projectId ?? DEFAULT_PROJECT_ID;
  // A UUID's canonical form is lower-case (RFC 9562): stored, published and answered that way, so
  // the id a client gets back is the one in the database.
  out.event_id = event.event_id === undefined ? ctx.newId() : event.event_id.toLowerCase();
  out.timestamp = receivedAt;
  out.received_at = receivedAt;
  const userAgent = event.user_agent ?? cleanHeader(ctx.userAgentHeader);
  if (userAgent !== undefined) out.user_agent = userAgent;
  if (event.timestamp !== undefined) {
    const maxPastAgeMs = assigned?.maxPastAgeMs ?? ctx.maxPastAgeMs;
    const judged = judgeTimestamp(event.timestamp, ctx.receivedAt, { maxFutureSkewMs: ctx.maxFutureSkewMs, maxPastAgeMs });
    out.timestamp = judged.timestamp;
    if (judged.adjustment !== undefined) {
      out.timestamp_adjustment = judged.adjustment;
      out.client_timestamp = event.timestamp;
    }
  }
  addEnrichment(out, event, userAgent);
  if (userAgent === undefined && ctx.fromBrowser === true) out.is_bot = true;
  return out as CollectedEvent;
}

/**
 * The per-event fields of docs/metrics.md, derived here, once, at ingest: collectors scale out,
 * and the Kafka record then carries the values (bench/enrichment.ts measures the cost). Derived
 * from the user agent the record carries, the header's when the body had none.
 */
function addEnrichment(out: Record<string, unknown>, event: IncomingEvent | ServerEvent, userAgent: string | undefined): void {
  const derived = deriveEnrichment({
    event_type: event.event_type,
    page_url: event.page_url,
    referrer: event.referrer,
    user_agent: userAgent,
    screen_width: event.screen_width,
    metadata: event.metadata,
  });
  // Keys, not entries: no [key, value] array per field of every event.
  for (const key of Object.keys(derived)) {
    const value = derived[key as keyof typeof derived];
    if (value !== undefined) out[key] = value;
  }
}

export type TimestampJudgement =
  | { timestamp: string; adjustment?: undefined }
  | { timestamp: string; adjustment: 'clamped_future' | 'clamped_past' };

/**
 * Client clocks drift and can be set to anything. A timestamp far ahead would be rejected by
 * Kafka 4 (records > 1 h in the future) and would sit in dashboards' future; a very old one
 * would land in already-aggregated (or dropped) buckets. Both are clamped to receipt time and
 * the original is kept in client_timestamp.
 */
export function judgeTimestamp(
  clientTimestamp: string,
  receivedAt: Date,
  limits: { maxFutureSkewMs: number; maxPastAgeMs: number },
): TimestampJudgement {
  const client = Date.parse(clientTimestamp);
  const now = receivedAt.getTime();
  if (client - now > limits.maxFutureSkewMs) return { timestamp: receivedAt.toISOString(), adjustment: 'clamped_future' };
  if (now - client > limits.maxPastAgeMs) return { timestamp: receivedAt.toISOString(), adjustment: 'clamped_past' };
  // Normalised to UTC, so every timestamp has one shape, keeping microseconds beyond the
  // milliseconds a Date holds (Date.parse truncates them): nothing the client sent is lost.
  const iso = new Date(client).toISOString();
  const micros = /\.\d{3}(\d{1,3})/.exec(clientTimestamp)?.[1];
  return { timestamp: micros === undefined ? iso : `${iso.slice(0, -1)}${micros}Z` };
}

// The header is client-controlled too: keep it within the contract's limits and valid text.
// Node reads header bytes as Latin-1: a User-Agent sent in UTF-8 is decoded as UTF-8, so it is
// stored as the client wrote it, and cut on whole characters like every other text.
function cleanHeader(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let text = value;
  if (/[^\x20-\x7e]/.test(value)) {
    const bytes = Buffer.from(value, 'latin1');
    if (isUtf8(bytes)) text = bytes.toString('utf8');
  }
  // eslint-disable-next-line no-control-regex
  const stripped = text.replace(/[\u0000-\u001f\u007f]/g, '');
  const cleaned = (stripped.length <= LIMITS.userAgent ? stripped : [...stripped].slice(0, LIMITS.userAgent).join('')).trim();
  return cleaned.length > 0 ? cleaned : undefined;
}
