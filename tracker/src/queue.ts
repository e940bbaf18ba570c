// The unsent queue as plain data: bounded, split into batches that fit one keepalive request,
// and stored per tab, so a reload resumes it while another open tab never sends it twice.
import { byteLength, type QueuedEvent } from './event.ts';

/** Oldest events are dropped beyond this, keeping localStorage use bounded (~0.5 MB a tab). */
export const MAX_QUEUED = 1000;
/** Events per request (the collector takes up to 500). */
export const BATCH_COUNT = 20;
/** Browsers allow 64 KiB of keepalive and beacon bodies in flight per page. */
export const BATCH_BYTES = 60_000;
/** A stored queue untouched this long belongs to a closed tab; the next tab adopts it. */
export const ORPHAN_AFTER_MS = 120_000;
export const STORAGE_PREFIX = 'analytics_q:';

export interface StoredQueue {
  /** Last write, ms since epoch. */
  t: number;
  /** The last delivery attempt failed, so a beacon at page exit is not trusted. */
  f: boolean;
  q: QueuedEvent[];
}

/**
 * The next batch from the front, as JSON: at most BATCH_COUNT events and BATCH_BYTES, but at
 * least one event so nothing can block the queue.
 */
export function nextBatch(queue: QueuedEvent[]): [events: QueuedEvent[], json: string] {
  let n = BATCH_COUNT;
  while (n > 1 && byteLength(JSON.stringify(queue.slice(0, n))) > BATCH_BYTES) n--;
  return [queue.slice(0, n), JSON.stringify(queue.slice(0, n))];
}

export function parseStored(json: string | null): StoredQueue | undefined {
  try {
    const stored = JSON.parse(json!) as StoredQueue;
    return stored.q.slice() && stored;
  } catch {
    return undefined;
  }
}

/** Appends events not queued yet (same event_id), keeping order and the bound. */
export const merge = (queue: QueuedEvent[], more: QueuedEvent[]): QueuedEvent[] =>
  queue.concat(without(more, queue)).slice(-MAX_QUEUED);

/** The queue less the given events (by event_id). */
export function without(queue: QueuedEvent[], gone: QueuedEvent[]): QueuedEvent[] {
  const ids = gone.map((e) => e.event_id);
  return queue.filter((e) => !ids.includes(e.event_id));
}
