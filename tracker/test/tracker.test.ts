// The tracker's delivery behaviour in Node: batching, retries, the stored queue, exit beacons
// and page views, with a scripted network and mocked time.
import { afterEach, beforeEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateIncomingEvent } from '../../contract/index.ts';
import { readConfig } from '../src/config.ts';
import { createTracker } from '../src/tracker.ts';
import { ORPHAN_AFTER_MS, STORAGE_PREFIX } from '../src/queue.ts';
import { fakeBrowser, fakeStore } from './fake-browser.ts';

const config = readConfig((n) => (n === 'data-endpoint' ? 'https://c.example/analytics' : null), { protocol: 'https:', hostname: 'x' });
const SESSION = 'session-1-test';
const KEY = STORAGE_PREFIX + SESSION;

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.parse('2026-01-01T00:00:00Z') }));
afterEach(() => mock.timers.reset());

const stored = (store: Record<string, string>) => JSON.parse(store[KEY] ?? '{"q":[]}') as { f: boolean; q: { event_type: string }[] };

test('a page view goes out within 1 s in one batch, valid by the contract, and the stored queue empties', async () => {
  const f = fakeBrowser();
  const t = createTracker(config, SESSION, f.browser);
  t.pageView('https://ref.example/', true);
  t.add('button_click', { section: 'hero' }, 'btn-action-1');
  assert.equal(stored(f.store).q.length, 2, 'stored before sending');
  mock.timers.tick(999);
  assert.equal(f.sent.length, 0);
  mock.timers.tick(1);
  assert.deepEqual(f.sent.map(f.types), [['page_view', 'button_click']]);
  for (const e of f.sent[0]!.events) assert.ok(validateIncomingEvent(e).ok);
  assert.equal(f.sent[0]!.events[0]!.session_id, SESSION);
  await f.respond();
  assert.equal(f.store[KEY], undefined);
});

test('20 queued events flush at once, without waiting for the timer', () => {
  const f = fakeBrowser();
  const t = createTracker(config, SESSION, f.browser);
  for (let i = 0; i < 20; i++) t.add('button_click', {}, `b${i}`);
  assert.equal(f.sent.length, 1);
  assert.equal(f.sent[0]!.events.length, 20);
});

test('network errors, 429 and 5xx are retried with backoff (Retry-After honoured); the same events, once each', async () => {
  const f = fakeBrowser();
  const t = createTracker(config, SESSION, f.browser);
  f.answer([0, null], [503, '5'], [429, '2'], [200, null]);
  t.add('button_click', {}, 'a');
  mock.timers.tick(1000);
  await f.respond(); // network error: retry within 0.5-1 s
  assert.equal(stored(f.store).f, true);
  t.add('button_click', {}, 'b'); // queued during backoff: no extra request
  mock.timers.tick(499);
  assert.equal(f.sent.length, 1);
  mock.timers.tick(501);
  assert.equal(f.sent.length, 2);
  await f.respond(); // 503, Retry-After: 5
  mock.timers.tick(4999);
  assert.equal(f.sent.length, 2);
  mock.timers.tick(1);
  await f.respond(); // 429, Retry-After: 2
  mock.timers.tick(2000);
  assert.equal(f.sent.length, 4);
  await f.respond(); // 200
  const first = f.sent.map((s) => s.events[0]!.event_id);
  assert.equal(new Set(first).size, 1, 'every attempt carries the same event a');
  assert.deepEqual(f.sent[3]!.events.map((e) => e.button_id), ['a', 'b']);
  assert.equal(f.store[KEY], undefined);
  mock.timers.tick(120_000);
  assert.equal(f.sent.length, 4, 'nothing sent twice after success');
});

test('other 4xx answers drop the batch: no retry', async () => {
  const f = fakeBrowser();
  const t = createTracker(config, SESSION, f.browser);
  f.answer([400, null]);
  t.add('bad', {});
  mock.timers.tick(1000);
  await f.respond();
  mock.timers.tick(120_000);
  assert.equal(f.sent.length, 1);
  assert.equal(f.store[KEY], undefined);
});

test('exit ends the view once (page_unload with visible time) and beacons the queue', () => {
  const f = fakeBrowser();
  const t = createTracker(config, SESSION, f.browser);
  t.pageView('', true);
  mock.timers.tick(300);
  t.add('button_click', {}, 'x');
  mock.timers.tick(200); // inside the batch delay: nothing posted yet
  t.exit();
  t.exit(); // pagehide after visibilitychange: no second unload
  assert.deepEqual(f.sent.map((s) => [s.via, ...f.types(s)]), [['beacon', 'page_view', 'button_click', 'page_unload']]);
  const unload = f.sent[0]!.events[2]!;
  assert.deepEqual(unload.metadata, { time_on_page_ms: 500 });
  assert.equal(unload.page_url, 'https://shop.example/');
  assert.equal(f.store[KEY], undefined);
});

