// An in-memory EventPublisher: keeps what it is given, so the collect use case and the HTTP layer
// are tested fast without a broker. `failWith` makes every publish fail with that reason.
import type { CollectedEvent } from '#contract';
import type { EventPublisher, FlushObservation, UnpublishedReason } from './publisher.ts';

export interface MemoryPublisher extends EventPublisher {
  /** Every event published so far, in order. */
  readonly published: CollectedEvent[];
  setReady(ready: boolean): void;
  failWith(reason: UnpublishedReason | undefined): void;
}

export function createMemoryPublisher(): MemoryPublisher {
  const published: CollectedEvent[] = [];
  const flushListeners: ((o: FlushObservation) => void)[] = [];
  const readyListeners: ((ready: boolean) => void)[] = [];
  let ready = true;
  let failure: UnpublishedReason | undefined;
  return {
    published,
    isReady: () => ready,
    setReady(value) {
      if (value === ready) return;
      ready = value;
      for (const l of readyListeners) l(value);
    },
    failWith(reason) {
      failure = reason;
    },
    async publish(events) {
      const reason = failure ?? (ready ? undefined : 'not_ready');
      for (const l of flushListeners) l({ records: events.length, seconds: 0, ok: reason === undefined });
      if (reason !== undefined) return { ok: false, reason };
      published.push(...events);
      return { ok: true, value: undefined };
    },
    onFlush: (listener) => void flushListeners.push(listener),
    onReadyChange: (listener) => void readyListeners.push(listener),
    async close() {
      ready = false;
    },
  };
}
