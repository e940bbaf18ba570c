// The dead-letter topic: the original key and bytes, with why and where they came from in headers.
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import type { DeadLetterSink, RejectedRecord } from '../batch-ports.ts';

export interface DeadLetterProducer extends DeadLetterSink {
  connect(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Bytes per produce request. The broker refuses a record batch over message.max.bytes (1 MiB by
 * default), and one refused request is retried forever, stalling the partition: two near-1 MiB
 * poison records fetched together did exactly that. A larger record goes alone.
 */
export const DLQ_REQUEST_BYTES = 256 * 1024;

function toMessage(r: RejectedRecord): Message {
  return {
    key: r.key,
    value: r.value,
    headers: {
      'x-reject-reason': r.reason,
      'x-reject-detail': r.detail.slice(0, 1000),
      'x-source-topic': r.topic,
      'x-source-partition': String(r.partition),
      'x-source-offset': r.offset,
      // Absent when the record's project is unknown (see processMessage).
      ...(r.projectId === null ? {} : { 'x-project-id': r.projectId }),
    },
  };
}

/** Splits records into produce requests of at most `limit` bytes (approximate; a bigger record alone). */
export function requestGroups(records: RejectedRecord[], limit = DLQ_REQUEST_BYTES): RejectedRecord[][] {
  const groups: RejectedRecord[][] = [];
  let current: RejectedRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = (r.key?.length ?? 0) + (r.value?.length ?? 0) + Math.min(r.detail.length, 1000) * 3 + 200;
    if (current.length > 0 && bytes + size > limit) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

export function createDeadLetterProducer(kafka: Kafka, topic: string): DeadLetterProducer {
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  return {
    connect: () => producer.connect(),
    async send(records) {
      for (const group of requestGroups(records)) await producer.send({ topic, acks: -1, messages: group.map(toMessage) });
    },
    close: () => producer.disconnect(),
  };
}
