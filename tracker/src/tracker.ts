// The tracker at run time: page views and their visible time, clicks, custom events, and their
// delivery through a queue stored per tab, batched, retried and beaconed at exit. It reads the
// browser through its standard globals (window, document, localStorage, fetch, ...), the seam
// the Node tests fake. Kept as one closure with no internal objects: every property name would
// ship in the bundle, and the budget is 2 KB.
import type { Config } from './config.ts';
import { describeClick, type ElementLike } from './click-target.ts';
import { buildEvent, byteLength, type Fields, type Metadata, type Page, type QueuedEvent } from './event.ts';
import { newSessionId, uuid } from './ids.ts';
import { REFERRER_MAX } from './limits.ts';
import { merge, nextBatch, without } from './queue.ts';
import { ANONYMOUS_ID_KEY, BATCH_BYTES, BATCH_COUNT, BATCH_DELAY_MS, MAX_QUEUED, ORPHAN_AFTER_MS, SESSION_KEY, SPA_MAX_WAIT_MS, SPA_SETTLE_MS, STORAGE_PREFIX } from './settings.ts';
import { retryDelay, shouldRetry } from './retry.ts';

export type Api = { track(name: string, metadata?: object): void };

/** Runs `fn` so that nothing it throws reaches the page. */
export const guard =
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- wraps handlers of every shape
  <A extends any[]>(fn: (...args: A) => unknown) =>
    (...args: A): void => {
      try {
        fn(...args);
      } catch {
        // The host page must never see the tracker fail.
      }
    };

