// The tracker at run time, in Node with a fake browser: page views, clicks, batching, retries,
// the stored queue, exit beacons and SPA navigation, with a scripted network and mocked time.
import { afterEach, beforeEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { LIMITS, validateIncomingEvent } from '#contract';
import { ANONYMOUS_ID_KEY, BATCH_DELAY_MS, ORPHAN_AFTER_MS, SESSION_KEY, SPA_MAX_WAIT_MS, SPA_SETTLE_MS, STORAGE_PREFIX } from '../src/settings.ts';
import { startTracker, type Api } from '../src/tracker.ts';
import { element } from './fake-dom.ts';
import { fakeStore, installBrowser, type FakeBrowser } from './fake-browser.ts';

const ENDPOINT = 'https://c.example/analytics';
const SESSION = 'session-1-test';
const KEY = STORAGE_PREFIX + SESSION;
let b: FakeBrowser | undefined;

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.parse('2026-01-01T00:00:00Z') }));
afterEach(() => {
  b?.uninstall();
  b = undefined;
  mock.timers.reset();
});

/** Opens a page of the tab whose storage is given (a new tab when omitted) and starts the tracker. */
function open(options: Parameters<typeof installBrowser>[0] = {}, siteId?: string, anonymousId = false) {
  if (b) {
    // The previous page is gone, and its timers with it.
    b.uninstall();
    const now = Date.now();
    mock.timers.reset();
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now });
  }
  b = installBrowser({ session: fakeStore({ [SESSION_KEY]: SESSION }), ...options });
  const api: Api = { track() {} };
  startTracker({ endpoint: ENDPOINT, siteId, debug: true, anonymousId }, api);
  return { b, api };
}

const stored = (store: Record<string, string>) => JSON.parse(store[KEY] ?? '{"q":[]}') as { f: boolean; q: { event_type: string }[] };
const types = (f: FakeBrowser) => f.sent.map((s) => [s.via, ...s.events.map((e) => e.event_type)]);

test('page view and clicks go out after the batch delay in one batch, valid by the contract, then the stored queue empties', async () => {
  const { b } = open({}, 'site-1');
  const hero = element('section', { 'data-section': 'hero' });
  b.click(element('path', {}, '', element('button', { id: 'btn-action-1' }, 'Go', hero)));
  b.click(element('a', { href: '/page2.html' }, 'Page 2', hero));
  b.click(element('p', {}, 'not tracked', hero));
  assert.equal(stored(b.local).q.length, 3, 'stored before sending');
  mock.timers.tick(BATCH_DELAY_MS - 1);
  assert.equal(b.sent.length, 0);
  mock.timers.tick(1);
  assert.deepEqual(types(b), [['fetch', 'page_view', 'button_click', 'navigation_click']]);
  const [view, click, nav] = b.sent[0]!.events;
  for (const e of b.sent[0]!.events) assert.ok(validateIncomingEvent(e).ok, JSON.stringify(validateIncomingEvent(e)));
  assert.deepEqual([view!.referrer, view!.screen_width, view!.metadata], ['https://ref.example/', 1280, { screen_height: 720 }]);
  for (const e of [click!, nav!]) assert.ok(!('referrer' in e) && !('screen_width' in e), 'page views only');
  assert.ok(b.sent[0]!.events.every((e) => !('anonymous_id' in e)), 'no anonymous id unless data-anonymous-id');
  assert.equal(view!.session_id, SESSION);
  assert.equal(view!.site_id, 'site-1');
  assert.equal(click!.button_id, 'btn-action-1');
  assert.deepEqual(click!.metadata, { page_section: 'hero' });
  assert.deepEqual(nav!.metadata, { destination: 'http://demo.test/page2.html', link_text: 'Page 2' });
  assert.equal(b.sent[0]!.keepalive, true);
  await b.respond();
  assert.equal(b.local[KEY], undefined);
  assert.deepEqual(b.logs.at(-1)?.slice(0, 2), ['[analytics]', 200]);
});

test('a new tab gets a session id of the form session-<ms>-<random>, kept in sessionStorage', () => {
  b = installBrowser();
  startTracker({ endpoint: ENDPOINT, siteId: undefined, debug: false, anonymousId: false }, { track() {} });
  assert.match(b.session[SESSION_KEY]!, /^session-\d{13}-[0-9a-z]+$/);
  mock.timers.tick(1000);
  assert.equal(b.sent[0]!.events[0]!.session_id, b.session[SESSION_KEY]);
  assert.equal(b.logs.length, 0, 'quiet without data-debug');
});

test('20 queued events flush at once, without waiting for the timer', () => {
  const { b, api } = open();
  for (let i = 0; i < 19; i++) api.track('custom', { i });
  assert.equal(b.sent.length, 1);
  assert.equal(b.sent[0]!.events.length, 20);
});

