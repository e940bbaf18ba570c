// The port the collect use case publishes through. The Kafka adapter (kafka/event-producer.ts)
// implements it for the service; tests use the in-memory one (memory-publisher.ts).
import type { CollectedEvent } from '#contract';
import type { Result } from '../../../lib/result.ts';

/**
 * Why events were not published; each answers the request with 503 and counts under its reason.
 * `overloaded`: the collector already holds as many record bytes awaiting Kafka as it may
 * (MAX_IN_FLIGHT_BYTES); only a publish that asked to be refused rather than wait gets it.
 */
export type UnpublishedReason = 'not_ready' | 'timeout' | 'send_failed' | 'closing' | 'overloaded';

/**
 * What a publish does when the in-flight bound is reached: `refuse` answers `overloaded` at once
 * (an HTTP request, answered 503 + Retry-After); `wait` waits for room (a stream, which stops
 * reading meanwhile, so the wait reaches its client as flow control).
 */
export type WhenFull = 'refuse' | 'wait';

export interface PublishOptions {
  /** `refuse` when absent. */
  whenFull?: WhenFull;
}

export type PublishOutcome = Result<void, { reason: UnpublishedReason }>;

/** One produce call, for the latency and batch-size metrics. */
export interface FlushObservation {
  records: number;
  seconds: number;
  ok: boolean;
}

export interface EventPublisher {
  isReady(): boolean;
  publish(events: readonly CollectedEvent[], options?: PublishOptions): Promise<PublishOutcome>;
  onFlush(listener: (o: FlushObservation) => void): void;
  onReadyChange(listener: (ready: boolean) => void): void;
  close(): Promise<void>;
}
