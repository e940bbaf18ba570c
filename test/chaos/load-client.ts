// The chaos load client: N unique events (event_id and timestamp set by the client, as the tracker
// does), posted in batches by a few concurrent workers. Like the tracker, a batch is retried with
// the SAME events on 429, 5xx and connection errors, honouring Retry-After, a bounded number of
// times; any other answer is a failure. It records which events got a 2xx.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoadOptions {
  /** POST /analytics of the collector. */
  url: string;
  events: number;
  batchSize: number;
  concurrency: number;
  /** Attempts per batch before giving up on it (the tracker's queue also gives up eventually). */
  maxAttempts: number;
  /** Optional pacing in events per second, so a short run still spans the faults. */
  ratePerSecond?: number;
  /** Awaited before each batch is sent for the first time; the fault schedule gates the load with it. */
  beforeBatch?: (eventsDispatched: number) => Promise<void>;
  /** Told how many events each 2xx acknowledged. */
  onAck?: (events: number) => void;
}

export interface LoadResult {
  /** Every event id the client created, in order. */
  sent: string[];
  /** Ids the collector acknowledged with a 2xx. */
  acked: Set<string>;
  /** Ids of batches that ran out of attempts. */
  gaveUp: string[];
  /** Answers that must never happen (4xx other than 429, or a 2xx that does not list our ids). */
  unexpected: string[];
  requests: number;
  retries: number;
  statuses: Record<string, number>;
  startedAt: number;
  lastAckAt: number;
  finishedAt: number;
}

const PAGES = ['/', '/pricing', '/docs', '/blog/launch', '/signup', '/checkout'];
const TYPES = ['page_view', 'button_click', 'navigation_click', 'page_unload'];

function chaosEvent(n: number): Record<string, unknown> {
  return {
    event_id: randomUUID(),
    event_type: TYPES[n % TYPES.length],
    page_url: `https://chaos.example${PAGES[n % PAGES.length]}`,
    page_title: `Chaos page ${n % PAGES.length}`,
    session_id: `chaos-session-${n % 97}`,
    timestamp: new Date().toISOString(),
    metadata: { seq: n },
  };
}

/** Seconds from Retry-After, else doubling backoff with jitter; short caps keep a run brisk. */
function retryDelayMs(attempt: number, retryAfter: string | null): number {
  const seconds = Number(retryAfter);
  if (retryAfter !== null && Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 5000);
  return Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result: LoadResult = {
    sent: [],
    acked: new Set(),
    gaveUp: [],
    unexpected: [],
    requests: 0,
    retries: 0,
    statuses: {},
    startedAt: Date.now(),
    lastAckAt: 0,
    finishedAt: 0,
  };
  let next = 0;
  const count = (status: string) => (result.statuses[status] = (result.statuses[status] ?? 0) + 1);

  async function sendBatch(events: Record<string, unknown>[]): Promise<void> {
    const ids = events.map((e) => e.event_id as string);
    const body = JSON.stringify(events);
    for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
      if (attempt > 1) result.retries++;
      result.requests++;
      let status = 0;
      let retryAfter: string | null = null;
      let text = '';
      try {
        // text/plain: what the tracker sends (a CORS-simple request).
        const res = await fetch(options.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body, signal: AbortSignal.timeout(10_000) });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        text = await res.text();
      } catch {
        status = 0; // connection refused/reset or timeout: the collector is restarting
      }
      count(String(status));
      if (status >= 200 && status < 300) {
        const answer = JSON.parse(text) as { accepted?: number; eventIds?: string[] };
        if (answer.accepted !== ids.length || JSON.stringify(answer.eventIds) !== JSON.stringify(ids)) result.unexpected.push(`2xx not listing our ids: ${text.slice(0, 200)}`);
        for (const id of ids) result.acked.add(id);
        result.lastAckAt = Date.now();
        options.onAck?.(ids.length);
        return;
      }
      if (status !== 0 && status !== 429 && status < 500) {
        result.unexpected.push(`${status}: ${text.slice(0, 200)}`);
        return;
      }
      await sleep(retryDelayMs(attempt, retryAfter));
    }
    result.gaveUp.push(...ids);
  }

  async function worker(): Promise<void> {
    for (;;) {
      if (next >= options.events) return;
      await options.beforeBatch?.(next);
      if (next >= options.events) return;
      const from = next;
      const size = Math.min(options.batchSize, options.events - from);
      next += size;
      if (options.ratePerSecond) {
        const due = result.startedAt + (from / options.ratePerSecond) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      const events = Array.from({ length: size }, (_, i) => chaosEvent(from + i));
      for (const e of events) result.sent.push(e.event_id as string);
      await sendBatch(events);
    }
  }

  await Promise.all(Array.from({ length: options.concurrency }, worker));
  result.finishedAt = Date.now();
  return result;
}
