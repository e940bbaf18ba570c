// analytics.js: wires the tracker to the page. Every entry point runs inside `guard`, so a
// failure in the tracker never reaches the host page; nothing here delays navigation.
import { blocked, readConfig } from './config.ts';
import { describeClick, type ElementLike } from './click-target.ts';
import { newSessionId } from './ids.ts';
import { realBrowser } from './browser.ts';
import { createTracker } from './tracker.ts';

/** Set this localStorage key (any value) to opt a browser out. */
export const OPT_OUT_KEY = 'analytics_opt_out';
const SESSION_KEY = 'analytics_session';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wraps handlers of every shape
const guard = <A extends any[]>(fn: (...args: A) => void) => (...args: A): void => {
  try {
    fn(...args);
  } catch {
    // The host page must never see the tracker fail.
  }
};

const w = window as unknown as { analytics: { track: (name: string, metadata?: object) => void } };
w.analytics = { track() {} };

guard(() => {
  const script = document.currentScript;
  const config = readConfig((name) => script && script.getAttribute(name), location);
  const b = realBrowser(config.debug);
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  const signals = { optedOut: b.store.getItem(OPT_OUT_KEY), automated: nav.webdriver, dntOrGpc: nav.doNotTrack == '1' || nav.globalPrivacyControl };
  if (blocked(config, signals)) return;

  // One session per tab: sessionStorage survives reloads and the tab's navigations.
  const session = sessionStorage.getItem(SESSION_KEY) || newSessionId();
  sessionStorage.setItem(SESSION_KEY, session);
  const tracker = createTracker(config, session, b);
  w.analytics.track = guard(tracker.track);

  const isVisible = () => !document.hidden;
  const path = () => location.href.split('#')[0]!;
  let lastUrl = '';
  let pending: ReturnType<typeof setTimeout> | 0 = 0;
  // One page view per change of path or query (a fragment scrolls within the page), once a
  // burst of history calls has settled.
  const urlChanged = guard((referrer?: string) => {
    pending = 0;
    if (path() != lastUrl) tracker.pageView(referrer ?? lastUrl, isVisible());
    lastUrl = path();
  });
  urlChanged(document.referrer);
  const soon = () => (pending = pending || setTimeout(urlChanged, 50));
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
  // Capture phase, so pages that stop propagation are still counted; middle clicks open links.
  const click = (e: MouseEvent) => {
    const found = e.button < 2 && describeClick(e.target as unknown as ElementLike);
    if (found) tracker.add(...found);
  };
  on(document, 'click', click);
  on(document, 'auxclick', click);
  on(document, 'visibilitychange', () => (isVisible() ? tracker.visible() : tracker.exit()));
  on(window, 'pagehide', tracker.exit);
  // Back from the back/forward cache: a new view of the same page.
  on(window, 'pageshow', (e: PageTransitionEvent) => {
    if (e.persisted) {
      lastUrl = '';
      urlChanged(document.referrer);
    }
  });
})();
