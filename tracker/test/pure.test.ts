// Table-driven tests of the tracker's pure parts: configuration, privacy, events against the
// real contract, ids, retry policy and queue batching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUuid, LIMITS, validateIncomingEvent } from '#contract';
import { readConfig } from '../src/config.ts';
import { buildEvent, cut, type Page } from '../src/event.ts';
import { describeClick } from '../src/click-target.ts';
import { element } from './fake-dom.ts';
import { newSessionId, uuid } from '../src/ids.ts';
import { retryDelay, shouldRetry } from '../src/retry.ts';
import { merge, nextBatch, without } from '../src/queue.ts';
import { BATCH_BYTES, BATCH_COUNT, MAX_QUEUED, MAX_RETRY_DELAY_MS } from '../src/settings.ts';

const attrs = (a: Record<string, string>) => (name: string) => a[name] ?? null;
const loc = { protocol: 'https:', hostname: 'shop.example' };

const quiet = { optedOut: null as unknown, automated: false as unknown, dntOrGpc: false as unknown };
const signals = (s: typeof quiet) => [s.optedOut, s.automated, s.dntOrGpc] as const;

test('readConfig: defaults, endpoint and switches from data-* attributes', () => {
  assert.deepEqual(readConfig(attrs({}), loc, ...signals(quiet)), { endpoint: 'https://shop.example:3001/analytics', siteId: undefined, debug: false, anonymousId: false });
  assert.deepEqual(readConfig(attrs({ 'data-endpoint': 'https://c.example/analytics', 'data-site-id': 's1', 'data-debug': '', 'data-anonymous-id': '' }), loc, ...signals(quiet)), {
    endpoint: 'https://c.example/analytics',
    siteId: 's1',
    debug: true,
    anonymousId: true,
  });
});

test('readConfig: silent on opt-out always, on automation unless allowed, on DNT/GPC when respected', () => {
  const cases: [Record<string, string>, Partial<typeof quiet>, boolean][] = [
    [{}, {}, true],
    [{}, { optedOut: '1' }, false],
    [{ 'data-allow-automation': '' }, { optedOut: '1' }, false],
    [{}, { automated: true }, false],
    [{ 'data-allow-automation': '' }, { automated: true }, true],
    [{}, { dntOrGpc: true }, true],
    [{ 'data-respect-dnt': '' }, { dntOrGpc: true }, false],
    [{ 'data-respect-dnt': '' }, {}, true],
  ];
  for (const [a, given, tracks] of cases) assert.equal(readConfig(attrs(a), loc, ...signals({ ...quiet, ...given })) !== undefined, tracks, JSON.stringify([a, given]));
});

test('buildEvent: every event the tracker makes passes the contract, long strings cut', () => {
  const page: Page = [`https://shop.example/${'p'.repeat(1000)}`, 'T'.repeat(500)];
  const events = [
    buildEvent('page_view', { screen_height: 720 }, undefined, page, { session_id: 'session-1-abc', site_id: 'site-1', anonymous_id: 'a-1', referrer: 'https://ref.example/', screen_width: 1280 }),
    buildEvent('button_click', { page_section: 'hero' }, 'b'.repeat(300), page, { session_id: 'session-1-abc' }),
    buildEvent('navigation_click', { destination: 'https://x.example/', link_text: 'X' }, undefined, page, { session_id: 's' }),
    buildEvent('page_unload', { time_on_page: 1234 }, undefined, ['http://localhost:8080/', ''], { session_id: 's' }),
  ];
  for (const event of events) {
    const wire = JSON.parse(JSON.stringify(event));
    const result = validateIncomingEvent(wire);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.ok(isUuid(wire.event_id));
    assert.ok(wire.page_url.length <= LIMITS.pageUrl && wire.page_title.length <= LIMITS.pageTitle);
    // The collector takes user_agent from the request header.
    assert.equal('user_agent' in wire, false);
  }
  assert.equal(events[1]!.button_id!.length, LIMITS.buttonId);
  assert.equal('button_id' in JSON.parse(JSON.stringify(events[0])), false);
  assert.equal('button_id' in JSON.parse(JSON.stringify(events[3])), false);
  assert.equal('site_id' in JSON.parse(JSON.stringify(events[1])), false);
  assert.equal(events[0]!.site_id, 'site-1');
  assert.deepEqual([events[0]!.referrer, events[0]!.screen_width, events[0]!.anonymous_id], ['https://ref.example/', 1280, 'a-1']);
  for (const absent of ['referrer', 'screen_width', 'anonymous_id']) assert.equal(absent in JSON.parse(JSON.stringify(events[1])), false, absent);
});

