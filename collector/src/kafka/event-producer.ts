// The collector's Kafka adapter: an idempotent @platformatic/kafka producer (acks=-1) behind a
// micro-batcher, with a readiness flag kept by disconnect events, failed sends and a periodic
// probe. While Kafka is down every publish answers `unavailable` at once; a background loop
// reconnects with a fresh producer, so the collector recovers by itself when the broker returns.
// This client costs less than half kafkajs' CPU per record (bench/producer-clients.ts).
import { Producer, compatibilityPartitioner, stringSerializers } from '@platformatic/kafka';
import type { CollectedEvent } from '#contract';
import { parseBrokers } from '../../../lib/kafka-brokers.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { EventPublisher, FlushObservation } from '../events/publisher.ts';
import { MicroBatcher } from './micro-batcher.ts';
import { toRecord, type EventRecord } from './to-record.ts';
import { withTimeout } from './with-timeout.ts';
import { waitForAck } from './ack-wait.ts';

/** The producer's settings, named as in the collector's configuration (which satisfies this). */
export interface ProducerSettings {
  /** Comma-separated host:port list. */
  kafkaBrokers: string;
  kafkaTopic: string;
  kafkaClientId: string;
  batchMaxRecords: number;
  batchMaxBytes: number;
  batchLingerMs: number;
  produceTimeoutMs: number;
  kafkaConnectTimeoutMs: number;
  kafkaRequestTimeoutMs: number;
  kafkaCheckIntervalMs: number;
}

class NotReadyError extends Error {
  override name = 'NotReadyError';
}

type StringProducer = Producer<string, string, string, string>;

/** Closes at once, dropping requests in flight; never rejects (a dead broker is the usual reason). */
function closeNow(p: StringProducer): Promise<void> {
  return new Promise((resolve) => p.close(true, () => resolve()));
}

/** The record as the client takes it: headers as Kafka record headers, the timestamp in ms. */
export function toMessage(topic: string, record: EventRecord) {
  return { topic, key: record.key, value: record.value, timestamp: BigInt(record.timestamp), headers: record.headers };
}

/**
 * The publisher the collector answers from: `publish` resolves ok only once every record of the
 * call is acknowledged by all in-sync replicas. `recordOf` turns an event into its Kafka record
 * (to-record.ts; replaceable so tests can send records with headers of their choosing).
 */
