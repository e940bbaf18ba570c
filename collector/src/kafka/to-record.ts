// The Kafka record for one collected event, stamped with receipt time (never the client's clock).
// Key: `<project_id>:<visitor_id>`, so each visitor's events stay in order on one partition and
// one loader assigns their visits without races (docs/metrics.md § Visit); two projects' visitors
// that happen to share an id never share a key. Events without a visitor id (none leave the
// collector so) fall back to the session, the anonymous id, the user id, then the event id.
// The value is the canonical JSON of the event (contract/canonical-record.ts), marked with the
// contract version so the loader can take its fast path.
import { CONTRACT_VERSION, CONTRACT_VERSION_HEADER, DEFAULT_PROJECT_ID, writeCanonicalRecord, type CollectedEvent } from '#contract';

export interface EventRecord {
  key: string;
  value: string;
  timestamp: string;
  /** Kafka record headers (e.g. the contract version of a canonical record); sent as given. */
  headers?: Record<string, string>;
}

// One shared object: kafkajs only reads it.
const CANONICAL_HEADERS: Readonly<Record<string, string>> = Object.freeze({ [CONTRACT_VERSION_HEADER]: CONTRACT_VERSION });

export function recordKey(event: CollectedEvent): string {
  return `${event.project_id ?? DEFAULT_PROJECT_ID}:${event.visitor_id ?? event.session_id ?? event.anonymous_id ?? event.user_id ?? event.event_id}`;
}

export function toRecord(event: CollectedEvent): EventRecord {
  return {
    key: recordKey(event),
    value: flat(writeCanonicalRecord(event)),
    timestamp: String(Date.parse(event.received_at)),
    headers: CANONICAL_HEADERS,
  };
}

/**
 * The record value as one flat string. The writer appends ~75 pieces, which V8 keeps as a tree of
 * concatenations (a node per `+`, the pieces alive beneath) until something reads the characters:
 * about 8.5 KB of heap for a 1.2 KB value instead of 1.3 KB. A record waits for Kafka in the
 * batcher and the client for tens to hundreds of ms, so under load thousands of trees survived
 * into the old generation (12 MB of concatenation nodes in a heap snapshot taken under 50
 * concurrent 100-event requests, bench/HISTORY.md § 23). Reading a character flattens the string
 * in place; the client would copy it flat when encoding anyway, so this moves the copy earlier.
 * Throws on a value that is not a JSON object (never written by writeCanonicalRecord).
 */
function flat(value: string): string {
  if (value.charCodeAt(0) !== 0x7b) throw new Error('a canonical record is a JSON object');
  return value;
}
