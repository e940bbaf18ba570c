// analytics.js in real Chromium against the demo site, the real collector process, Kafka and
// the pipeline: every click, navigation and unload arrives once with the right fields, in Kafka
// and as one row in analytics_events, also across a collector outage; the page never shows a
// console error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, stat } from 'node:fs/promises';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import type { Consumer, Kafka } from 'kafkajs';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_PROJECT_ID } from '#contract';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { ROOT } from '../support/services.ts';
import { waitFor, type Service } from '../support/service-kit.ts';
import { collectorProcess, launchChromium, pipelineProcess, readTopic, startDemo, type Received } from './harness.ts';

let kafka: Kafka;
let topic: string;
let dlqTopic: string;
let collector: Service<'collector'>;
let pipeline: Service<'pipeline'>;
let db: TestDatabase;
let demo: { app: FastifyInstance; origin: string };
let browser: Browser;
let reader: { consumer: Consumer; received: Received[] };

before(async () => {
  kafka = await testKafka('browser-test');
  topic = await createTopic(kafka, 'test-browser');
  dlqTopic = await createTopic(kafka, 'test-browser-dlq', 1);
  db = await createTestDatabase('analytics_test_browser');
  collector = await collectorProcess(topic);
  pipeline = await pipelineProcess(topic, dlqTopic, db.url);
  await Promise.all([collector.start(), pipeline.start()]);
  demo = await startDemo(`${collector.url}/analytics`);
  reader = await readTopic(kafka, topic);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await reader?.consumer.disconnect();
  await collector?.stop();
  await pipeline?.stop();
  await demo?.app.close();
  await db?.drop();
  if (topic) await deleteTopics(kafka, [topic, dlqTopic]);
});

/** A fresh tab in a fresh profile, with its console recorded. */
async function openTab(): Promise<{ page: Page; messages: ConsoleMessage[]; pageErrors: Error[] }> {
  // A visitor's user agent, not a bot's: launchChromium sets it.
  const context = await browser.newContext();
  const page = await context.newPage();
  const messages: ConsoleMessage[] = [];
  const pageErrors: Error[] = [];
  page.on('console', (m) => messages.push(m));
  page.on('pageerror', (e) => pageErrors.push(e));
  return { page, messages, pageErrors };
}

/** The tracker's debug lines: `[analytics] <status> <events>`. */
const statuses = (messages: ConsoleMessage[]) => messages.filter((m) => m.text().startsWith('[analytics]')).map((m) => Number(m.text().split(' ')[1]));

async function sessionOf(page: Page): Promise<string> {
  return page.evaluate(() => sessionStorage.getItem('analytics_session')!);
}

/** Closes the tab the way a visitor does, letting its pagehide run. */
async function closeTab(page: Page): Promise<void> {
  await page.close({ runBeforeUnload: true });
  await waitFor('tab closed', () => page.isClosed());
}

function eventsOf(session: string): Received[] {
  return reader.received.filter((r) => r.event.session_id === session);
}

/** The session's rows in analytics_events, once the pipeline has stored `count` of them. */
async function rowsOf(session: string, count: number): Promise<{ event_id: string; event_type: string; button_id: string | null; is_bot: boolean }[]> {
  const query = () => db.pool.query('SELECT event_id::text, event_type, button_id, is_bot FROM analytics_events WHERE session_id = $1 ORDER BY "timestamp"', [session]);
  await waitFor(`${count} rows in analytics_events`, async () => ((await query()).rowCount! >= count ? true : undefined));
  return (await query()).rows;
}

/** What reached Kafka reached the database: the same event ids, one row each. */
async function assertStored(session: string, events: Received['event'][]): Promise<void> {
  const rows = await rowsOf(session, events.length);
  assert.equal(rows.length, events.length, 'one row per event');
  assert.deepEqual(rows.map((r) => r.event_id).sort(), events.map((e) => e.event_id).sort());
  assert.deepEqual(rows.filter((r) => r.is_bot).length, 0, "a visitor's events are not a bot's");
}

