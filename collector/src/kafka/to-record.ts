// The Kafka record for one collected event: keyed by session so a session's events stay in
// order on one partition, stamped with receipt time (never the client's clock).
import type { CollectedEvent } from '#contract';

export interface EventRecord {
  key: string;
  value: string;
  timestamp: string;
}

export function toRecord(event: CollectedEvent): EventRecord {
  return {
    key: event.session_id ?? event.event_id,
    value: JSON.stringify(event),
    timestamp: String(Date.parse(event.received_at)),
  };
}
