// The real browser behind the tracker's seam. Where localStorage is blocked (all site data
// refused), reading it throws and the tracker stays off: the visitor refused storage.
import type { Browser } from './tracker.ts';

export const realBrowser = (debug: boolean): Browser => ({
  store: localStorage,
  currentPage: () => ({ url: location.href, title: document.title }),
  agent: navigator.userAgent,
  screenSize: [screen.width, screen.height],
  // A string body goes as text/plain: a CORS-simple request, so no preflight can be lost.
  post: (url, body) =>
    fetch(url, { method: 'POST', body, keepalive: true, credentials: 'omit' }).then(
      (r) => [r.status, r.headers.get('Retry-After')],
      () => [0, null],
    ),
  beacon: (url, body) => navigator.sendBeacon(url, body),
  // eslint-disable-next-line no-console -- the opt-in debug output the runbook reads
  debugLog: (...message) => debug && console.info('[analytics]', ...message),
});
