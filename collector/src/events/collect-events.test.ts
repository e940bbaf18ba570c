// The collect use case through an in-memory publisher: what is answered and what is published,
// without HTTP or a broker (test/collector/ covers those against a real Kafka).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { CollectedEvent } from '#contract';
import { createCollect } from './collect-events.ts';
import { createMemoryPublisher } from './memory-publisher.ts';
import { DEFAULT_PROJECT_ID, LIMITS, validateServerEvent } from '#contract';
import { createMemorySalts } from '../visitors/memory-salts.ts';

const toDefault = () => ({ ok: true as const, projectId: DEFAULT_PROJECT_ID });
const serverRules = { validate: validateServerEvent, maxBatch: LIMITS.serverBatchSize };
const receivedAt = new Date('2026-03-01T12:00:00.000Z');
const event = { event_type: 'page_view', page_url: 'http://test.com/page', session_id: 's-1' };

function setup(salts = createMemorySalts()) {
  const publisher = createMemoryPublisher();
  let n = 0;
  const collect = createCollect({
    publisher,
    salts,
    maxFutureSkewMs: 5 * 60_000,
    maxPastAgeMs: 7 * 24 * 3600_000,
    now: () => receivedAt,
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  });
  return { publisher, collect };
}

test('one valid event is enriched, published and answered with its id', async () => {
  const { publisher, collect } = setup();
  const outcome = await collect({ body: event, assign: toDefault, userAgentHeader: 'Mozilla/5.0 test' });
  assert.deepEqual(outcome, { status: 'accepted', kind: 'single', eventId: '00000000-0000-4000-8000-000000000001' });
  assert.equal(publisher.published.length, 1);
  assert.deepEqual(
    { ...publisher.published[0] },
    {
      ...event,
      event_id: '00000000-0000-4000-8000-000000000001',
      timestamp: receivedAt.toISOString(),
      received_at: receivedAt.toISOString(),
      user_agent: 'Mozilla/5.0 test',
      project_id: DEFAULT_PROJECT_ID,
      // Derived at ingest (isbot takes a user agent saying "test" for a script).
      page_path: '/page',
      browser: 'Mozilla',
      device_type: 'unknown',
      is_bot: true,
      // No client address given: the session's visitor (docs/metrics.md § Visitor, rule 5).
      visitor_id: 's:s-1',
    },
  );
});

