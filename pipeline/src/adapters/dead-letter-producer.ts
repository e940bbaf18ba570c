// The dead-letter topic: the original key and bytes, with why and where they came from in headers.
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { RejectedRecord } from './postgres-sink.ts';

export interface DeadLetterProducer {
  connect(): Promise<void>;
  send(records: RejectedRecord[]): Promise<void>;
  close(): Promise<void>;
}

export function createDeadLetterProducer(kafka: Kafka, topic: string): DeadLetterProducer {
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  return {
    connect: () => producer.connect(),
    async send(records) {
      await producer.send({
        topic,
        acks: -1,
        messages: records.map((r) => ({
          key: r.key,
          value: r.value,
          headers: {
            'x-reject-reason': r.reason,
            'x-reject-detail': r.detail.slice(0, 1000),
            'x-source-topic': r.topic,
            'x-source-partition': String(r.partition),
            'x-source-offset': r.offset,
          },
        })),
      });
    },
    close: () => producer.disconnect(),
  };
}