test('a page opened hidden counts visible time from when it was shown', () => {
  const f = fakeBrowser();
  const t = createTracker(config, SESSION, f.browser);
  t.pageView('', false);
  mock.timers.tick(5000);
  t.visible();
  mock.timers.tick(700);
  t.exit();
  assert.deepEqual(f.sent.at(-1)!.events.at(-1)!.metadata, { time_on_page_ms: 700 });
});

test('events on the wire in a keepalive request are neither beaconed nor stored again at exit', () => {
  const f = fakeBrowser();
  const t = createTracker(config, SESSION, f.browser);
  t.add('first', {});
  mock.timers.tick(1000);
  assert.equal(f.inFlight(), 1);
  t.add('second', {});
  t.exit();
  assert.deepEqual(f.sent.map(f.types), [['first'], ['second']]);
  assert.equal(f.store[KEY], undefined);
});

test('when the collector was failing, exit stores the queue for the next page instead of beaconing', async () => {
  const store = fakeStore();
  const f = fakeBrowser(store);
  const t = createTracker(config, SESSION, f.browser);
  f.answer([0, null]);
  t.pageView('', true);
  mock.timers.tick(1000);
  await f.respond();
  t.add('navigation_click', { destination: 'https://shop.example/2' });
  t.exit();
  assert.equal(f.sent.filter((s) => s.via === 'beacon').length, 0);
  assert.deepEqual(stored(store).q.map((e) => e.event_type), ['page_view', 'navigation_click', 'page_unload']);

  // The tab's next page resumes the queue and sends it, once, ahead of its own events.
  const next = fakeBrowser(store);
  const t2 = createTracker(config, SESSION, next.browser);
  t2.pageView('https://shop.example/', true);
  mock.timers.tick(1000);
  assert.deepEqual(next.sent.map(next.types), [['page_view', 'navigation_click', 'page_unload', 'page_view']]);
  await next.respond();
  assert.equal(store[KEY], undefined);
});

test('a beacon refused by the browser (quota) leaves the events stored', () => {
  const f = fakeBrowser();
  f.failBeacons();
  const t = createTracker(config, SESSION, f.browser);
  t.add('kept', {});
  t.exit();
  assert.deepEqual(stored(f.store).q.map((e) => e.event_type), ['kept']);
});

test('queues of other tabs: adopted when abandoned, left alone while fresh; other keys untouched', () => {
  const old = { t: Date.now() - ORPHAN_AFTER_MS - 1, f: false, q: [{ event_id: 'old-1', event_type: 'orphan', page_url: 'https://x/' }] };
  const fresh = { t: Date.now() - 1000, f: false, q: [{ event_id: 'fresh-1', event_type: 'other-tab', page_url: 'https://x/' }] };
  const store = fakeStore({
    [`${STORAGE_PREFIX}session-old`]: JSON.stringify(old),
    [`${STORAGE_PREFIX}session-fresh`]: JSON.stringify(fresh),
    [`${STORAGE_PREFIX}session-broken`]: '{',
    unrelated: 'keep me',
  });
  const f = fakeBrowser(store);
  createTracker(config, SESSION, f.browser);
  mock.timers.tick(0);
  assert.equal(store[`${STORAGE_PREFIX}session-old`], undefined);
  assert.ok(store[`${STORAGE_PREFIX}session-fresh`]);
  assert.equal(store.unrelated, 'keep me');
  assert.deepEqual(stored(store).q.map((e) => e.event_type), ['orphan']);
});

test('SPA navigation: the previous view ends on its own URL, the next starts with the old URL as referrer', () => {
  const f = fakeBrowser();
  const t = createTracker(config, SESSION, f.browser);
  t.pageView('', true);
  mock.timers.tick(100);
  f.page.url = 'https://shop.example/?tab=details';
  t.pageView('https://shop.example/', true);
  t.exit();
  const events = f.sent.flatMap((s) => s.events);
  assert.deepEqual(events.map((e) => [e.event_type, e.page_url]), [
    ['page_view', 'https://shop.example/'],
    ['page_unload', 'https://shop.example/'],
    ['page_view', 'https://shop.example/?tab=details'],
    ['page_unload', 'https://shop.example/?tab=details'],
  ]);
  assert.deepEqual(events[2]!.metadata, { referrer: 'https://shop.example/', screen_width: 1280, screen_height: 720 });
});

test('custom events: valid ones queued with a copy of their metadata, others ignored', () => {
  const f = fakeBrowser();
  const t = createTracker(config, SESSION, f.browser);
  t.track('signup', { plan: 'pro' });
  t.track('nothing', [1]);
  t.exit();
  assert.deepEqual(f.sent.flatMap((s) => s.events).map((e) => [e.event_type, e.metadata]), [['signup', { plan: 'pro' }]]);
});
