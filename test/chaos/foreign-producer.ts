// A second producer of the chaos run: another service writing straight to `analytics-events`,
// without the collector and without any time field (no timestamp, no received_at), so the
// pipeline takes each record's Kafka time, which differs between copies. Every record is produced
// more than once, the way an at-least-once producer resends after a lost acknowledgement: once
// before the load (half of them twice, a second apart) and once more after it, so the copies meet
// the pipeline in one batch and in batches minutes apart.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { TOPICS } from '#contract';
import type { Ledger } from './ledger.ts';

export interface ForeignProducer {
  /** Produces every record once, then the first half again a second later. */
  first(): Promise<void>;
  /** Produces every record once more. */
  again(): Promise<void>;
  /** Ids Kafka acknowledged (each at least twice once again() resolved). */
  readonly acked: Set<string>;
  /** Records written, copies included. */
  readonly produced: number;
}

export function foreignProducer(broker: string, count: number, ledger: Ledger): ForeignProducer {
  const kafka = new Kafka({ clientId: 'chaos-foreign-producer', brokers: [broker], logLevel: logLevel.NOTHING });
  const messages: Message[] = [];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const event = { event_id: id, event_type: 'page_view', page_url: `https://chaos.example/foreign/${i % 5}`, session_id: `foreign-session-${i % 13}`, metadata: { producer: 'foreign', seq: i } };
    ledger.record(id, { kind: 'foreign', eventType: event.event_type, pageUrl: event.page_url });
    ids.push(id);
    messages.push({ key: event.session_id, value: JSON.stringify(event) });
  }
  const acked = new Set<string>();
  let produced = 0;
  // A producer per phase: the broker is restarted between them.
  async function send(...ranges: [number, number][]): Promise<void> {
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    try {
      for (const [i, [from, to]] of ranges.entries()) {
        if (i > 0) await sleep(1100); // a later Kafka time, so the copy gets another "timestamp"
        await producer.send({ topic: TOPICS.events, acks: -1, messages: messages.slice(from, to) });
        produced += to - from;
        for (const id of ids.slice(from, to)) acked.add(id);
      }
    } finally {
      await producer.disconnect();
    }
  }
  return {
    acked,
    get produced() {
      return produced;
    },
    first: () => send([0, count], [0, Math.ceil(count / 2)]),
    again: () => send([0, count]),
  };
}