test('text is cut on whole characters at every limit: an emoji is kept whole or left out, never split', () => {
  const emoji = '😀';
  const accepted = (event: object) => {
    const result = validateIncomingEvent(JSON.parse(JSON.stringify(event)));
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  };
  for (const [name, max] of [['page title', LIMITS.pageTitle], ['button id', LIMITS.buttonId]] as const) {
    // The case: max - 1 characters then an emoji (max + 1 UTF-16 units) keeps the emoji.
    const fits = 'a'.repeat(max - 1) + emoji;
    const over = 'a'.repeat(max) + emoji;
    const title = name === 'page title';
    const make = (text: string) => buildEvent('button_click', {}, title ? 'b' : text, ['http://a.example/', title ? text : 'T'], { session_id: 's' });
    assert.equal(title ? make(fits).page_title : make(fits).button_id, fits, name);
    assert.equal(title ? make(over).page_title : make(over).button_id, 'a'.repeat(max), name);
    const allEmoji = emoji.repeat(max + 5);
    assert.equal(title ? make(allEmoji).page_title : make(allEmoji).button_id, emoji.repeat(max), name);
    for (const text of [fits, over, allEmoji]) accepted(make(text));
  }
  // Link and button text from the page, at 100 characters.
  const link = element('a', { href: 'https://x.example/' }, `${'l'.repeat(LIMITS.buttonId - 1)}${emoji}tail`);
  (link as { href?: string }).href = 'https://x.example/';
  const click = describeClick(link)!;
  assert.equal(click[1].link_text, 'l'.repeat(LIMITS.buttonId - 1) + emoji);
  const button = element('button', {}, `${'b'.repeat(LIMITS.buttonId - 1)}${emoji}`);
  assert.equal(describeClick(button)![2], 'b'.repeat(LIMITS.buttonId - 1) + emoji);
  // A lone surrogate the page holds (document.title set from script) becomes U+FFFD: the visit
  // is never refused over page text.
  const lone = buildEvent('page_view', {}, undefined, ['http://a.example/', `x\uD83D`], { session_id: 's' });
  assert.equal(lone.page_title, 'x\uFFFD');
  accepted(lone);
  assert.equal(cut(`\uDE00${emoji}\uD83D`, 3), `\uFFFD${emoji}\uFFFD`);
  assert.equal(cut(emoji.repeat(3), 2), emoji.repeat(2));
});

test('ids: UUID v4 event ids, unique; session ids of the form session-<ms>-<random>', () => {
  const ids = new Set(Array.from({ length: 1000 }, () => uuid()));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(newSessionId(), /^session-\d{13}-[0-9a-z]{1,9}$/);
});

test('shouldRetry: network errors, 429 and 5xx; never 2xx or other 4xx', () => {
  const cases: [number, boolean][] = [
    [0, true], [429, true], [500, true], [503, true], [200, false], [202, false], [207, false],
    [400, false], [404, false], [413, false], [301, false],
  ];
  for (const [status, retry] of cases) assert.equal(shouldRetry(status), retry, String(status));
});

test('retryDelay: exponential with jitter, capped; Retry-After seconds win', () => {
  assert.equal(retryDelay(0, null, 0), 500);
  assert.equal(retryDelay(0, null, 1), 1000);
  assert.equal(retryDelay(3, null, 1), 8000);
  assert.equal(retryDelay(20, null, 1), MAX_RETRY_DELAY_MS);
  assert.equal(retryDelay(0, '5', 0), 5000);
  assert.equal(retryDelay(2, '0', 1), 4000);
  assert.equal(retryDelay(2, '-5', 1), 4000);
  assert.equal(retryDelay(1, 'Wed, 21 Oct 2026 07:28:00 GMT', 1), 2000);
  assert.equal(retryDelay(0, '3600', 0), MAX_RETRY_DELAY_MS);
  assert.equal(retryDelay(1, 'soon', 1), 2000);
});

const event = (n: number, bytes = 0) => ({ event_id: `id-${n}`, event_type: 'e', page_url: 'https://x.example/', metadata: { pad: 'x'.repeat(bytes) } });

test('nextBatch: by count and bytes, never empty', () => {
  assert.ok(BATCH_COUNT <= LIMITS.batchSize);
  const many = Array.from({ length: 50 }, (_, i) => event(i));
  assert.equal(nextBatch(many)[0].length, BATCH_COUNT);
  assert.deepEqual(JSON.parse(nextBatch(many)[1]), many.slice(0, BATCH_COUNT));
  const big = Array.from({ length: 5 }, (_, i) => event(i, 25_000));
  assert.equal(nextBatch(big)[0].length, 2);
  assert.ok(new Blob([nextBatch(big)[1]]).size <= BATCH_BYTES);
  assert.equal(nextBatch([event(0, 70_000)])[0].length, 1);
});

test('merge, without: dedupe by event_id, bounded', () => {
  const q = [event(1), event(2)];
  assert.deepEqual(merge(q, [event(2), event(3)]).map((e) => e.event_id), ['id-1', 'id-2', 'id-3']);
  assert.deepEqual(without(q, [event(1)]).map((e) => e.event_id), ['id-2']);
  const full = merge(Array.from({ length: MAX_QUEUED }, (_, i) => event(i)), [event(-1)]);
  assert.equal(full.length, MAX_QUEUED);
  assert.equal(full[0]!.event_id, 'id-1');
  assert.equal(full.at(-1)!.event_id, 'id--1');
});