test('clicks, navigation to page 2 and back, and closing the tab arrive once each with the right fields', async () => {
  const { page, messages, pageErrors } = await openTab();
  const origin = demo.origin;
  await page.goto(`${origin}/`);
  await page.click('#btn-action-1');
  await page.click('#btn-action-2');
  await page.locator('#btn-action-3 svg').click(); // the icon inside the button
  await page.click('[data-track=card-cta]');
  await page.click('text=Untitled button');
  await page.click('#btn-custom');
  await page.click('#password'); // never reported
  await page.click('#signup-submit');
  // The first batch goes by fetch (the page stays), so the debug line shows its status.
  await waitFor('a delivery logged in the console', () => statuses(messages).length > 0);
  await mkdir(`${ROOT}test-results`, { recursive: true });
  await page.screenshot({ path: `${ROOT}test-results/demo-site.png`, fullPage: true });
  const session = await sessionOf(page);

  await Promise.all([page.waitForURL(`${origin}/page2.html`), page.click('#link-page2')]);
  await page.click('#btn-action-4');
  await page.click('#btn-tab-details'); // history.pushState: a single-page navigation
  await waitFor('SPA URL', async () => page.url().endsWith('?tab=details'));
  assert.equal(await sessionOf(page), session, 'one session across the tab');
  await Promise.all([page.waitForURL(`${origin}/`), page.click('#link-home')]);
  await closeTab(page);

  // 4 views (home, page 2, page 2 ?tab=details, home) + 9 clicks + 2 links + 1 custom + 4 unloads.
  await waitFor('20 events in Kafka', () => eventsOf(session).length >= 20).catch((error: Error) => {
    const got = JSON.stringify(eventsOf(session).map((r) => [r.event.event_type, r.event.page_url]));
    throw new Error(`${error.message}; got ${got}; console ${JSON.stringify(messages.map((m) => m.text()))}; collector ${collector.tail()}`);
  });
  await new Promise((r) => setTimeout(r, 1500)); // anything late would be a duplicate
  const got = eventsOf(session);
  const events = got.map((r) => r.event);
  assert.equal(got.length, 20, JSON.stringify(events.map((e) => e.event_type)));
  assert.equal(new Set(events.map((e) => e.event_id)).size, events.length, 'no event twice');
  // One browser on one address: one visitor (the collector's daily hash), the Kafka key with the project.
  const visitor = String(events[0]!.visitor_id);
  assert.match(visitor, /^h:[0-9a-f]{32}$/);
  for (const r of got) assert.equal(r.key, `${DEFAULT_PROJECT_ID}:${visitor}`, 'Kafka key is the project and the visitor id');
  for (const e of events) assert.match(String(e.user_agent), /Chrome/);
  // Derived by the collector: a desktop Chrome visitor on Linux, not a bot.
  for (const e of events) assert.deepEqual([e.browser, e.os, e.device_type, e.is_bot], ['Chrome', 'Linux', 'desktop', false], JSON.stringify(e));

  const home = `${origin}/`;
  const page2 = `${origin}/page2.html`;
  const tab = `${origin}/page2.html?tab=details`;
  const byType = (type: string) => events.filter((e) => e.event_type === type);
  assert.deepEqual(byType('page_view').map((e) => e.page_url), [home, page2, tab, home]);
  assert.deepEqual(byType('page_view').map((e) => e.page_path), ['/', '/page2.html', '/page2.html', '/']);
  // The first view has no referrer (none sent); the SPA view's is the previous URL.
  assert.deepEqual(byType('page_view').map((e) => e.referrer), [undefined, home, page2, tab]);
  assert.ok(byType('page_view').every((e) => typeof e.screen_width === 'number' && e.screen_width > 0), 'screen.width on every page view');
  assert.ok(events.every((e) => e.event_type === 'page_view' || !('referrer' in e || 'screen_width' in e)), 'page views only');
  assert.deepEqual(byType('page_view').map((e) => e.page_title), ['Analytics Demo - Home', 'Analytics Demo - Page 2', 'Analytics Demo - Page 2', 'Analytics Demo - Home']);

  const unloads = byType('page_unload');
  assert.deepEqual(unloads.map((e) => e.page_url).sort(), [home, home, page2, tab].sort(), 'one page_unload per view');
  for (const u of unloads) assert.ok((u.metadata as { time_on_page: number }).time_on_page > 0, JSON.stringify(u));

  assert.deepEqual(
    byType('button_click').map((e) => [e.button_id, (e.metadata as { page_section: string }).page_section, e.page_url]),
    [
      ['btn-action-1', 'hero', home],
      ['btn-action-2', 'hero', home],
      ['btn-action-3', 'features', home],
      ['card-cta', 'features', home],
      ['Untitled button', 'features', home],
      ['btn-custom', 'features', home],
      ['signup-submit', 'signup', home],
      ['btn-action-4', 'pricing', page2],
      ['btn-tab-details', 'tabs', page2],
    ],
  );
  assert.deepEqual(byType('navigation_click').map((e) => [e.metadata, e.page_url]), [
    [{ destination: page2, link_text: 'Continue to page 2' }, home],
    [{ destination: home, link_text: 'Back to the home page' }, tab],
  ]);
  assert.deepEqual(byType('demo_signup').map((e) => e.metadata), [{ plan: 'free' }]);
  assert.ok(!JSON.stringify(events).includes('secret value'), 'input values are never read');

  assert.deepEqual(pageErrors, []);
  assert.deepEqual(messages.filter((m) => m.type() === 'error').map((m) => m.text()), []);
  assert.ok(statuses(messages).length > 0 && statuses(messages).every((s) => s === 200), `debug lines: ${statuses(messages)}`);
  assert.ok((await stat(`${ROOT}test-results/demo-site.png`)).size > 10_000);
  await assertStored(session, events);
});

