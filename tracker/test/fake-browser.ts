// The tracker's browser seam for Node: a localStorage-like store, a page, and a network whose
// answers the test scripts. Time and timers come from node:test's mock timers.
import type { Browser, Store } from '../src/tracker.ts';

/** Keys are own enumerable properties, methods live on the prototype: like localStorage. */
export function fakeStore(initial: Record<string, string> = {}): Store & Record<string, string> {
  const proto = {
    getItem(this: Record<string, string>, key: string) {
      return Object.hasOwn(this, key) ? this[key]! : null;
    },
    setItem(this: Record<string, string>, key: string, value: string) {
      this[key] = String(value);
    },
    removeItem(this: Record<string, string>, key: string) {
      delete this[key];
    },
  };
  return Object.assign(Object.create(proto) as Store & Record<string, string>, initial);
}

export interface Sent {
  via: 'post' | 'beacon';
  events: { event_id: string; event_type: string; [k: string]: unknown }[];
}

export function fakeBrowser(store = fakeStore()) {
  const sent: Sent[] = [];
  const answers: [number, string | null][] = [];
  const pending: (() => void)[] = [];
  const page = { url: 'https://shop.example/', title: 'Home' };
  let beaconOk = true;
  const browser: Browser = {
    store,
    currentPage: () => ({ ...page }),
    agent: 'TestAgent/1.0',
    screenSize: [1280, 720],
    post: (_url, body) => {
      sent.push({ via: 'post', events: JSON.parse(body) });
      const answer = answers.shift() ?? [200, null];
      // Answers arrive when the test says so, as a network response would.
      return new Promise((resolve) => pending.push(() => resolve(answer)));
    },
    beacon: (_url, body) => {
      if (beaconOk) sent.push({ via: 'beacon', events: JSON.parse(body) });
      return beaconOk;
    },
    debugLog: () => {},
  };
  return {
    browser,
    store,
    sent,
    page,
    /** Queues the answers of the next posts (default 200). */
    answer: (...a: [number, string | null][]) => answers.push(...a),
    /** Delivers every response in flight and lets the tracker react. */
    respond: async () => {
      while (pending.length) pending.shift()!();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
    inFlight: () => pending.length,
    failBeacons: () => (beaconOk = false),
    types: (s: Sent) => s.events.map((e) => e.event_type),
  };
}
