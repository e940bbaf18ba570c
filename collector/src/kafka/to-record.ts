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
    // One JSON.stringify: a flat string, about its own size in the heap while it is turned into
    // the bytes that wait for Kafka (to-record.test.ts; bench/HISTORY.md §§ 23, 27).
    value: writeCanonicalRecord(event),
    timestamp: String(Date.parse(event.received_at)),
    headers: CANONICAL_HEADERS,
  };
}
