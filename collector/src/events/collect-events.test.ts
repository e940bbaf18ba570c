// The collect use case through an in-memory publisher: what is answered and what is published,
// without HTTP or a broker (test/collector/ covers those against a real Kafka).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCollect } from './collect-events.ts';
import { createMemoryPublisher } from './memory-publisher.ts';
import { DEFAULT_PROJECT_ID } from '#contract';

const toDefault = () => ({ ok: true as const, projectId: DEFAULT_PROJECT_ID });
const receivedAt = new Date('2026-03-01T12:00:00.000Z');
const event = { event_type: 'page_view', page_url: 'http://test.com/page', session_id: 's-1' };

function setup() {
  const publisher = createMemoryPublisher();
  let n = 0;
  const collect = createCollect({
    publisher,
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
