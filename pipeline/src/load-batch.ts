// One batch of Kafka records -> rows and rejects -> dead-letter topic, then one database
// transaction. The caller commits offsets only after this resolves, so a crash replays, never skips.
import type { BatchStore, ChunkEnd, DeadLetterSink, RejectedRecord, WriteResult } from './batch-ports.ts';
import type { EventRow } from './steps/normalize-event.ts';
import type { RecordHeaders } from './steps/canonical-row.ts';
import { processMessage } from './steps/process-message.ts';
import { dlq } from './steps/outcome.ts';
import type { Metrics } from './metrics.ts';

export interface KafkaRecord {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  timestamp: string;
  /** The contract-version mark of a canonical record selects the fast path (steps/canonical-row.ts). */
  headers?: RecordHeaders;
}

export interface BatchPorts {
  sink: BatchStore;
  deadLetter: DeadLetterSink;
}

export interface BatchResult extends WriteResult {
  /** Every record dead-lettered by this batch: by the steps, or refused by the database. */
  deadLettered: RejectedRecord[];
}

export interface SplitBatch {
  /** The Kafka partition the records came from. */
  partition: number;
  /** The chunk's topic and last offset; undefined for an empty chunk. */
  end?: ChunkEnd;
  /** In offset order: visits are assigned in that order. */
  rows: EventRow[];
  /** The record each row came from, for dead-lettering a row the database refuses. */
  sources: RejectedRecord[];
  rejected: RejectedRecord[];
}

/**
 * processMessage, with a throw turned into a dead letter: the steps are meant never to throw, but
 * one record that made them throw would otherwise stop the partition on every restart.
 */
export function processSafely(value: Buffer | null, ctx: Parameters<typeof processMessage>[1], headers?: RecordHeaders): ReturnType<typeof processMessage> {
  try {
    return processMessage(value, ctx, headers);
  } catch (error) {
    return { outcome: dlq('processing_failed', `the pipeline's steps threw: ${(error as Error).message}`), normalized: false, projectId: null };
  }
}

export function splitBatch(topic: string, partition: number, records: KafkaRecord[], metrics?: Metrics): SplitBatch {
  const last = records[records.length - 1];
  const split: SplitBatch = { partition, rows: [], sources: [], rejected: [], ...(last ? { end: { topic, offset: last.offset } } : {}) };
  for (const m of records) {
    const { outcome, normalized, projectId, canonical } = processSafely(m.value, { topic, partition, offset: m.offset, timestamp: m.timestamp, key: m.key }, m.headers);
    const source = { reason: '', detail: '', projectId, topic, partition, offset: m.offset, key: m.key, value: m.value };
    if (outcome.ok) {
      split.rows.push(outcome.value);
      split.sources.push(source);
      if (normalized) metrics?.normalized.inc();
      if (canonical === true) metrics?.canonical.inc();
    } else {
      split.rejected.push({ ...source, reason: outcome.reason, detail: outcome.detail });
    }
  }
  return split;
}

/**
 * SQLSTATE classes 22 (data exception) and 23 (integrity) mean this data, not the database, is the
 * problem; anything else (connection, disk, permissions) is retried with every row kept.
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

export async function loadBatch(deps: BatchPorts, split: SplitBatch): Promise<BatchResult> {
  // Dead letters are produced before the transaction: a crash in between re-sends them (at least
  // once) while the rejected table keeps one row per Kafka position.
  if (split.rejected.length > 0) await deps.deadLetter.send(split.rejected);
  try {
    const result = await deps.sink.write(split.rows, split.rejected, split.partition, split.end);
    return { ...result, deadLettered: split.rejected };
  } catch (error) {
    if (!isDataError(error) || split.rows.length === 0) throw error;
    return isolateRefusedRows(deps, split);
  }
}

// A row the steps let through but PostgreSQL refuses would stall its partition forever: write the
// rows one by one, in offset order, and dead-letter only the refused ones. Each row is its own
// transaction, so a refused row leaves no trace in any rollup. Rare, so simplicity beats speed here.
async function isolateRefusedRows(deps: BatchPorts, split: SplitBatch): Promise<BatchResult> {
  const total = { inserted: 0, duplicates: 0 };
  const refused: RejectedRecord[] = [];
  for (const [i, row] of split.rows.entries()) {
    try {
      const r = await deps.sink.write([row], [], split.partition);
      total.inserted += r.inserted;
      total.duplicates += r.duplicates;
    } catch (error) {
      if (!isDataError(error)) throw error;
      refused.push({ ...split.sources[i]!, reason: 'database_rejected', detail: (error as Error).message });
    }
  }
  if (refused.length > 0) await deps.deadLetter.send(refused);
  await deps.sink.write([], [...split.rejected, ...refused], split.partition, split.end);
  return { ...total, deadLettered: [...split.rejected, ...refused] };
}
