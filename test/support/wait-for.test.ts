// waitFor's polling interval given as a function of the value just read (bench/cases/loader.ts).
import assert from 'node:assert/strict';
import test from 'node:test';
import { waitFor } from './service-kit.ts';

test('waitFor asks a function interval after each not-done value and stops at the done one', async () => {
  let n = 0;
  const asked: number[] = [];
  const value = await waitFor('the third read', () => ++n, {
    until: (v) => v >= 3,
    intervalMs: (v) => {
      asked.push(v);
      return 1;
    },
  });
  assert.equal(value, 3);
  assert.deepEqual(asked, [1, 2]);
});
