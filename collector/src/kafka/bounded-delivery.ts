// One publish call's records from the in-flight bound to Kafka's answer: the bytes are taken from
// the budget (refused or awaited when it is full), the records handed to their lanes' batchers,
// the ack awaited within the stall and total windows (ack-wait.ts), and the bytes given back when
// the batchers answer. The producer (event-producer.ts) owns the connections; this owns the wait.
import type { PublishOutcome, WhenFull } from '../events/publisher.ts';
import { waitForAck } from './ack-wait.ts';
import type { InFlightBudget } from './in-flight-budget.ts';

/** A record ready for the client, and the partition chosen for it when it was published. */
export interface Routed {
  key: string;
  /** The value's UTF-8 bytes, made once at publish (see event-producer.ts' route). */
  value: Buffer;
  /** Receipt time, ms since the epoch, as Kafka's record timestamp. */
  timestamp: bigint;
  headers: Map<Buffer, Buffer> | undefined;
  partition: number;
}

/** A record's bytes for the batch and in-flight bounds: key, value and a record's framing. */
export function recordBytes(r: Routed): number {
  return r.key.length + r.value.length + 64;
}

export interface DeliveryDeps {
  budget: InFlightBudget;
  /** Hands the records to their batchers, in order; resolves when all are acknowledged. */
  enqueue: (routed: Routed[]) => Promise<void>;
  /** Why nothing may be sent now (`closing`, `not_ready`), or undefined when it may. */
  blocked: () => 'closing' | 'not_ready' | undefined;
  /** Time (ms since epoch) of the latest successful produce call. */
  lastProgress: () => number;
  stallMs: number;
  maxMs: number;
}

export type Deliver = (routed: Routed[], whenFull: WhenFull) => Promise<PublishOutcome>;

export function createDelivery(deps: DeliveryDeps): Deliver {
  const { budget } = deps;
  return async (routed, whenFull) => {
    let bytes = 0;
    for (const r of routed) bytes += recordBytes(r);
    if (!budget.tryTake(bytes)) {
      if (whenFull === 'refuse') return { ok: false, reason: 'overloaded' };
      await budget.take(bytes);
      // The wait may have outlasted the broker: the records are not sent to a gone producer.
      const blocked = deps.blocked();
      if (blocked !== undefined) {
        budget.release(bytes);
        return { ok: false, reason: blocked };
      }
    }
    // Given back when the batchers answer (sent or failed), not when the request stops waiting:
    // a timed-out request's records stay in the client until then.
    const acked = deps.enqueue(routed);
    const release = () => budget.release(bytes);
    acked.then(release, release);
    try {
      await waitForAck(acked, { stallMs: deps.stallMs, maxMs: deps.maxMs, lastProgress: deps.lastProgress });
      return { ok: true, value: undefined };
    } catch (error) {
      const name = (error as Error).name;
      return { ok: false, reason: name === 'TimeoutError' ? 'timeout' : name === 'NotReadyError' ? 'not_ready' : 'send_failed' };
    }
  };
}
