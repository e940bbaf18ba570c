import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForAck } from './ack-wait.ts';

const never = () => new Promise<never>(() => undefined);
const later = <T>(value: T, ms: number) => new Promise<T>((r) => setTimeout(() => r(value), ms));

test('an ack in time resolves with its value', async () => {
  assert.equal(await waitForAck(Promise.resolve('acked'), { stallMs: 1000, maxMs: 2000, lastProgress: () => 0 }), 'acked');
});

test('no ack and no progress: rejects after the stall time', async () => {
  await assert.rejects(waitForAck(never(), { stallMs: 20, maxMs: 10_000, lastProgress: () => 0 }), { name: 'TimeoutError' });
});

test('a busy broker (acks keep arriving) lets a slow request finish', async () => {
  const value = await waitForAck(later('acked', 120), { stallMs: 20, maxMs: 10_000, lastProgress: () => Date.now() });
  assert.equal(value, 'acked');
});

test('progress cannot extend the wait beyond maxMs', async () => {
  await assert.rejects(waitForAck(never(), { stallMs: 20, maxMs: 60, lastProgress: () => Date.now() }), { name: 'TimeoutError' });
});

test('a failed produce rejects with its own error', async () => {
  await assert.rejects(waitForAck(Promise.reject(new Error('broker said no')), { stallMs: 1000, maxMs: 2000, lastProgress: () => 0 }), /broker said no/);
});
