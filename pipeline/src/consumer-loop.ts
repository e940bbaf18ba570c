// The transport: a kafkajs consumer whose eachBatch loads each chunk of a batch in one database
// transaction (through the batch ports), retries infrastructure failures with backoff while
// heartbeating, and commits offsets only after the transaction. The write runs behind the next
// fetch (one in flight per partition, partition-writes.ts), since kafkajs fetches again only once
// eachBatch returns. It also tells readiness what the consumer sees of Kafka.
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../../lib/logger.ts';
import { commitFailure } from './adapters/commit-error.ts';
import { loadBatch, splitBatch, type BatchPorts, type BatchResult } from './load-batch.ts';
import { PartitionWrites } from './partition-writes.ts';
import type { Metrics } from './metrics.ts';
import type { Readiness } from './readiness.ts';
import { abortableSleep, retryUntil } from './retry.ts';

/** The consumer's settings, named as in the pipeline's configuration (which satisfies this). */
interface ConsumerSettings {
  kafkaTopic: string;
  kafkaGroupId: string;
  kafkaSessionTimeoutMs: number;
  pipelineBatchMaxMessages: number;
  pipelineBatchMaxMs: number;
  pipelineConcurrency: number;
  pipelineRetryMaxMs: number;
}

export interface ConsumerLoopDeps {
  kafka: Kafka;
  settings: ConsumerSettings;
  ports: BatchPorts;
  readiness: Readiness;
  /** Asked after a failed write, so readiness tells a database outage from any other failure. */
  checkDatabase(): Promise<boolean>;
  metrics: Metrics;
  logger: Logger;
  /** Aborted at shutdown: retries end and the batch in flight stops at a chunk boundary. */
  stopSignal: AbortSignal;
  /** A chunk was stored and its offset committed. */
  onStored(result: BatchResult): void;
  /** The consumer crashed and kafkajs will not restart it. */
  onFatal(error: Error): void;
}

export interface ConsumerLoop {
  connect(): Promise<void>;
  run(): Promise<void>;
  /** Finishes the writes in flight, commits, leaves the group. */
  disconnect(): Promise<void>;
}

export function createConsumerLoop(deps: ConsumerLoopDeps): ConsumerLoop {
  const { settings, readiness, metrics, logger, stopSignal } = deps;
  const stopping = () => stopSignal.aborted;
  const consumer: Consumer = deps.kafka.consumer({
    groupId: settings.kafkaGroupId,
    sessionTimeout: settings.kafkaSessionTimeoutMs,
    heartbeatInterval: Math.min(3000, Math.floor(settings.kafkaSessionTimeoutMs / 3)),
    maxWaitTimeInMs: settings.pipelineBatchMaxMs,
    // 1 MiB a partition (~2,000 records) fills a transaction as well as 8 MiB did: loader
    // throughput measured the same (bench/HISTORY.md), peak RSS under a backlog 350 -> 227 MB.
    // Smaller (512 KiB) halves the batches and costs a third of the throughput.
    maxBytesPerPartition: 1024 * 1024,
    maxBytes: 4 * 1024 * 1024,
  });
  consumer.on(consumer.events.GROUP_JOIN, () => readiness.kafkaSeen());
  consumer.on(consumer.events.FETCH, () => readiness.kafkaSeen());
  consumer.on(consumer.events.HEARTBEAT, () => readiness.kafkaSeen());
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    readiness.kafkaLost();
    if (!payload.restart && !stopping()) deps.onFatal(payload.error);
  });
  consumer.on(consumer.events.DISCONNECT, () => readiness.kafkaLost());

  // The write of each partition's last chunk runs behind the next fetch (partition-writes.ts).
  const writes = new PartitionWrites();

  async function eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const key = `${topic}/${partition}`;
    for (let i = 0; i < batch.messages.length; i += settings.pipelineBatchMaxMessages) {
      // After SIGTERM or a revoke, stop at a chunk boundary: what is done is committed, the rest replays.
      if (stopping() || !isRunning() || isStale()) return;
      const chunk = batch.messages.slice(i, i + settings.pipelineBatchMaxMessages);
      const parseStarted = process.hrtime.bigint();
      // Parsed while the previous chunk's write is still in flight.
      const split = splitBatch(topic, partition, chunk, metrics);
      const parseNs = process.hrtime.bigint() - parseStarted;
      await writes.settle(key);
      if (stopping() || !isRunning() || isStale()) return;
      const started = process.hrtime.bigint() - parseNs;
      const first = chunk[0]!.offset;
      const last = chunk[chunk.length - 1]!.offset;
      const next = (BigInt(last) + 1n).toString();
      writes.start(key, async () => {
        const result = await retryUntil(() => loadBatch(deps.ports, split), {
          shouldGiveUp: () => stopping() || !isRunning() || isStale(),
          maxDelayMs: settings.pipelineRetryMaxMs,
          sleep: abortableSleep(stopSignal),
          onFailure: async (err, attempt, ms) => {
            metrics.dbErrors.inc();
            readiness.database(await deps.checkDatabase());
            logger.warn({ err, attempt, retryInMs: ms, topic, partition, records: chunk.length }, 'batch not stored, retrying');
            await heartbeat().catch(() => undefined);
          },
        });
        if (!result.ok) {
          // Given up (shutdown or partition revoked): nothing is committed, and the fetch position
          // goes back to this chunk (a no-op once the partition is no longer ours), so it replays.
          // Unless shutting down, the partition's next chunk also throws, so kafkajs refetches
          // from the committed offset rather than write anything after this chunk.
          consumer.seek({ topic, partition, offset: first });
          if (!stopping()) throw new Error(`chunk ${topic}/${partition}@${first}-${last} not stored; it replays from the committed offset`);
          return;
        }
        readiness.database(true);
        // Offsets are committed only after the DB transaction commits, so a crash replays, never skips.
        await consumer.commitOffsets([{ topic, partition, offset: next }]).catch((error: unknown) => {
          throw commitFailure(error);
        });
        const { inserted, duplicates, deadLettered } = result.value;
        metrics.consumed.inc(chunk.length);
        metrics.inserted.inc(inserted);
        metrics.duplicates.inc(duplicates);
        for (const r of deadLettered) metrics.deadLettered.inc({ reason: r.reason });
        metrics.batchSize.observe(chunk.length);
        metrics.batchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
        metrics.lag.set({ topic, partition: String(partition) }, Number(BigInt(batch.highWatermark) - BigInt(next)));
        deps.onStored(result.value);
        logger.debug({ topic, partition, offset: last, records: chunk.length, inserted, duplicates, deadLettered: deadLettered.length }, 'batch stored');
      });
      // The fetch position moves on; the committed offset moves only when the write above commits.
      resolveOffset(last);
      await heartbeat();
    }
  }

  return {
    connect: () => consumer.connect(),
    async run() {
      await consumer.subscribe({ topics: [settings.kafkaTopic], fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: settings.pipelineConcurrency, eachBatch });
    },
    async disconnect() {
      // The writes in flight finish (or give up, at shutdown) and commit before the group is left.
      await writes.drain();
      await consumer.disconnect();
      readiness.kafkaLost();
    },
  };
}
