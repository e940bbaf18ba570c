// The ports loadBatch (load-batch.ts) writes through; the PostgreSQL and dead-letter adapters
// implement them, and tests can stand in for either.
import type { EventRow } from './steps/normalize-event.ts';

/** A Kafka record refused by a step or by the database, with where it came from. */
export interface RejectedRecord {
  reason: string;
  detail: string;
  /** The record's project when known (see processMessage), else null. */
  projectId: string | null;
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

export interface WriteResult {
  inserted: number;
  duplicates: number;
}

/** Where a chunk ends in Kafka: its topic and last offset (for the "stored" notice, lib/stored-notice.ts). */
export interface ChunkEnd {
  topic: string;
  offset: string;
}

/**
 * Stores a batch's rows (dropping events already stored), their visits and counters, and its
 * rejects in one transaction. Rows are in Kafka offset order; `partition` is the Kafka partition
 * they were read from (the shard of the counters this loader owns). With `end`, the commit also
 * notifies that the partition is stored through that offset.
 */
export interface BatchStore {
  write(rows: EventRow[], rejected: RejectedRecord[], partition: number, end?: ChunkEnd): Promise<WriteResult>;
}

/** Sends rejected records, original bytes and all, to the dead-letter topic. */
export interface DeadLetterSink {
  send(records: RejectedRecord[]): Promise<void>;
}
