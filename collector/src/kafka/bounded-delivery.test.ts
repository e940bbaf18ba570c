import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDelivery, recordBytes, type DeliveryDeps, type Routed } from './bounded-delivery.ts';
import { InFlightBudget } from './in-flight-budget.ts';

const routed = (value: string): Routed => ({ key: 'p:v', value: Buffer.from(value, 'utf8'), timestamp: 0n, headers: undefined, partition: 0 });

function deps(overrides: Partial<DeliveryDeps> & Pick<DeliveryDeps, 'budget' | 'enqueue'>): DeliveryDeps {
  return { blocked: () => undefined, lastProgress: () => Date.now(), stallMs: 1000, maxMs: 5000, ...overrides };
}

test('a record counts its key characters, its value bytes and a framing allowance', () => {
  assert.equal(recordBytes(routed('ü')), 3 + 2 + 64);
});

test('acknowledged records answer ok and give their bytes back', async () => {
  const budget = new InFlightBudget(1000);
  const deliver = createDelivery(deps({ budget, enqueue: async () => undefined }));
  assert.deepEqual(await deliver([routed('a'), routed('b')], 'refuse'), { ok: true, value: undefined });
  assert.equal(budget.bytes, 0);
});

test('over the bound a refusing call is overloaded at once and nothing is enqueued', async () => {
  const budget = new InFlightBudget(100);
  assert.ok(budget.tryTake(90));
  let enqueued = 0;
  const deliver = createDelivery(deps({ budget, enqueue: async () => void enqueued++ }));
  assert.deepEqual(await deliver([routed('a')], 'refuse'), { ok: false, reason: 'overloaded' });
  assert.equal(enqueued, 0);
  assert.equal(budget.bytes, 90);
});

test('a waiting call admitted after the broker went is not sent and gives its bytes back', async () => {
  const budget = new InFlightBudget(100);
  assert.ok(budget.tryTake(90));
  let enqueued = 0;
  const broker: { blocked?: 'not_ready' } = {};
  const deliver = createDelivery(deps({ budget, enqueue: async () => void enqueued++, blocked: () => broker.blocked }));
  const answer = deliver([routed('a')], 'wait');
  broker.blocked = 'not_ready';
  budget.release(90);
  assert.deepEqual(await answer, { ok: false, reason: 'not_ready' });
  assert.equal(enqueued, 0);
  assert.equal(budget.bytes, 0);
});

test('a failed send is send_failed, a producer discarded meanwhile not_ready; both give their bytes back', async () => {
  const budget = new InFlightBudget(1000);
  const failed = createDelivery(deps({ budget, enqueue: () => Promise.reject(new Error('broker said no')) }));
  assert.deepEqual(await failed([routed('a')], 'refuse'), { ok: false, reason: 'send_failed' });
  const notReady = Object.assign(new Error('kafka not ready'), { name: 'NotReadyError' });
  const discarded = createDelivery(deps({ budget, enqueue: () => Promise.reject(notReady) }));
  assert.deepEqual(await discarded([routed('a')], 'refuse'), { ok: false, reason: 'not_ready' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(budget.bytes, 0);
});