test('collector stopped during clicks and restarted: the events still arrive, once each', async () => {
  const { page, messages, pageErrors } = await openTab();
  const origin = demo.origin;
  await page.goto(`${origin}/`);
  await waitFor('page view delivered', () => statuses(messages).includes(200));
  const session = await sessionOf(page);

  await collector.stop();
  await page.click('#btn-action-1');
  await page.click('#btn-action-2');
  await waitFor('a failed delivery', () => statuses(messages).includes(0));
  // Leaving while the collector is down: the queue stays stored and page 2 takes it over.
  await Promise.all([page.waitForURL(`${origin}/page2.html`), page.click('#link-page2')]);
  const before = statuses(messages).length;
  await page.click('#btn-action-4');
  await waitFor('page 2 fails too', () => statuses(messages).slice(before).includes(0));

  await collector.start();
  await waitFor('delivery after the restart', () => statuses(messages).slice(before).includes(200), { timeoutMs: 90_000 });
  await closeTab(page);

  await waitFor('8 events in Kafka', () => eventsOf(session).length >= 8);
  await new Promise((r) => setTimeout(r, 1500));
  const events = eventsOf(session).map((r) => r.event);
  assert.deepEqual(
    events.map((e) => [e.event_type, e.button_id ?? null, e.page_url.replace(origin, '')]).sort(),
    [
      ['page_view', null, '/'],
      ['button_click', 'btn-action-1', '/'],
      ['button_click', 'btn-action-2', '/'],
      ['navigation_click', null, '/'],
      ['page_unload', null, '/'],
      ['page_view', null, '/page2.html'],
      ['button_click', 'btn-action-4', '/page2.html'],
      ['page_unload', null, '/page2.html'],
    ].sort(),
  );
  assert.equal(new Set(events.map((e) => e.event_id)).size, events.length, 'no event twice');
  assert.deepEqual(pageErrors, []);
  // While the collector is down the browser itself reports the refused connections, and while it
  // stops or starts (listening, Kafka not yet connected) its 503 + Retry-After, which the tracker
  // retries; nothing else.
  const transient = (text: string) => text.includes('ERR_CONNECTION_REFUSED') || text.includes('status of 503');
  const errors = messages.filter((m) => m.type() === 'error' && !transient(m.text()));
  assert.deepEqual(errors.map((m) => m.text()), []);
  await assertStored(session, events);
});