test('network errors, 429 and 5xx are retried with backoff (Retry-After honoured); no request while backing off', async () => {
  const { b, api } = open();
  b.answer('network', [503, '5'], [429, '2'], 200);
  mock.timers.tick(1000);
  await b.respond(); // network error: retry in 0.5-1 s
  assert.equal(stored(b.local).f, true);
  for (let i = 0; i < 25; i++) api.track('during_backoff'); // neither the count nor the timer sends now
  mock.timers.tick(499);
  assert.equal(b.sent.length, 1);
  mock.timers.tick(501);
  assert.equal(b.sent.length, 2);
  await b.respond(); // 503, Retry-After: 5
  mock.timers.tick(4999);
  assert.equal(b.sent.length, 2);
  mock.timers.tick(1);
  await b.respond(); // 429, Retry-After: 2
  mock.timers.tick(2000);
  assert.equal(b.sent.length, 4);
  assert.equal(new Set(b.sent.map((s) => s.events[0]!.event_id)).size, 1, 'every attempt starts with the same page view');
  await b.respond(); // 200, then the rest drains
  await b.respond();
  const delivered = b.sent.slice(3).flatMap((s) => s.events);
  assert.equal(delivered.length, 26);
  assert.equal(new Set(delivered.map((e) => e.event_id)).size, 26);
  assert.equal(b.local[KEY], undefined);
  mock.timers.tick(120_000);
  assert.equal(b.sent.length, 5, 'nothing sent twice after success');
});

test('other 4xx answers drop the batch: no retry', async () => {
  const { b } = open();
  b.answer(400);
  mock.timers.tick(1000);
  await b.respond();
  mock.timers.tick(120_000);
  assert.equal(b.sent.length, 1);
  assert.equal(b.local[KEY], undefined);
});

test('hiding the page ends the view once (page_unload with visible time) and beacons the queue', () => {
  const { b } = open();
  mock.timers.tick(100);
  b.click(element('button', { id: 'x' }));
  mock.timers.tick(BATCH_DELAY_MS - 150); // inside the batch delay: nothing posted yet
  b.hide();
  b.window.fire('pagehide');
  assert.deepEqual(types(b), [['beacon', 'page_view', 'button_click', 'page_unload']]);
  const unload = b.sent[0]!.events[2]!;
  assert.deepEqual(unload.metadata, { time_on_page: BATCH_DELAY_MS - 50 });
  assert.ok(validateIncomingEvent(unload).ok);
  assert.equal(b.local[KEY], undefined);
  b.show(); // back to the tab: the view has ended, nothing more
  b.hide();
  assert.equal(b.events().filter((e) => e.event_type === 'page_unload').length, 1);
});

test('a page opened in the background counts visible time from when it is shown', () => {
  const { b } = open({ hidden: true });
  mock.timers.tick(5000);
  b.show();
  mock.timers.tick(700);
  b.window.fire('pagehide');
  assert.deepEqual(b.events().at(-1)!.metadata, { time_on_page: 700 });
});

test('events on the wire in a keepalive request are neither beaconed nor stored again at exit', () => {
  const { b, api } = open();
  mock.timers.tick(1000);
  assert.equal(b.inFlight(), 1);
  api.track('second');
  b.window.fire('pagehide');
  assert.deepEqual(types(b), [['fetch', 'page_view'], ['beacon', 'second', 'page_unload']]);
  assert.equal(b.local[KEY], undefined);
});

test('a keepalive request on the wire at pagehide whose promise then rejects (the page left) is not queued again for the next page', async () => {
  const local = fakeStore();
  const { b } = open({ local });
  // The browser finishes the request; the leaving page's promise sees a network error.
  b.answer('network');
  mock.timers.tick(1000);
  assert.equal(b.inFlight(), 1);
  b.window.fire('pagehide');
  await b.respond();
  assert.equal(local[KEY], undefined, 'nothing stored for the next page to re-send');
  mock.timers.tick(120_000);
  assert.deepEqual(types(b), [['fetch', 'page_view'], ['beacon', 'page_unload']], 'no retry from the leaving page');
});

