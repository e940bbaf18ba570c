// Table-driven tests of the tracker's pure parts: configuration, privacy, events against the
// real contract, ids, retry policy and queue batching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUuid, LIMITS, validateIncomingEvent } from '../../contract/index.ts';
import { blocked, readConfig, type Config } from '../src/config.ts';
import { buildEvent, customMetadata, visitor } from '../src/event.ts';
import { newSessionId, uuid } from '../src/ids.ts';
import { outcomeOf, retryDelay, MAX_RETRY_DELAY_MS } from '../src/retry.ts';
import { BATCH_BYTES, BATCH_COUNT, MAX_QUEUED, merge, nextBatch, parseStored, without } from '../src/queue.ts';

const attrs = (a: Record<string, string>) => (name: string) => a[name] ?? null;
const loc = { protocol: 'https:', hostname: 'shop.example' };

test('readConfig: defaults, endpoint and switches from data-* attributes', () => {
  assert.deepEqual(readConfig(attrs({}), loc), {
    endpoint: 'https://shop.example:3001/analytics',
    siteId: null,
    debug: false,
    automation: false,
    respectDnt: false,
  });
  const c = readConfig(attrs({ 'data-endpoint': 'https://c.example/analytics', 'data-site-id': 's1', 'data-debug': '', 'data-allow-automation': 'true', 'data-respect-dnt': '' }), loc);
  assert.deepEqual(c, { endpoint: 'https://c.example/analytics', siteId: 's1', debug: true, automation: true, respectDnt: true });
});

test('blocked: opt-out always, automation unless allowed, DNT/GPC when respected', () => {
  const base: Config = readConfig(attrs({}), loc);
  const cases: [Partial<Config>, { optedOut?: unknown; automated?: unknown; dntOrGpc?: unknown }, boolean][] = [
    [{}, {}, false],
    [{}, { optedOut: '1' }, true],
    [{ automation: true }, { optedOut: '1' }, true],
    [{}, { automated: true }, true],
    [{ automation: true }, { automated: true }, false],
    [{}, { dntOrGpc: true }, false],
    [{ respectDnt: true }, { dntOrGpc: true }, true],
  ];
  for (const [config, signals, expected] of cases) {
    assert.equal(blocked({ ...base, ...config }, { optedOut: null, automated: false, dntOrGpc: false, ...signals }), expected, JSON.stringify([config, signals]));
  }
});

test('buildEvent: every event the tracker makes passes the contract, long strings cut', () => {
  const who = visitor('session-1-abc', 'Mozilla/5.0 '.repeat(100), 'site-1');
  const page = { url: `https://shop.example/${'p'.repeat(1000)}`, title: 'T'.repeat(500) };
  const events = [
    buildEvent('page_view', page, who, { referrer: '', screen_width: 1280, screen_height: 720 }),
    buildEvent('button_click', page, who, { section: 'hero' }, 'b'.repeat(300)),
    buildEvent('navigation_click', page, who, { destination: 'https://x.example/', link_text: 'X' }),
    buildEvent('page_unload', page, visitor('s', 'ua', null), { time_on_page_ms: 1234 }),
  ];
  for (const event of events) {
    const wire = JSON.parse(JSON.stringify(event));
    const result = validateIncomingEvent(wire);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.ok(isUuid(wire.event_id));
    assert.ok(wire.page_url.length <= LIMITS.pageUrl && wire.page_title.length <= LIMITS.pageTitle && wire.user_agent.length <= LIMITS.userAgent);
  }
  assert.equal(events[1]!.button_id!.length, LIMITS.buttonId);
  assert.equal('button_id' in JSON.parse(JSON.stringify(events[0])), false);
  assert.equal('site_id' in JSON.parse(JSON.stringify(events[3])), false);
  assert.equal(events[0]!.site_id, 'site-1');
});

test('customMetadata: JSON objects within the size limit, detached from the caller', () => {
  const source = { plan: 'free', nested: { a: [1, 2] } };
  const copy = customMetadata(source)!;
  source.nested.a.push(3);
  assert.deepEqual(copy, { plan: 'free', nested: { a: [1, 2] } });
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const cases: [unknown, unknown][] = [
    [undefined, {}],
    [null, {}],
    [{ n: 1 }, { n: 1 }],
    [[1, 2], undefined],
    ['text', undefined],
    [42, undefined],
    [cyclic, undefined],
    [{ big: 'x'.repeat(LIMITS.metadataBytes) }, undefined],
    [{ big: 'é'.repeat(LIMITS.metadataBytes / 2) }, undefined],
    [{ fits: 'x'.repeat(LIMITS.metadataBytes - 20) }, { fits: 'x'.repeat(LIMITS.metadataBytes - 20) }],
  ];
  for (const [input, expected] of cases) assert.deepEqual(customMetadata(input), expected, String(input));
});

test('ids: UUID v4 event ids, unique; session ids of the form session-<ms>-<random>', () => {
  const ids = new Set(Array.from({ length: 1000 }, () => uuid()));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(newSessionId(), /^session-\d{13}-[0-9a-z]{1,9}$/);
});

test('outcomeOf: send, retry (network, 429, 5xx) or drop (other 4xx)', () => {
  const cases: [number, string][] = [
    [200, 'sent'], [202, 'sent'], [207, 'sent'], [0, 'retry'], [429, 'retry'], [500, 'retry'], [503, 'retry'],
    [400, 'dropped'], [404, 'dropped'], [413, 'dropped'], [301, 'dropped'],
  ];
  for (const [status, outcome] of cases) assert.equal(outcomeOf(status), outcome, String(status));
});

test('retryDelay: exponential with jitter, capped; Retry-After seconds win', () => {
  assert.equal(retryDelay(0, null, 0), 500);
  assert.equal(retryDelay(0, null, 1), 1000);
  assert.equal(retryDelay(3, null, 1), 8000);
  assert.equal(retryDelay(20, null, 1), MAX_RETRY_DELAY_MS);
  assert.equal(retryDelay(0, '5', 0), 5000);
  assert.equal(retryDelay(5, '0', 1), 0);
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

test('merge, without, parseStored: dedupe by event_id, bounded, garbage ignored', () => {
  const q = [event(1), event(2)];
  assert.deepEqual(merge(q, [event(2), event(3)]).map((e) => e.event_id), ['id-1', 'id-2', 'id-3']);
  assert.deepEqual(without(q, [event(1)]).map((e) => e.event_id), ['id-2']);
  const full = merge(Array.from({ length: MAX_QUEUED }, (_, i) => event(i)), [event(-1)]);
  assert.equal(full.length, MAX_QUEUED);
  assert.equal(full[0]!.event_id, 'id-1');
  assert.equal(full.at(-1)!.event_id, 'id--1');
  for (const bad of [null, '', '{', '{}', '{"q":3}', '[]']) assert.equal(parseStored(bad), undefined, String(bad));
  assert.deepEqual(parseStored('{"t":1,"f":true,"q":[]}'), { t: 1, f: true, q: [] });
});