test('a batch publishes its valid events and reports the invalid ones by index', async () => {
  const { publisher, collect } = setup();
  const outcome = await collect({ body: [event, { page_url: 'http://test.com/x' }, { ...event, event_type: 'button_click' }], assign: toDefault });
  assert.equal(outcome.status, 'accepted');
  assert.ok(outcome.status === 'accepted' && outcome.kind === 'batch');
  assert.deepEqual(outcome.eventIds, ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']);
  assert.equal(outcome.size, 3);
  assert.deepEqual(
    outcome.errors.map((e) => e.index),
    [1],
  );
  assert.deepEqual(
    publisher.published.map((e) => e.event_type),
    ['page_view', 'button_click'],
  );
});

test('invalid bodies publish nothing and count what was refused', async () => {
  const cases: [string, unknown, number][] = [
    ['not an object', 'text', 1],
    ['event without type', { page_url: 'http://test.com/' }, 1],
    ['empty batch', [], 1],
    ['batch of invalid events', [{}, {}, {}], 3],
  ];
  for (const [name, body, rejected] of cases) {
    const { publisher, collect } = setup();
    const outcome = await collect({ body, assign: toDefault });
    assert.equal(outcome.status, 'invalid', name);
    assert.ok(outcome.status === 'invalid' && outcome.rejected === rejected && outcome.errors.length > 0, name);
    assert.equal(publisher.published.length, 0, name);
  }
});

test('a publisher that cannot publish turns into unavailable with its reason', async () => {
  for (const reason of ['not_ready', 'timeout', 'send_failed', 'closing'] as const) {
    const { publisher, collect } = setup();
    publisher.failWith(reason);
    assert.deepEqual(await collect({ body: [event, event], assign: toDefault }), { status: 'unavailable', reason, events: 2 }, reason);
    assert.equal(publisher.published.length, 0);
  }
  const { publisher, collect } = setup();
  publisher.setReady(false);
  assert.deepEqual(await collect({ body: event, assign: toDefault }), { status: 'unavailable', reason: 'not_ready', events: 1 });
});

test('the visitor id hashes the client address or the body ip under the period salt, and the address is never published', async () => {
  const { publisher, collect } = setup();
  const server = { ...event, user_agent: 'UA 1' };
  await collect({ body: event, assign: toDefault, userAgentHeader: 'UA 1', clientIp: '::ffff:203.0.113.5' });
  await collect({ body: { ...server, ip: '203.0.113.5' }, rules: serverRules, assign: toDefault });
  await collect({ body: { ...server, ip: '203.0.113.6' }, rules: serverRules, assign: toDefault });
  await collect({ body: { ...server, ip: '203.0.113.5', user_id: 'u-1' }, rules: serverRules, assign: toDefault });
  await collect({ body: { ...server, ip: '203.0.113.5', anonymous_id: 'anon-1' }, rules: serverRules, assign: () => ({ ...toDefault(), visitorIdMode: 'anonymous_id' as const }) });
  const ids = publisher.published.map((e) => e.visitor_id!);
  assert.match(ids[0]!, /^h:[0-9a-f]{32}$/);
  assert.equal(ids[1], ids[0], 'the same address and user agent, mapped or not, from the header or the body');
  assert.notEqual(ids[2], ids[0], 'another address');
  assert.deepEqual(ids.slice(3), ['u:u-1', 'a:anon-1']);
  for (const e of publisher.published) {
    assert.equal((e as Record<string, unknown>).ip, undefined);
    assert.ok(!JSON.stringify(e).includes('203.0.113'), 'no address in the record');
  }
});

test('without a salt the events that need the hash are refused as unavailable; the others pass', async () => {
  const asked: string[] = [];
  const { publisher, collect } = setup({
    saltFor: async (mode) => {
      asked.push(mode);
      return undefined;
    },
  });
  assert.deepEqual(await collect({ body: [event, event], assign: toDefault, clientIp: '198.51.100.1' }), { status: 'unavailable', reason: 'visitor_salt_unavailable', events: 2 });
  assert.deepEqual(asked, ['daily'], 'asked once per request and mode');
  assert.equal(publisher.published.length, 0, 'nothing published under a made-up identity');
  const withUser = await collect({ body: { ...event, user_id: 'u-2', ip: '198.51.100.1' }, rules: serverRules, assign: toDefault });
  assert.equal(withUser.status, 'accepted');
  assert.equal(publisher.published[0]!.visitor_id, 'u:u-2');
});

test('a monthly project asks for the monthly salt', async () => {
  const asked: string[] = [];
  const memory = createMemorySalts();
  const { collect } = setup({ saltFor: (mode, at) => (asked.push(mode), memory.saltFor(mode, at)) });
  await collect({ body: event, assign: () => ({ ...toDefault(), visitorIdMode: 'monthly' as const }), clientIp: '198.51.100.1' });
  assert.deepEqual(asked, ['monthly']);
});

test('while Kafka is awaited, neither the body nor its enriched events are held by collect, only the ids of the answer', async () => {
  // A full garbage collection on demand (V8's gc(), exposed for this test only).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const refs: WeakRef<object>[] = [];
  let ack!: () => void;
  // A publisher that keeps nothing of the events (the Kafka adapter keeps their records) and answers later.
  const holding = {
    publish(events: readonly CollectedEvent[]) {
      for (const e of events) refs.push(new WeakRef(e));
      return new Promise<{ ok: true; value: undefined }>((resolve) => (ack = () => resolve({ ok: true, value: undefined })));
    },
  };
  const collect = createCollect({ publisher: holding, salts: createMemorySalts(), maxFutureSkewMs: 0, maxPastAgeMs: 7 * 24 * 3600_000, now: () => new Date(), newId: () => crypto.randomUUID() });
  const answer = (() => {
    const body = Array.from({ length: 50 }, (_, i) => ({ ...event, page_url: `http://test.com/p/${i}` }));
    for (const item of body) refs.push(new WeakRef(item));
    return collect({ body, rules: serverRules, assign: toDefault });
  })();
  await new Promise((r) => setTimeout(r, 10));
  gc();
  const alive = refs.filter((r) => r.deref() !== undefined).length;
  assert.equal(alive, 0, `${alive} of 100 posted and enriched events are still held while the ack is awaited`);
  ack();
  const outcome = await answer;
  assert.equal(outcome.status === 'accepted' && outcome.kind === 'batch' ? outcome.eventIds.length : 0, 50);
});