export function createKafkaEventProducer(config: ProducerSettings, logger: Logger, recordOf: (event: CollectedEvent) => EventRecord = toRecord): EventPublisher {
  const log = logger.child({ component: 'kafka-producer' });

  let producer: StringProducer | undefined;
  let ready = false;
  let closing = false;
  let checking = false;
  let lastAckAt = 0;
  const flushListeners: ((o: FlushObservation) => void)[] = [];
  const readyListeners: ((ready: boolean) => void)[] = [];

  const setReady = (value: boolean, why: string): void => {
    if (ready === value) return;
    ready = value;
    if (value) log.info({ brokers: config.kafkaBrokers, topic: config.kafkaTopic }, 'kafka ready');
    else log.warn({ why }, 'kafka not ready');
    for (const l of readyListeners) l(value);
  };

  const discard = (why: string): void => {
    const p = producer;
    producer = undefined;
    setReady(false, why);
    batcher.failPending(new NotReadyError(why));
    // Forced: the old client may be stuck retrying against a dead broker.
    if (p !== undefined) void closeNow(p);
  };

  const flush = async (records: EventRecord[]): Promise<void> => {
    const current = producer;
    if (current === undefined || !ready) throw new NotReadyError('kafka not ready');
    const started = process.hrtime.bigint();
    let ok = false;
    try {
      await withTimeout(current.send({ messages: records.map((r) => toMessage(config.kafkaTopic, r)) }), config.kafkaRequestTimeoutMs, 'produce');
      ok = true;
      lastAckAt = Date.now();
    } catch (error) {
      if (producer === current) discard(`produce failed: ${(error as Error).message}`);
      throw error;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      for (const l of flushListeners) l({ records: records.length, seconds, ok });
    }
  };

  const batcher = new MicroBatcher<EventRecord>(
    flush,
    { maxRecords: config.batchMaxRecords, maxBytes: config.batchMaxBytes, lingerMs: config.batchLingerMs },
    (r) => r.key.length + r.value.length + 64,
  );

  const open = async (): Promise<void> => {
    const p: StringProducer = new Producer({
      clientId: config.kafkaClientId,
      bootstrapBrokers: parseBrokers(config.kafkaBrokers),
      connectTimeout: config.kafkaConnectTimeoutMs,
      timeout: config.kafkaRequestTimeoutMs,
      // Bounded retries: an outage must become a quick 503, not a request hanging in retries.
      retries: 2,
      retryDelay: 100,
      idempotent: true,
      acks: -1,
      autocreateTopics: false,
      // Java-compatible murmur2 partitioning: any client producing the same key picks the same
      // partition (the library's default differs), so a visitor keeps the loader it had.
      partitioner: compatibilityPartitioner,
      serializers: stringSerializers,
    });
    const budget = config.kafkaConnectTimeoutMs * 3 + config.kafkaRequestTimeoutMs;
    try {
      // The topic must exist (auto-creation is off): a missing topic is "not ready", not a 500 later.
      await withTimeout(p.metadata({ topics: [config.kafkaTopic] }), budget, 'topic metadata');
      // The producer id and the connections to every broker now, so the first requests do not
      // wait for them (and time out on a cold broker).
      await withTimeout(p.initIdempotentProducer({ acks: -1 }), budget, 'producer id');
      await withTimeout(p.connectToBrokers(null), budget, 'broker connections');
    } catch (error) {
      void closeNow(p);
      throw error;
    }
    if (closing) {
      await closeNow(p);
      return;
    }
    // A closed connection is not yet an outage: the client reconnects on the next request, and
    // connections do close while the broker stays up. A probe at once tells the two apart; sends
    // in flight on the closed connection fail and discard the producer on their own.
    p.on('client:broker:disconnect', () => {
      if (producer === p && !closing) void probe(p, 'connection closed');
    });
    producer = p;
    // A fresh connection counts as progress, so the first sends get the full ack window.
    lastAckAt = Date.now();
    setReady(true, 'connected');
  };

  /** Fresh topic metadata from the broker, or the producer is discarded (not ready). */
  const probe = async (p: StringProducer, why: string): Promise<void> => {
    try {
      await withTimeout(p.metadata({ topics: [config.kafkaTopic], forceUpdate: true }), config.kafkaConnectTimeoutMs * 2, 'probe');
    } catch (error) {
      if (producer === p) discard(`${why}: probe failed: ${(error as Error).message}`);
    }
  };

  const check = async (): Promise<void> => {
    if (checking || closing) return;
    checking = true;
    try {
      if (ready && producer !== undefined) {
        await probe(producer, 'periodic check');
      } else if (!ready) {
        await open().catch((error: Error) => log.debug({ err: error.message }, 'kafka connect attempt failed'));
      }
    } finally {
      checking = false;
    }
  };

  void check();
  const interval = setInterval(() => void check(), config.kafkaCheckIntervalMs);
  interval.unref();

  return {
    isReady: () => ready && !closing,
    async publish(events) {
      if (closing) return { ok: false, reason: 'closing' };
      if (!ready) return { ok: false, reason: 'not_ready' };
      try {
        await waitForAck(batcher.add(events.map(recordOf)), {
          stallMs: config.produceTimeoutMs,
          maxMs: config.kafkaRequestTimeoutMs,
          lastProgress: () => lastAckAt,
        });
        return { ok: true, value: undefined };
      } catch (error) {
        const name = (error as Error).name;
        return { ok: false, reason: name === 'TimeoutError' ? 'timeout' : name === 'NotReadyError' ? 'not_ready' : 'send_failed' };
      }
    },
    onFlush: (listener) => void flushListeners.push(listener),
    onReadyChange: (listener) => void readyListeners.push(listener),
    async close() {
      clearInterval(interval);
      // Requests already accepted into the batcher are flushed before the producer goes.
      await withTimeout(batcher.drain(), config.kafkaRequestTimeoutMs * 2, 'drain').catch((error: Error) => log.warn({ err: error.message }, 'drain incomplete'));
      closing = true;
      const p = producer;
      producer = undefined;
      await p?.close().catch(() => undefined);
      ready = false;
    },
  };
}
