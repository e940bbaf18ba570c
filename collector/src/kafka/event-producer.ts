// The collector's Kafka adapter: idempotent @platformatic/kafka producers (acks=-1) behind
// micro-batchers, with a readiness flag kept by disconnect events, failed sends and a periodic
// probe. While Kafka is down every publish answers `unavailable` at once; a background loop
// reconnects with fresh producers, so the collector recovers by itself when the broker returns.
// This client costs less than half kafkajs' CPU per record (bench/producer-clients.ts).
//
// Several produce calls in flight, safely: the client numbers an idempotent producer's batches
// only when a call is answered, so two calls in flight on one producer reuse a sequence number
// and the broker drops the second as a duplicate while acknowledging it (platformatic/kafka#326;
// 1.35.0, the last release for Node 20, does it: bench/producer-inflight.ts, bench/HISTORY.md § 20).
// Each partition therefore belongs to one *lane* (partition mod lanes): a producer of its own
// (own producer id, own connection) with its own batcher and one call in flight. A partition's
// records are sent in arrival order, one call at a time, so nothing acknowledged is reordered and
// a failed call can never leave a gap behind a later acknowledged one; lanes run side by side.
import { Producer, stringSerializer } from '@platformatic/kafka';
import type { CollectedEvent } from '#contract';
import { parseBrokers } from '../../../lib/kafka-brokers.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { EventPublisher, FlushObservation } from '../events/publisher.ts';
import { MicroBatcher } from './micro-batcher.ts';
import { toRecord, type EventRecord } from './to-record.ts';
import { withTimeout } from './with-timeout.ts';
import { partitionOf } from './partitioning.ts';
import { InFlightBudget } from './in-flight-budget.ts';
import { createDelivery, recordBytes, type Routed } from './bounded-delivery.ts';

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
  /** Producers with a call in flight each; a partition always uses the same one. */
  kafkaProducerLanes: number;
  /** Record bytes (key + value) held from publish to Kafka's answer, all calls together (in-flight-budget.ts). */
  maxInFlightBytes: number;
}

class NotReadyError extends Error {
  override name = 'NotReadyError';
}

// Keys are strings; values and headers go as bytes (see route and headerBytes).
type StringProducer = Producer<string, Buffer, Buffer, Buffer>;

/** Closes at once, dropping requests in flight; never rejects (a dead broker is the usual reason). */
function closeNow(p: StringProducer): Promise<void> {
  return new Promise((resolve) => p.close(true, () => resolve()));
}

// Header bytes per header object: canonical records all share one (to-record.ts), so its bytes
// are made once, not twice per record by the client's string serializers (about 1.5 µs of CPU
// per record, bench/HISTORY.md § 20).
const headerBytes = new WeakMap<object, Map<Buffer, Buffer>>();

function headersOf(headers: Readonly<Record<string, string>> | undefined): Map<Buffer, Buffer> | undefined {
  if (headers === undefined) return undefined;
  let bytes = headerBytes.get(headers);
  if (bytes === undefined) {
    bytes = new Map(Object.entries(headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)]));
    headerBytes.set(headers, bytes);
  }
  return bytes;
}

/**
 * The record as the client takes it, made when it is published: the value as its UTF-8 bytes,
 * the headers as Kafka record headers, the timestamp in ms. The value's bytes live outside the
 * JavaScript heap: a record waits for Kafka tens to hundreds of ms, long enough to survive young
 * collections, and a string value was copied by each of them and then by the old generation's
 * compaction (bench/HISTORY.md § 27). The client encoded the string to these same bytes anyway.
 */
function route(record: EventRecord, partitions: number): Routed {
  return {
    key: record.key,
    value: Buffer.from(record.value, 'utf8'),
    timestamp: BigInt(record.timestamp),
    headers: headersOf(record.headers),
    partition: partitionOf(record.key, partitions),
  };
}

