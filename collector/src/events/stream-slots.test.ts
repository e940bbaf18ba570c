import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamSlots } from './stream-slots.ts';

test('a key holds at most max streams; a released slot can be taken again; keys do not share slots', () => {
  const slots = new StreamSlots(2);
  assert.equal(slots.acquire('k1'), true);
  assert.equal(slots.acquire('k1'), true);
  assert.equal(slots.acquire('k1'), false);
  assert.equal(slots.acquire('k2'), true);
  slots.release('k1');
  assert.equal(slots.held('k1'), 1);
  assert.equal(slots.acquire('k1'), true);
  slots.release('k1');
  slots.release('k1');
  assert.equal(slots.held('k1'), 0);
});