test('a History burst (five replaceState 30 ms apart) is one page view; emoji and lone surrogates in page text lose nothing', async () => {
  const { page, messages, pageErrors } = await openTab();
  const origin = demo.origin;
  await page.goto(`${origin}/`);
  const session = await sessionOf(page);
  await page.evaluate(async () => {
    for (const q of ['h', 'he', 'hel', 'hell', 'hello']) {
      history.replaceState({}, '', `?q=${q}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  });
  await waitFor('the burst settled', async () => ((await page.evaluate(() => location.search)) === '?q=hello' ? true : undefined));
  await new Promise((r) => setTimeout(r, 300));
  // 199 characters and an emoji: 201 UTF-16 units, 200 characters, all kept.
  const title = `${'t'.repeat(199)}😀`;
  await page.evaluate((t) => (document.title = t), title);
  await page.click('#btn-action-1');
  // A title holding a lone surrogate (set from script) is sent with U+FFFD, not refused.
  await page.evaluate(() => (document.title = 'lone \uD83D'));
  await page.click('#btn-action-2');
  await closeTab(page);

  await waitFor('5 events in Kafka', () => eventsOf(session).length >= 5 || undefined);
  await new Promise((r) => setTimeout(r, 1500));
  const events = eventsOf(session).map((r) => r.event);
  assert.deepEqual(
    events.map((e) => [e.event_type, e.page_url.replace(origin, '')]),
    [
      ['page_view', '/'],
      ['page_unload', '/'],
      ['page_view', '/?q=hello'],
      ['button_click', '/?q=hello'],
      ['button_click', '/?q=hello'],
      ['page_unload', '/?q=hello'],
    ],
  );
  const clicks = events.filter((e) => e.event_type === 'button_click');
  assert.deepEqual(clicks.map((e) => e.page_title), [title, 'lone \uFFFD']);
  assert.ok(statuses(messages).every((s) => s === 200), `debug lines: ${statuses(messages)}`);
  assert.deepEqual(pageErrors, []);
  await assertStored(session, events);
});

test('a page on an origin not allowed: the collector answers 403 once, the tracker does not retry, nothing is stored', async () => {
  const { page, messages } = await openTab();
  // The demo site under another host name (Chromium resolves *.localhost to the loopback): a
  // copied snippet on a site the collector does not allow.
  await page.goto(`${demo.origin.replace('127.0.0.1', 'other.localhost')}/`);
  await waitFor('the refusal logged', () => statuses(messages).length > 0 || undefined).catch((error: Error) => {
    throw new Error(`${error.message}; console ${JSON.stringify(messages.map((m) => m.text()))}`);
  });
  const session = await sessionOf(page);
  await page.click('#btn-action-1');
  await new Promise((r) => setTimeout(r, 3000));
  // The page view and the click: two batches, each answered 403 once and dropped.
  assert.deepEqual(statuses(messages), [403, 403]);
  await closeTab(page);
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(eventsOf(session), []);
});

test('data-anonymous-id: one id kept in localStorage on every event; an external referrer and the screen width on page views, stored', async (t) => {
  const { page, pageErrors, messages } = await openTab();
  // The demo site with the option on (DEMO_ANONYMOUS_ID), on an origin of its own.
  const withId = await startDemo(`${collector.url}/analytics`, { anonymousId: true });
  t.after(() => withId.app.close());
  const origin = withId.origin;
  await page.goto(`${origin}/`, { referer: 'https://search.example/results?q=analytics' });
  await waitFor('page view delivered', () => statuses(messages).includes(200) || undefined).catch((error: Error) => {
    throw new Error(`${error.message}; console ${JSON.stringify(messages.map((m) => m.text()))}; collector ${collector.tail()}`);
  });
  const session = await sessionOf(page);
  const stored = await page.evaluate(() => localStorage.getItem('analytics_anonymous_id'));
  const width = await page.evaluate(() => screen.width);
  assert.match(stored ?? '', /^[0-9a-f-]{36}$/);
  await Promise.all([page.waitForURL(`${origin}/page2.html`), page.click('#link-page2')]);
  assert.equal(await page.evaluate(() => localStorage.getItem('analytics_anonymous_id')), stored, 'the same id on the next page');
  await closeTab(page);

  await waitFor('5 events in Kafka', () => eventsOf(session).length >= 5 || undefined).catch((error: Error) => {
    throw new Error(`${error.message}; got ${JSON.stringify(eventsOf(session).map((r) => r.event.event_type))}; console ${JSON.stringify(messages.map((m) => m.text()))}`);
  });
  const events = eventsOf(session).map((r) => r.event);
  assert.ok(events.every((e) => e.anonymous_id === stored), JSON.stringify(events.map((e) => e.anonymous_id)));
  const views = events.filter((e) => e.event_type === 'page_view');
  assert.deepEqual(views.map((e) => [e.page_url.replace(origin, ''), e.referrer, e.screen_width]), [
    ['/', 'https://search.example/results?q=analytics', width],
    ['/page2.html', `${origin}/`, width],
  ]);
  // The default project counts by the daily hash: the anonymous id is carried, not the visitor id.
  assert.equal(new Set(events.map((e) => e.visitor_id)).size, 1);
  assert.match(String(events[0]!.visitor_id), /^h:/);
  await assertStored(session, events);
  const rows = await db.pool.query('SELECT event_type, anonymous_id, referrer, screen_width, visitor_id FROM analytics_events WHERE session_id = $1 AND event_type = $2 ORDER BY "timestamp"', [session, 'page_view']);
  assert.deepEqual(
    rows.rows.map((r) => [r.anonymous_id, r.referrer, r.screen_width, r.visitor_id]),
    views.map((e) => [stored, e.referrer, width, e.visitor_id]),
  );
  assert.deepEqual(pageErrors, []);
});
