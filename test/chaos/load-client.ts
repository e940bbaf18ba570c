// The chaos load client: N unique events (event_id set by the client, as the tracker does),
// posted in batches by a few concurrent workers. Like the tracker, a batch is retried with the
// SAME bytes on 429, 5xx and connection errors, honouring Retry-After, a bounded number of times;
// any other answer is a failure. Times are sent as real clients send them: most events carry a
// valid time, but 2 in 10 carry none, 1 in 10 a time 20 min ahead (a fast clock) and 1 in 10 one
// 8 days old: the collector stamps or clamps those at receipt, so every retry of them reaches
// Kafka with a different "timestamp". And a share of batches is sent again after its 2xx (a
// tracker that never saw the answer resends), so duplicates really reach the pipeline. Every event
// is written into the ledger before it is sent; the client records which got a 2xx.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Ledger, TimeKind } from './ledger.ts';

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
  /** Where every event is written down as it is created. */
  ledger: Ledger;
  /** Every how many batches one is sent again, with the same bytes, ~1 s after its 2xx (0: never). */
  resendEvery?: number;
}

export interface LoadResult {
  /** Every event id the client created, in order. */
  sent: string[];
  /** Batches sent again after their 2xx (same bytes), and how many of those resends got a 2xx too. */
  resends: number;
  resendsAcked: number;
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

const FAST_CLOCK_MS = 20 * 60_000;
const OLD_MS = 8 * 24 * 3_600_000;

/** Which time the n-th event is sent with: 6 in 10 fresh, 2 none, 1 from a fast clock, 1 too old. */
export function timeKind(n: number): Exclude<TimeKind, 'foreign'> {
  const k = n % 10;
  return k < 2 ? 'none' : k === 2 ? 'future' : k === 3 ? 'past' : 'fresh';
}

function chaosEvent(n: number, ledger: Ledger): Record<string, unknown> {
  const kind = timeKind(n);
  const event: Record<string, unknown> = {
    event_id: randomUUID(),
    event_type: TYPES[n % TYPES.length],
    page_url: `https://chaos.example${PAGES[n % PAGES.length]}`,
    page_title: `Chaos page ${n % PAGES.length}`,
    session_id: `chaos-session-${n % 97}`,
    metadata: { seq: n },
  };
  const sentMs = kind === 'none' ? undefined : Date.now() + (kind === 'future' ? FAST_CLOCK_MS : kind === 'past' ? -OLD_MS : 0);
  if (sentMs !== undefined) event.timestamp = new Date(sentMs).toISOString();
  ledger.record(event.event_id as string, { kind, eventType: event.event_type as string, pageUrl: event.page_url as string, sentMs });
  return event;
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
    resends: 0,
    resendsAcked: 0,
    statuses: {},
    startedAt: Date.now(),
    lastAckAt: 0,
    finishedAt: 0,
  };
  let next = 0;
  const count = (status: string) => (result.statuses[status] = (result.statuses[status] ?? 0) + 1);

  /** Sends one batch until a 2xx or a final answer; true on a 2xx. */
  async function sendBatch(ids: string[], body: string): Promise<boolean> {
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
        result.lastAckAt = Date.now();
        return true;
      }
      if (status !== 0 && status !== 429 && status < 500) {
        result.unexpected.push(`${status}: ${text.slice(0, 200)}`);
        return false;
      }
      await sleep(retryDelayMs(attempt, retryAfter));
    }
    result.gaveUp.push(...ids);
    return false;
  }

  // The answer was lost on the way back (the tab closed, the network dropped): the tracker sends
  // the same bytes again. Run beside the load, so the workers keep their pace.
  const resending: Promise<void>[] = [];
  function resendLater(ids: string[], body: string): void {
    result.resends++;
    resending.push(
      sleep(1000).then(async () => {
        if (await sendBatch(ids, body)) result.resendsAcked++;
      }),
    );
  }
  let batches = 0;

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
      const events = Array.from({ length: size }, (_, i) => chaosEvent(from + i, options.ledger));
      const ids = events.map((e) => e.event_id as string);
      const body = JSON.stringify(events);
      result.sent.push(...ids);
      const resend = options.resendEvery !== undefined && options.resendEvery > 0 && batches++ % options.resendEvery === 0;
      if (await sendBatch(ids, body)) {
        for (const id of ids) result.acked.add(id);
        options.onAck?.(ids.length);
        if (resend) resendLater(ids, body);
      }
    }
  }

  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await Promise.all(resending);
  result.finishedAt = Date.now();
  return result;
}
