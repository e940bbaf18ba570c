// The unsent queue as plain data: bounded, split into batches that fit one keepalive request,
// and stored per tab, so a reload resumes it while another open tab never sends it twice.
import { byteLength, type QueuedEvent } from './event.ts';
import { BATCH_BYTES, BATCH_COUNT, MAX_QUEUED } from './settings.ts';

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
  let n = BATCH_COUNT + 1;
  let json;
  while (byteLength((json = JSON.stringify(queue.slice(0, --n)))) > BATCH_BYTES && n > 1);
  return [queue.slice(0, n), json];
}

/** Appends events not queued yet (same event_id), keeping order and the bound. */
export const merge = (queue: QueuedEvent[], more: QueuedEvent[]): QueuedEvent[] =>
  queue.concat(without(more, queue)).slice(-MAX_QUEUED);

/** The queue less the given events (by event_id). */
export function without(queue: QueuedEvent[], gone: QueuedEvent[]): QueuedEvent[] {
  const ids = gone.map((e) => e.event_id);
  return queue.filter((e) => !ids.includes(e.event_id));
}