test('when delivery was failing, exit beacons the queue and also keeps it for the tab next page, which re-sends it', async () => {
  const local = fakeStore();
  const first = open({ local }).b;
  first.answer('network');
  mock.timers.tick(1000);
  await first.respond();
  first.click(element('a', { href: '/page2.html' }, 'Page 2'));
  first.window.fire('pagehide');
  // The beacon serves a visitor who never returns; its fate is unknown, so the queue stays too.
  assert.deepEqual(
    first.sent.filter((s) => s.via === 'beacon').map((s) => s.events.map((e) => e.event_type)),
    [['page_view', 'navigation_click', 'page_unload']],
  );
  assert.deepEqual(stored(local).q.map((e) => e.event_type), ['page_view', 'navigation_click', 'page_unload']);

  const next = open({ local, url: 'https://shop.example/page2.html' }).b;
  mock.timers.tick(1000);
  assert.deepEqual(types(next), [['fetch', 'page_view', 'navigation_click', 'page_unload', 'page_view']]);
  await next.respond();
  assert.equal(local[KEY], undefined);
});

test('a beacon the browser refuses (quota) leaves the events stored', () => {
  const { b, api } = open();
  b.failBeacons();
  api.track('kept');
  b.window.fire('pagehide');
  assert.deepEqual(stored(b.local).q.map((e) => e.event_type), ['page_view', 'kept', 'page_unload']);
});

test('queues of other tabs: adopted when abandoned, left alone while fresh; other keys untouched', () => {
  const old = { t: Date.now() - ORPHAN_AFTER_MS - 1, f: false, q: [{ event_id: 'old-1', event_type: 'orphan', page_url: 'https://x/' }] };
  const fresh = { t: Date.now() - 1000, f: false, q: [{ event_id: 'fresh-1', event_type: 'other_tab', page_url: 'https://x/' }] };
  const local = fakeStore({
    [`${STORAGE_PREFIX}session-old`]: JSON.stringify(old),
    [`${STORAGE_PREFIX}session-fresh`]: JSON.stringify(fresh),
    [`${STORAGE_PREFIX}session-broken`]: '{',
    unrelated: 'keep me',
  });
  const { b } = open({ local });
  assert.equal(local[`${STORAGE_PREFIX}session-old`], undefined);
  assert.ok(local[`${STORAGE_PREFIX}session-fresh`]);
  assert.equal(local.unrelated, 'keep me');
  mock.timers.tick(1000);
  assert.deepEqual(types(b), [['fetch', 'orphan', 'page_view']]);
});

test('SPA navigation: one page view per URL change after a burst, none for fragments; the old view ends on its URL', () => {
  const { b } = open();
  mock.timers.tick(100);
  history.pushState({}, '', '?tab=details');
  history.replaceState({}, '', '?tab=details');
  history.replaceState({}, '', '?tab=details');
  mock.timers.tick(SPA_SETTLE_MS);
  history.pushState({}, '', '#section');
  mock.timers.tick(SPA_SETTLE_MS);
  history.replaceState({}, '', '?tab=reviews');
  b.window.fire('popstate');
  mock.timers.tick(SPA_SETTLE_MS);
  b.window.fire('pagehide');
  assert.deepEqual(
    b.events().map((e) => [e.event_type, e.page_url]),
    [
      ['page_view', 'https://shop.example/'],
      ['page_unload', 'https://shop.example/'],
      ['page_view', 'https://shop.example/?tab=details'],
      ['page_unload', 'https://shop.example/?tab=details'],
      ['page_view', 'https://shop.example/?tab=reviews'],
      ['page_unload', 'https://shop.example/?tab=reviews'],
    ],
  );
  // An SPA navigation's referrer is the previous URL, as a browser would send it.
  assert.deepEqual([b.events()[2]!.referrer, b.events()[2]!.screen_width], ['https://shop.example/', 1280]);
});

test('SPA burst: the settle timer restarts on each call, so five replaceState 30 ms apart are one view', () => {
  const { b } = open();
  for (const q of ['h', 'he', 'hel', 'hell', 'hello']) {
    history.replaceState({}, '', `?q=${q}`);
    mock.timers.tick(30);
  }
  mock.timers.tick(SPA_SETTLE_MS);
  b.window.fire('pagehide');
  assert.deepEqual(b.events().filter((e) => e.event_type === 'page_view').map((e) => e.page_url), ['https://shop.example/', 'https://shop.example/?q=hello']);
});

test('SPA burst: calls that never pause still make a view once the burst is SPA_MAX_WAIT_MS old', () => {
  const { b } = open();
  let i = 0;
  for (; i * 30 <= SPA_MAX_WAIT_MS + 30; i++) {
    history.replaceState({}, '', `?n=${i}`);
    mock.timers.tick(30);
  }
  b.window.fire('pagehide');
  const views = b.events().filter((e) => e.event_type === 'page_view').map((e) => e.page_url);
  // The deadline fell during the burst: a view of the URL of that moment; the calls after it are
  // a new burst, whose view the exit records.
  assert.equal(views.length, 3, JSON.stringify(views));
  assert.match(String(views[1]), /\?n=3[0-9]$/);
  assert.equal(views[2], `https://shop.example/?n=${i - 1}`);
});

