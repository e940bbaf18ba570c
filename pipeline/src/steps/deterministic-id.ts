// UUIDv5 (RFC 9562, SHA-1 name-based). A message without an event_id gets one derived from its
// Kafka position, so replaying the same record yields the same id and the database drops it.
import { createHash } from 'node:crypto';

/** Namespace of this project's derived ids (a fixed random UUID). */
export const PIPELINE_NAMESPACE = '5b0d7a53-3f0c-4f0e-9a57-0c9f2f6a1d42';

export function uuidV5(name: string, namespace = PIPELINE_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface KafkaPosition {
  topic: string;
  partition: number;
  offset: string;
}

export function idFromPosition(p: KafkaPosition): string {
  return uuidV5(`kafka:${p.topic}/${p.partition}/${p.offset}`);
}

/** A producer's own non-UUID id is kept stable the same way, so its retries still deduplicate. */
export function idFromForeignId(id: string): string {
  return uuidV5(`id:${id}`);
}
