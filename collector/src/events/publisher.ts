// The port the collect use case publishes through. The Kafka adapter (kafka/event-producer.ts)
// implements it for the service; tests use the in-memory one (memory-publisher.ts).
import type { CollectedEvent } from '#contract';
import type { Result } from '../../../lib/result.ts';

/** Why events were not published; each answers the request with 503 and counts under its reason. */
export type UnpublishedReason = 'not_ready' | 'timeout' | 'send_failed' | 'closing';

type PublishOutcome = Result<void, { reason: UnpublishedReason }>;

/** One produce call, for the latency and batch-size metrics. */
export interface FlushObservation {
  records: number;
  seconds: number;
  ok: boolean;
}

export interface EventPublisher {
  isReady(): boolean;
  publish(events: readonly CollectedEvent[]): Promise<PublishOutcome>;
  onFlush(listener: (o: FlushObservation) => void): void;
  onReadyChange(listener: (ready: boolean) => void): void;
  close(): Promise<void>;
}
