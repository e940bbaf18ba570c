// The collector's Kafka adapter: an idempotent kafkajs producer (acks=-1) behind a micro-batcher,
// with a readiness flag kept by connect/disconnect events, failed sends and a periodic probe.
// While Kafka is down every publish answers `unavailable` at once; a background loop reconnects
// with a fresh producer, so the collector recovers by itself when the broker returns.
import { Partitioners, logLevel, type Admin, type Producer } from 'kafkajs';
import { createKafkaClient } from '../../../lib/kafka.ts';
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

export function createKafkaEventProducer(config: ProducerSettings, logger: Logger): EventPublisher {
  const log = logger.child({ component: 'kafka-producer' });
  const kafka = createKafkaClient({
    clientId: config.kafkaClientId,
    brokers: config.kafkaBrokers,
    logger: log,
    connectionTimeout: config.kafkaConnectTimeoutMs,
    requestTimeout: config.kafkaRequestTimeoutMs,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel.WARN,
  });

  let producer: Producer | undefined;
  let admin: Admin | undefined;
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
    const [p, a] = [producer, admin];
    producer = undefined;
    admin = undefined;
    setReady(false, why);
    batcher.failPending(new NotReadyError(why));
    // Best effort: the old clients may be stuck retrying against a dead broker.
    void p?.disconnect().catch(() => undefined);
    void a?.disconnect().catch(() => undefined);
  };

  const flush = async (records: EventRecord[]): Promise<void> => {
    const current = producer;
    if (current === undefined || !ready) throw new NotReadyError('kafka not ready');
    const started = process.hrtime.bigint();
    let ok = false;
    try {
      await withTimeout(
        current.sendBatch({ acks: -1, topicMessages: [{ topic: config.kafkaTopic, messages: records }] }),
        config.kafkaRequestTimeoutMs,
        'produce',
      );
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
    // Bounded retries: kafkajs' idempotent default is infinite, which turns an outage into hangs.
    // Java-compatible murmur2 partitioning: any client producing the same key picks the same partition.
    const p = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1, retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 } });
    const a = kafka.admin({ retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 } });
    const budget = config.kafkaConnectTimeoutMs * 3 + config.kafkaRequestTimeoutMs;
    try {
      await withTimeout(p.connect(), budget, 'producer connect');
      await withTimeout(a.connect(), budget, 'admin connect');
      // The topic must exist (auto-creation is off): a missing topic is "not ready", not a 500 later.
      await withTimeout(a.fetchTopicMetadata({ topics: [config.kafkaTopic] }), budget, 'topic metadata');
    } catch (error) {
      void p.disconnect().catch(() => undefined);
      void a.disconnect().catch(() => undefined);
      throw error;
    }
    if (closing) {
      await Promise.allSettled([p.disconnect(), a.disconnect()]);
      return;
    }
    p.on(p.events.DISCONNECT, () => {
      if (producer === p && !closing) discard('producer disconnected');
    });
    producer = p;
    admin = a;
    // A fresh connection counts as progress, so the first sends get the full ack window.
    lastAckAt = Date.now();
    setReady(true, 'connected');
  };

  const check = async (): Promise<void> => {
    if (checking || closing) return;
    checking = true;
    try {
      if (ready && admin !== undefined) {
        const a = admin;
        try {
          await withTimeout(a.fetchTopicMetadata({ topics: [config.kafkaTopic] }), config.kafkaConnectTimeoutMs * 2, 'probe');
        } catch (error) {
          if (admin === a) discard(`probe failed: ${(error as Error).message}`);
        }
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
        await waitForAck(batcher.add(events.map(toRecord)), {
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
      const [p, a] = [producer, admin];
      producer = undefined;
      admin = undefined;
      await Promise.allSettled([p?.disconnect(), a?.disconnect()]);
      ready = false;
    },
  };
}