/**
 * The publisher the collector answers from: `publish` resolves ok only once every record of the
 * call is acknowledged by all in-sync replicas. `recordOf` turns an event into its Kafka record
 * (to-record.ts; replaceable so tests can send records with headers of their choosing).
 */
export function createKafkaEventProducer(config: ProducerSettings, logger: Logger, recordOf: (event: CollectedEvent) => EventRecord = toRecord): EventPublisher {
  const log = logger.child({ component: 'kafka-producer' });

  // One producer per lane while ready; empty while not.
  let producers: StringProducer[] = [];
  let partitionCount = 1;
  let ready = false;
  let closing = false;
  let checking = false;
  let lastAckAt = 0;
  const flushListeners: ((o: FlushObservation) => void)[] = [];
  const readyListeners: ((ready: boolean) => void)[] = [];

  const setReady = (value: boolean, why: string): void => {
    if (ready === value) return;
    ready = value;
    if (value) log.info({ brokers: config.kafkaBrokers, topic: config.kafkaTopic, lanes: producers.length, partitions: partitionCount }, 'kafka ready');
    else log.warn({ why }, 'kafka not ready');
    for (const l of readyListeners) l(value);
  };

  // Any failure discards every lane: one outage, one reconnect, and no lane keeps a producer
  // whose broker another lane just found gone.
  const discard = (why: string): void => {
    const old = producers;
    producers = [];
    setReady(false, why);
    for (const b of batchers) b.failPending(new NotReadyError(why));
    // Forced: the old clients may be stuck retrying against a dead broker.
    for (const p of old) void closeNow(p);
  };

  const flush = async (lane: number, routed: Routed[]): Promise<void> => {
    const current = producers[lane];
    if (current === undefined || !ready) throw new NotReadyError('kafka not ready');
    const started = process.hrtime.bigint();
    let ok = false;
    try {
      const topic = config.kafkaTopic;
      const messages = routed.map((r) => ({ topic, partition: r.partition, key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers }));
      await withTimeout(current.send({ messages }), config.kafkaRequestTimeoutMs, 'produce');
      ok = true;
      lastAckAt = Date.now();
    } catch (error) {
      if (producers[lane] === current) discard(`produce failed: ${(error as Error).message}`);
      throw error;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      for (const l of flushListeners) l({ records: routed.length, seconds, ok });
    }
  };

  const laneLimit = Math.max(1, config.kafkaProducerLanes);
  const batchers = Array.from(
    { length: laneLimit },
    (_, lane) =>
      new MicroBatcher<Routed>(
        (routed) => flush(lane, routed),
        { maxRecords: config.batchMaxRecords, maxBytes: config.batchMaxBytes, lingerMs: config.batchLingerMs },
        recordBytes,
      ),
  );
  const budget = new InFlightBudget(config.maxInFlightBytes);

  const newProducer = (): StringProducer =>
    new Producer({
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
      // Value and header serializers left out: they are given as bytes.
      serializers: { key: stringSerializer },
    });

  const open = async (): Promise<void> => {
    const budget = config.kafkaConnectTimeoutMs * 3 + config.kafkaRequestTimeoutMs;
    const first = newProducer();
    const opened = [first];
    let partitions: number;
    try {
      // The topic must exist (auto-creation is off): a missing topic is "not ready", not a 500 later.
      partitions = topicPartitions(await withTimeout(first.metadata({ topics: [config.kafkaTopic] }), budget, 'topic metadata'), config.kafkaTopic);
      // More lanes than partitions would stay idle.
      while (opened.length < Math.min(laneLimit, partitions)) opened.push(newProducer());
      // Producer ids and the connections to every broker now, so the first requests do not
      // wait for them (and time out on a cold broker).
      await Promise.all(
        opened.map(async (p) => {
          await withTimeout(p.initIdempotentProducer({ acks: -1 }), budget, 'producer id');
          await withTimeout(p.connectToBrokers(null), budget, 'broker connections');
        }),
      );
    } catch (error) {
      for (const p of opened) void closeNow(p);
      throw error;
    }
    if (closing) {
      await Promise.all(opened.map(closeNow));
      return;
    }
    // A closed connection is not yet an outage: the client reconnects on the next request, and
    // connections do close while the broker stays up. A probe at once tells the two apart; sends
    // in flight on the closed connection fail and discard the producers on their own.
    for (const p of opened) {
      p.on('client:broker:disconnect', () => {
        if (producers.includes(p) && !closing) void probe(p, 'connection closed');
      });
    }
    producers = opened;
    partitionCount = partitions;
    // A fresh connection counts as progress, so the first sends get the full ack window.
    lastAckAt = Date.now();
    setReady(true, 'connected');
  };

  /** Fresh topic metadata from the broker, or the producers are discarded (not ready). */
  const probe = async (p: StringProducer, why: string): Promise<void> => {
    try {
      const metadata = await withTimeout(p.metadata({ topics: [config.kafkaTopic], forceUpdate: true }), config.kafkaConnectTimeoutMs * 2, 'probe');
      // Partitions added to the topic take keys from now on, as in any Kafka client; the lanes
      // stay (lane = partition mod lanes), so a partition still has one call in flight at most.
      if (producers.includes(p)) partitionCount = topicPartitions(metadata, config.kafkaTopic);
    } catch (error) {
      if (producers.includes(p)) discard(`${why}: probe failed: ${(error as Error).message}`);
    }
  };

  const check = async (): Promise<void> => {
    if (checking || closing) return;
    checking = true;
    try {
      if (ready && producers.length > 0) {
        await probe(producers[0]!, 'periodic check');
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

  /** The call's records handed to their lanes' batchers, in order; resolves when all are acked. */
  const enqueue = (routed: Routed[]): Promise<void> => {
    const lanes = producers.length;
    if (lanes <= 1) return batchers[0]!.add(routed);
    const byLane: Routed[][] = Array.from({ length: lanes }, () => []);
    for (const r of routed) byLane[r.partition % lanes]!.push(r);
    const acks: Promise<void>[] = [];
    byLane.forEach((part, lane) => {
      if (part.length > 0) acks.push(batchers[lane]!.add(part));
    });
    return acks.length === 1 ? acks[0]! : Promise.all(acks).then(() => undefined);
  };

  const deliver = createDelivery({
    budget,
    enqueue,
    blocked: () => (closing ? 'closing' : ready ? undefined : 'not_ready'),
    lastProgress: () => lastAckAt,
    stallMs: config.produceTimeoutMs,
    maxMs: config.kafkaRequestTimeoutMs,
  });

  return {
    isReady: () => ready && !closing,
    // Not async itself: the events become records at once, and only the records wait for Kafka
    // (a suspended frame would keep the events alive with them).
    publish(events, options) {
      if (closing) return Promise.resolve({ ok: false, reason: 'closing' });
      if (!ready) return Promise.resolve({ ok: false, reason: 'not_ready' });
      const routed = events.map((e) => route(recordOf(e), partitionCount));
      return deliver(routed, options?.whenFull ?? 'refuse');
    },
    onFlush: (listener) => void flushListeners.push(listener),
    onReadyChange: (listener) => void readyListeners.push(listener),
    async close() {
      clearInterval(interval);
      // Requests already accepted into the batchers are flushed before the producers go.
      await withTimeout(Promise.all(batchers.map((b) => b.drain())), config.kafkaRequestTimeoutMs * 2, 'drain').catch((error: Error) => log.warn({ err: error.message }, 'drain incomplete'));
      closing = true;
      const old = producers;
      producers = [];
      await Promise.all(old.map((p) => p.close().catch(() => undefined)));
      ready = false;
    },
  };
}

/** The topic's partition count from a metadata answer; a topic the answer lacks is an error. */
function topicPartitions(metadata: { topics: Map<string, { partitionsCount: number }> }, topic: string): number {
  const count = metadata.topics.get(topic)?.partitionsCount;
  if (count === undefined || count < 1) throw new Error(`topic ${topic} has no partitions in the metadata`);
  return count;
}
