// The loader benchmark's clock: how often it reads the pipeline's /metrics (bench/cases/loader.ts).
import assert from 'node:assert/strict';
import test from 'node:test';
import { nextReadMs } from './cases/loader.ts';

test('the loader benchmark reads progress rarely while far from the end and often near it', () => {
  // 40,000 rows left at 5 rows per ms: 8 s to go, so the longest wait.
  assert.equal(nextReadMs(40_000, 5), 250);
  // 1,000 rows left at 5 rows per ms: 200 ms to go, half of it.
  assert.equal(nextReadMs(1_000, 5), 100);
  // 50 rows left: 10 ms to go, never below 20 ms.
  assert.equal(nextReadMs(50, 5), 20);
  // Nothing stored yet: no rate, so the first row's time is caught within 20 ms.
  assert.equal(nextReadMs(50_000, 0), 20);
});
