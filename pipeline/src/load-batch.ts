// One batch of Kafka records -> rows and rejects -> dead-letter topic, then one database
// transaction. The caller commits offsets only after this resolves, so a crash replays, never skips.
import type { RejectedRecord, PostgresSink, WriteResult } from './adapters/postgres-sink.ts';
import type { DeadLetterProducer } from './adapters/dead-letter-producer.ts';
import type { EventRow } from './steps/normalize-event.ts';
import { processMessage } from './steps/process-message.ts';
import type { Metrics } from './metrics.ts';

export interface KafkaRecord {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  timestamp: string;
}

export interface BatchResult extends WriteResult {
  deadLettered: number;
}

export function splitBatch(topic: string, partition: number, records: KafkaRecord[], metrics?: Metrics) {
  const rows: EventRow[] = [];
  const rejected: RejectedRecord[] = [];
  for (const m of records) {
    const { outcome, normalized } = processMessage(m.value, { topic, partition, offset: m.offset, timestamp: m.timestamp, key: m.key });
    if (outcome.ok) {
      rows.push(outcome.value);
      if (normalized) metrics?.normalized.inc();
    } else {
      rejected.push({ reason: outcome.reason, detail: outcome.detail, topic, partition, offset: m.offset, key: m.key, value: m.value });
    }
  }
  return { rows, rejected };
}

export async function loadBatch(
  deps: { sink: PostgresSink; deadLetter: DeadLetterProducer },
  split: { rows: EventRow[]; rejected: RejectedRecord[] },
): Promise<BatchResult> {
  // Dead letters are produced before the transaction: a crash in between re-sends them (at least
  // once) while the rejected table keeps one row per Kafka position.
  if (split.rejected.length > 0) await deps.deadLetter.send(split.rejected);
  const result = await deps.sink.write(split.rows, split.rejected);
  return { ...result, deadLettered: split.rejected.length };
}