test('SPA navigation left or clicked within the settle window still counts its view, before the click', () => {
  const { b } = open();
  history.pushState({}, '', '?tab=details');
  b.click(element('button', { id: 'buy' }, 'Buy'));
  history.pushState({}, '', '?tab=reviews');
  b.window.fire('pagehide');
  assert.deepEqual(
    b.events().map((e) => [e.event_type, e.page_url]),
    [
      ['page_view', 'https://shop.example/'],
      ['page_unload', 'https://shop.example/'],
      ['page_view', 'https://shop.example/?tab=details'],
      ['button_click', 'https://shop.example/?tab=details'],
      ['page_unload', 'https://shop.example/?tab=details'],
      ['page_view', 'https://shop.example/?tab=reviews'],
      ['page_unload', 'https://shop.example/?tab=reviews'],
    ],
  );
});

test('back/forward cache: a restored page counts a new view', () => {
  const { b } = open();
  b.window.fire('pagehide', { persisted: true });
  b.document.hidden = false;
  b.window.fire('pageshow', { persisted: true });
  b.window.fire('pageshow', { persisted: false });
  b.window.fire('pagehide');
  assert.deepEqual(b.events().map((e) => e.event_type), ['page_view', 'page_unload', 'page_view', 'page_unload']);
});

test('custom events: metadata copied when tracked; non-JSON refused without throwing', () => {
  const { b, api } = open();
  const metadata = { plan: 'pro' };
  api.track('signup', metadata);
  metadata.plan = 'changed';
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.doesNotThrow(() => api.track('cyclic', cyclic));
  b.window.fire('pagehide');
  assert.deepEqual(b.events().filter((e) => e.event_type !== 'page_view' && e.event_type !== 'page_unload').map((e) => [e.event_type, e.metadata]), [['signup', { plan: 'pro' }]]);
});

test('a lone event too big for keepalive goes without it instead of failing forever', () => {
  const { b, api } = open();
  api.track('huge', { blob: 'x'.repeat(70_000) });
  mock.timers.tick(1000);
  assert.deepEqual(b.sent.map((s) => [s.events.length, s.keepalive]), [[1, true]]);
  return b.respond().then(() => {
    assert.deepEqual(b!.sent.map((s) => [s.events.length, s.keepalive]), [[1, true], [1, false]]);
  });
});

test('data-anonymous-id: one id per browser, kept in localStorage and sent with every event; none without the option', () => {
  const { b: first } = open({}, undefined, true);
  const id = first.local[ANONYMOUS_ID_KEY];
  assert.match(id ?? '', /^[0-9a-f-]{36}$/);
  first.click(element('button', { id: 'go' }, 'Go'));
  mock.timers.tick(1000);
  assert.deepEqual(first.events().map((e) => e.anonymous_id), [id, id]);
  // The next page of the browser (another tab too) keeps the id.
  const { b: next } = open({ local: first.local }, undefined, true);
  mock.timers.tick(1000);
  assert.equal(next.events()[0]!.anonymous_id, id);
  const { b: off } = open({ local: fakeStore() });
  mock.timers.tick(1000);
  assert.equal('anonymous_id' in off.events()[0]!, false);
  assert.equal(off.local[ANONYMOUS_ID_KEY], undefined, 'nothing stored without the option');
});

test('data-anonymous-id where localStorage refuses writes: no id (never one made up per page), events still sent, nothing thrown', () => {
  const local = fakeStore();
  const refusing = new Proxy(local, {
    set() {
      throw new DOMException('quota', 'QuotaExceededError');
    },
  });
  const { b } = open({ local: refusing }, undefined, true);
  mock.timers.tick(1000);
  assert.deepEqual(b.events().map((e) => [e.event_type, 'anonymous_id' in e]), [['page_view', false]]);
});

test('a page view without a referrer sends none; a long one is cut to the contract\'s limit', () => {
  for (const [given, expected] of [['', undefined], [`https://ref.example/${'r'.repeat(600)}`, `https://ref.example/${'r'.repeat(600)}`.slice(0, LIMITS.referrer)]] as const) {
    b?.uninstall();
    b = installBrowser({ session: fakeStore({ [SESSION_KEY]: SESSION }) });
    b.document.referrer = given;
    startTracker({ endpoint: ENDPOINT, siteId: undefined, debug: false, anonymousId: false }, { track() {} });
    mock.timers.tick(1000);
    const view = b.events()[0]!;
    assert.equal(view.referrer, expected);
    assert.equal('referrer' in view, expected !== undefined);
    assert.ok(validateIncomingEvent(view).ok);
  }
});
