// UUIDv5 (RFC 9562, SHA-1 name-based). A message without an event_id gets one derived from its
// Kafka position, so replaying the same record yields the same id and the database drops it.
import { v5 as uuidV5 } from 'uuid';

/** Namespace of this project's derived ids (a fixed random UUID). */
const PIPELINE_NAMESPACE = '5b0d7a53-3f0c-4f0e-9a57-0c9f2f6a1d42';

export interface KafkaPosition {
  topic: string;
  partition: number;
  offset: string;
}

export function idFromPosition(p: KafkaPosition): string {
  return uuidV5(`kafka:${p.topic}/${p.partition}/${p.offset}`, PIPELINE_NAMESPACE);
}

/** A producer's own non-UUID id is kept stable the same way, so its retries still deduplicate. */
export function idFromForeignId(id: string): string {
  return uuidV5(`id:${id}`, PIPELINE_NAMESPACE);
}

/**
 * A new visit's id: UUIDv5 of its project, visitor and first event, so a batch retried after a
 * crash (or replayed) assigns the same ids.
 */
export function visitIdFor(projectId: string, visitorId: string, eventId: string): string {
  return uuidV5(`visit:${projectId}/${visitorId}/${eventId}`, PIPELINE_NAMESPACE);
}