export function startTracker({ endpoint, siteId, debug, anonymousId: keepsId }: Config, api: Api): void {
  // One session per tab: sessionStorage survives reloads and the tab's navigations.
  const sessionId: string = sessionStorage[SESSION_KEY] || (sessionStorage[SESSION_KEY] = newSessionId());
  // data-anonymous-id: one id per browser, kept in localStorage. None when it cannot be stored:
  // an id that changed on every page would make each page a new visitor.
  let anonymousId: string | undefined;
  try {
    if (keepsId) anonymousId = localStorage[ANONYMOUS_ID_KEY] || (localStorage[ANONYMOUS_ID_KEY] = uuid());
  } catch {
    // Storage refused: the collector's daily hash identifies the visitor instead.
  }
  const key = STORAGE_PREFIX + sessionId;
  const page = (): Page => [location.href, document.title];
  let queue: QueuedEvent[] = [];
  let inFlight: QueuedEvent[] = [];
  // The last delivery failed: backing off, and a beacon at exit would be a blind guess.
  let failing: unknown = 0;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  // The page is being unloaded (pagehide, until a back/forward-cache restore): a keepalive request
  // still on the wire is the browser's to finish, even when the page's promise rejects.
  let leaving: unknown = 0;
  // The current page view: where it was, since when it is visible (0: hidden), whether it ended.
  // A view ends at its first hide, so its visible time is one stretch.
  let view = page();
  let visibleSince = 0;
  let ended = 1;

  const persist = (pending = queue) => {
    try {
      if (pending[0]) localStorage[key] = JSON.stringify({ t: Date.now(), f: failing, q: pending });
      else delete localStorage[key];
    } catch {
      // Storage full: the events stay queued in memory.
    }
  };

  /** Flushes after `ms`; a pending timer (batch delay or backoff) is kept unless `reset`. */
  const later = (ms: number, reset?: unknown) => {
    if (reset) clearTimeout(timer);
    if (reset || !timer) {
      timer = setTimeout(() => {
        timer = 0;
        flush();
      }, ms);
    }
  };

  function flush(): void {
    // While backing off, only the retry timer sends.
    if (inFlight[0] || !queue[0] || (failing && timer)) return;
    const [batch, json] = nextBatch(queue);
    inFlight = batch;
    // A string body is text/plain: a CORS-simple request, so no preflight can be lost.
    // keepalive lets a request outlive its page but is capped at 64 KiB: a lone huge event
    // goes without it, instead of failing forever.
    fetch(endpoint, { method: 'POST', body: json, keepalive: byteLength(json) <= BATCH_BYTES })
      .then(
        (r) => [r.status, r.headers.get('Retry-After')] as const,
        () => [0] as const,
      )
      .then(([status, retryAfter]) => {
        inFlight = [];
        // The answer of a request made before the page left: its events are entrusted to the
        // keepalive request, not queued again, or each next page would re-send what it delivered.
        if (leaving) return void (queue = without(queue, batch));
        failing = shouldRetry(status);
        if (failing) later(retryDelay(attempt++, retryAfter, Math.random()), 1);
        else {
          attempt = 0;
          queue = without(queue, batch);
        }
        // data-debug: the collector's answer (0: network error) and the events, for the runbook.
        // eslint-disable-next-line no-console
        if (debug) console.info('[analytics]', status, batch);
        persist();
        flush();
      });
  }

  // A history change still settling is a view already begun: record it before anything else,
  // or a click or an exit inside the settle window would lose it.
  const settle = () => settling && pathChanged();

  const add = (type: string, metadata: Metadata, buttonId?: string, at = page(), extra?: Fields) => {
    settle();
    queue = queue.concat(buildEvent(type, metadata, buttonId, at, { session_id: sessionId, site_id: siteId, anonymous_id: anonymousId, ...extra })).slice(-MAX_QUEUED);
    persist();
    if (queue[BATCH_COUNT - 1]) flush();
    else later(BATCH_DELAY_MS);
  };

  /** Ends the current view once: its page_unload carries the visible time, in ms. */
  const endView = () => {
    settle();
    if (!ended) add('page_unload', { time_on_page: visibleSince && Date.now() - visibleSince }, undefined, view);
    ended = 1;
  };

  /**
   * visibilitychange to hidden, and pagehide: the view ends (mobile browsers may never unload)
   * and the queue leaves by beacon. When delivery was failing, a beacon's fate is unknown, so the
   * queue is also kept for the tab's next page, which re-sends it (the pipeline keeps one row per
   * event_id); the beacon covers the visitor who never comes back. Events already on the wire in
   * a keepalive request are not stored again.
   */
  const exit = () => {
    endView();
    let rest = without(queue, inFlight);
    while (rest[0]) {
      const [batch, json] = nextBatch(rest);
      if (!navigator.sendBeacon(endpoint, json)) break;
      if (!failing) queue = without(queue, batch);
      rest = rest.slice(batch.length);
    }
    persist(failing ? queue : rest);
  };

  // Resume this tab's stored queue (a reload, or the tab's previous page) and adopt queues of
  // tabs closed long ago; queues of other open tabs are theirs to send.
  // for...in also lists Storage's methods; the prefix check skips them.
  for (const k in localStorage) {
    try {
      const stored = !k.indexOf(STORAGE_PREFIX) && JSON.parse(localStorage[k]);
      if (stored && (k == key || Date.now() - stored.t > ORPHAN_AFTER_MS)) {
        queue = merge(queue, stored.q);
        if (k == key) failing = stored.f;
        else delete localStorage[k];
      }
    } catch {
      // Not one of ours, or damaged: left alone.
    }
  }

  // A copy, so later changes by the page do not alter the queued event; non-JSON throws here.
  api.track = guard((name: string, metadata?: object) => add(name, JSON.parse(JSON.stringify(metadata || {}))));

  // Page views: on load, on each change of path or query (a fragment only scrolls), once a
  // burst of history calls has settled, and on return from the back/forward cache.
  const path = () => location.href.split('#')[0];
  let lastPath: string | undefined;
  let settling: ReturnType<typeof setTimeout> | 0 = 0;
  // The burst's deadline timer (0: no burst): a burst that never pauses still settles.
  let burst: ReturnType<typeof setTimeout> | 0 = 0;
  // Called with the browser's referrer on a load, without one on a history change.
  const pathChanged = guard((referrer?: string) => {
    clearTimeout(settling);
    clearTimeout(burst);
    settling = burst = 0;
    if (path() != lastPath) {
      endView();
      view = page();
      visibleSince = document.hidden ? 0 : Date.now();
      ended = 0;
      // The referrer (the browser's on a load, the previous URL on an SPA navigation, as a
      // browser would send it) and the screen width decide referrer_domain and device_type.
      add('page_view', { screen_height: screen.height }, undefined, undefined, { referrer: (referrer ?? lastPath!).slice(0, REFERRER_MAX) || undefined, screen_width: screen.width });
    }
    lastPath = path();
  });
  pathChanged(document.referrer);
  // Trailing debounce: each history call restarts the settle timer, and the burst's first call
  // sets a deadline, so a router replacing state as the visitor types still makes views.
  const soon = () => {
    clearTimeout(settling);
    settling = setTimeout(pathChanged, SPA_SETTLE_MS);
    burst ||= setTimeout(pathChanged, SPA_MAX_WAIT_MS);
  };
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      soon();
      return original.apply(this, args);
    };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one helper for every event type
  const on = (target: EventTarget, type: string, fn: (e: any) => void) => target.addEventListener(type, guard(fn), true);
  on(window, 'popstate', soon);
  // Capture phase: pages that stop propagation are still counted. Never delays navigation.
  on(document, 'click', (e: MouseEvent) => {
    const click = describeClick(e.target as unknown as ElementLike);
    if (click) add(...click);
  });
  on(document, 'visibilitychange', () => (document.hidden ? exit() : (visibleSince ||= ended ? 0 : Date.now())));
  on(window, 'pagehide', () => {
    exit();
    leaving = 1;
  });
  on(window, 'pageshow', (e: PageTransitionEvent) => {
    if (e.persisted) {
      leaving = 0;
      lastPath = '';
      pathChanged(document.referrer);
    }
  });
}
