// The tracker's behaviour: page views and their visible time, the stored queue, batching,
// retries and the exit beacon. Browser-only APIs come in through the `Browser` seam; time,
// randomness and timers are the standard globals (unit tests mock them with node:test).
import type { Config } from './config.ts';
import { buildEvent, customMetadata, visitor, type Metadata, type QueuedEvent } from './event.ts';
import { BATCH_COUNT, ORPHAN_AFTER_MS, STORAGE_PREFIX, merge, nextBatch, parseStored, without } from './queue.ts';
import { outcomeOf, retryDelay } from './retry.ts';

/** The part of Storage used; its keys are its own enumerable properties, as in localStorage. */
export type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface Browser {
  store: Store;
  currentPage(): { url: string; title: string };
  agent: string;
  screenSize: number[];
  /** Never rejects: a network error is status 0. */
  post(url: string, body: string): Promise<[status: number, retryAfter: string | null]>;
  beacon(url: string, body: string): boolean;
  debugLog(...message: unknown[]): void;
}

export const BATCH_DELAY_MS = 1000;

export function createTracker(config: Config, sessionId: string, b: Browser) {
  const key = STORAGE_PREFIX + sessionId;
  const who = visitor(sessionId, b.agent, config.siteId);
  let queue: QueuedEvent[] = [];
  let inFlight: QueuedEvent[] = [];
  let failing: unknown = 0;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  // The current page view. It ends at the first hide, so its visible time is one stretch.
  let view = { url: '', title: '', visibleSince: 0, ended: 1 };

  const persist = (pending = queue) => {
    try {
      if (pending[0]) b.store.setItem(key, JSON.stringify({ t: Date.now(), f: failing, q: pending }));
      else b.store.removeItem(key);
    } catch {
      // Storage full: the events stay queued in memory.
    }
  };

  /** Flushes after `ms`; a pending timer (the batch delay or a backoff) is kept unless `reset`. */
  const later = (ms: number, reset?: boolean) => {
    if (reset) clearTimeout(timer);
    if (reset || !timer) {
      timer = setTimeout(() => {
        timer = 0;
        flush();
      }, ms);
    }
  };

  function flush(): void {
    // While backing off, only the retry timer may send.
    if (inFlight[0] || !queue[0] || (failing && timer)) return;
    const [batch, json] = nextBatch(queue);
    inFlight = batch;
    void b.post(config.endpoint, json).then(([status, retryAfter]) => {
      const outcome = outcomeOf(status);
      inFlight = [];
      failing = outcome == 'retry';
      if (failing) later(retryDelay(attempt++, retryAfter, Math.random()), true);
      else {
        attempt = 0;
        queue = without(queue, batch);
      }
      b.debugLog(outcome, batch.length, status);
      persist();
      flush();
    });
  }

  function add(type: string, metadata: Metadata, buttonId?: string, page = b.currentPage()): void {
    queue = merge(queue, [buildEvent(type, page, who, metadata, buttonId)]);
    persist();
    if (queue[BATCH_COUNT - 1]) flush();
    else later(BATCH_DELAY_MS);
  }

  /** Ends the current view once: its page_unload carries the visible time, in ms. */
  function endView(): void {
    if (!view.ended) {
      view.ended = 1;
      add('page_unload', { time_on_page_ms: view.visibleSince && Date.now() - view.visibleSince }, undefined, view);
    }
  }

  // Resume this tab's stored queue (a reload or the tab's previous page) and adopt queues of
  // tabs closed long ago; queues of other open tabs are theirs to send.
  for (const k of Object.keys(b.store)) {
    const stored = k.indexOf(STORAGE_PREFIX) ? 0 : parseStored(b.store.getItem(k));
    if (stored && (k == key || Date.now() - stored.t > ORPHAN_AFTER_MS)) {
      queue = merge(queue, stored.q);
      if (k == key) failing = stored.f;
      else b.store.removeItem(k);
    }
  }
  persist();
  later(BATCH_DELAY_MS);

  return {
    /** A new page view (load, SPA navigation, back/forward-cache restore); ends the previous one. */
    pageView(referrer: string, visible: boolean): void {
      endView();
      view = { ...b.currentPage(), visibleSince: visible ? Date.now() : 0, ended: 0 };
      add('page_view', { referrer, screen_width: b.screenSize[0], screen_height: b.screenSize[1] });
    },
    /** A click (see click-target.ts) or any event of the page's own. */
    add,
    track(name: string, metadata?: unknown): void {
      const clean = customMetadata(metadata);
      if (clean) add(name, clean);
    },
    visible(): void {
      view.visibleSince = view.visibleSince || Date.now();
    },
    /**
     * visibilitychange to hidden, and pagehide: the view ends here (mobile browsers may never
     * unload) and the queue leaves by beacon, unless the collector was failing: a beacon's fate
     * is unknown, so then the stored queue waits for the tab's next page. Events already on the
     * wire in a keepalive request are not stored again.
     */
    exit(): void {
      endView();
      let rest = without(queue, inFlight);
      while (rest[0] && !failing) {
        const [batch, json] = nextBatch(rest);
        if (!b.beacon(config.endpoint, json)) break;
        queue = without(queue, batch);
        rest = rest.slice(batch.length);
      }
      persist(failing ? queue : rest);
    },
  };
}

export type Tracker = ReturnType<typeof createTracker>;
