// A fake browser for Node: the globals the tracker reads (window, document, location, history,
// localStorage, sessionStorage, navigator, screen, fetch), installed for one test and removed
// after it. The network answers as the test scripts it; time comes from node:test mock timers.
/* eslint-disable no-console -- the fake captures the tracker's debug output */
import type { FakeElement } from './fake-dom.ts';

type Listener = (event: Record<string, unknown>) => void;

/** Keys are own enumerable properties, methods live on the prototype: like localStorage. */
export function fakeStore(initial: Record<string, string> = {}): Storage & Record<string, string> {
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
  return Object.assign(Object.create(proto) as Storage & Record<string, string>, initial);
}

function target() {
  const listeners = new Map<string, Listener[]>();
  return {
    addEventListener: (type: string, fn: Listener) => listeners.set(type, [...(listeners.get(type) ?? []), fn]),
    fire: (type: string, event: Record<string, unknown> = {}) => (listeners.get(type) ?? []).forEach((fn) => fn({ type, ...event })),
  };
}

export interface Sent {
  via: 'fetch' | 'beacon';
  keepalive?: boolean;
  events: { event_id: string; event_type: string; [k: string]: unknown }[];
}

const NAMES = ['window', 'document', 'location', 'history', 'localStorage', 'sessionStorage', 'navigator', 'screen', 'fetch'] as const;

export function installBrowser(options: { url?: string; local?: Storage & Record<string, string>; session?: Storage & Record<string, string>; hidden?: boolean } = {}) {
  const saved = NAMES.map((n) => Object.getOwnPropertyDescriptor(globalThis, n));
  const sent: Sent[] = [];
  const answers: (number | 'network')[] = [];
  const retryAfter: (string | null)[] = [];
  const pending: (() => void)[] = [];
  const logs: unknown[][] = [];
  let beaconOk = true;
  const win = target();
  const doc = { ...target(), title: 'Home', hidden: !!options.hidden, referrer: 'https://ref.example/', currentScript: null as unknown };
  const loc = {
    href: options.url ?? 'https://shop.example/',
    get protocol() {
      return new URL(this.href).protocol;
    },
    get hostname() {
      return new URL(this.href).hostname;
    },
  };
  const navigate = (url: string) => (loc.href = new URL(url, loc.href).href);
  const history = {
    pushState: (_s: unknown, _t: string, url: string) => navigate(url),
    replaceState: (_s: unknown, _t: string, url: string) => navigate(url),
  };
  const fetchFake = (_url: string, init: { body: string; keepalive: boolean }) => {
    sent.push({ via: 'fetch', keepalive: init.keepalive, events: JSON.parse(init.body) });
    const status = answers.shift() ?? 200;
    const after = retryAfter.shift() ?? null;
    return new Promise((resolve, reject) =>
      pending.push(() => (status === 'network' ? reject(new TypeError('Failed to fetch')) : resolve({ status, headers: { get: () => after } }))),
    );
  };
  const navigatorFake = {
    userAgent: 'TestAgent/1.0',
    webdriver: false,
    doNotTrack: null as string | null,
    sendBeacon: (_url: string, body: string) => {
      if (beaconOk) sent.push({ via: 'beacon', events: JSON.parse(body) });
      return beaconOk;
    },
  };
  const values = {
    window: win,
    document: doc,
    location: loc,
    history,
    localStorage: options.local ?? fakeStore(),
    sessionStorage: options.session ?? fakeStore(),
    navigator: navigatorFake,
    screen: { width: 1280, height: 720 },
    fetch: fetchFake,
  };
  for (const name of NAMES) Object.defineProperty(globalThis, name, { value: values[name], configurable: true, writable: true });
  const originalInfo = console.info;
  console.info = (...args: unknown[]) => logs.push(args);

  return {
    sent,
    logs,
    local: values.localStorage as Storage & Record<string, string>,
    session: values.sessionStorage as Storage & Record<string, string>,
    document: doc,
    window: win,
    location: loc,
    navigator: navigatorFake,
    /** Scripts the answers of the next fetches (default 200), with optional Retry-After values. */
    answer: (...a: (number | 'network' | [number, string])[]) => {
      for (const x of a) {
        answers.push(Array.isArray(x) ? x[0] : x);
        retryAfter.push(Array.isArray(x) ? x[1] : null);
      }
    },
    /** Delivers the responses in flight and lets the tracker react. */
    respond: async () => {
      while (pending.length) pending.shift()!();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    },
    inFlight: () => pending.length,
    failBeacons: () => (beaconOk = false),
    click: (el: FakeElement) => doc.fire('click', { target: el }),
    hide: () => {
      doc.hidden = true;
      doc.fire('visibilitychange');
    },
    show: () => {
      doc.hidden = false;
      doc.fire('visibilitychange');
    },
    events: () => sent.flatMap((s) => s.events),
    uninstall: () => {
      NAMES.forEach((name, i) => {
        const d = saved[i];
        if (d) Object.defineProperty(globalThis, name, d);
        else delete (globalThis as Record<string, unknown>)[name];
      });
      console.info = originalInfo;
    },
  };
}

export type FakeBrowser = ReturnType<typeof installBrowser>;
