// The one writer of Kafka record values: a CollectedEvent as canonical JSON, its fields in the
// contract's order (CollectedEvent's properties, as declared), each value as JSON.stringify writes
// it. Still plain JSON for kafka-console-consumer; the fixed form lets the loader prove a record is
// untouched collector output by writing it again (canonical-read.ts). Values never change: only the
// order of the top-level fields differs from JSON.stringify(event).
import { CollectedEvent } from './event-schema.ts';

/** Kafka header naming the contract version a canonical record was written for. */
export const CONTRACT_VERSION_HEADER = 'analytics-contract';
/** Bump when CollectedEvent changes: the loader reads other versions on its full path. */
export const CONTRACT_VERSION = '1';

/** Top-level fields in canonical order. */
export const CANONICAL_FIELDS: readonly string[] = Object.keys(CollectedEvent.properties);

/**
 * The canonical JSON text of `event`: contract fields only, in CANONICAL_FIELDS order, absent
 * (undefined) ones left out. Any other property of the object is not written.
 *
 * Written by one JSON.stringify of an object whose properties were added in that order (string
 * keys that are not array indexes keep insertion order, and JSON.stringify writes each value as
 * it writes it alone): the same text as appending `"name":` and JSON.stringify(value) per field,
 * but one flat string instead of a concatenation of ~75 pieces, a sixth of the garbage per event
 * (bench/HISTORY.md § 27).
 */
export function writeCanonicalRecord(event: CollectedEvent): string {
  const source = event as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (let i = 0; i < CANONICAL_FIELDS.length; i++) {
    const name = CANONICAL_FIELDS[i]!;
    const value = source[name];
    if (value !== undefined) ordered[name] = value;
  }
  return JSON.stringify(ordered);
}
