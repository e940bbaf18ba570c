// The in-flight bound: what fits is taken, what does not is refused or waits in arrival order, a
// call alone always passes, and released bytes admit the waiters that then fit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InFlightBudget } from './in-flight-budget.ts';

test('takes bytes while they fit under the bound, refuses beyond it, and gives them back on release', () => {
  const budget = new InFlightBudget(1000);
  assert.equal(budget.tryTake(600), true);
  assert.equal(budget.tryTake(400), true, 'exactly at the bound fits');
  assert.equal(budget.tryTake(1), false);
  assert.equal(budget.bytes, 1000);
  budget.release(400);
  assert.equal(budget.tryTake(300), true);
  assert.equal(budget.bytes, 900);
});

test('a call alone is admitted whatever its size, so one large request is never refused for ever', () => {
  const budget = new InFlightBudget(1000);
  assert.equal(budget.tryTake(5000), true);
  assert.equal(budget.tryTake(1), false, 'nothing fits beside it');
  budget.release(5000);
  assert.equal(budget.bytes, 0);
  assert.equal(budget.tryTake(1), true);
});

test('waiters are admitted in arrival order as bytes are released; a later call never passes a waiter', async () => {
  const budget = new InFlightBudget(1000);
  assert.equal(budget.tryTake(900), true);
  const admitted: string[] = [];
  const first = budget.take(500).then(() => admitted.push('first'));
  const second = budget.take(400).then(() => admitted.push('second'));
  assert.equal(budget.tryTake(50), false, 'fits by size, but waiters came first');
  await Promise.resolve();
  assert.deepEqual(admitted, []);
  budget.release(900);
  await Promise.all([first, second]);
  assert.deepEqual(admitted, ['first', 'second']);
  assert.equal(budget.bytes, 900);
});

test('a waiter too large for what is free waits until enough is released', async () => {
  const budget = new InFlightBudget(1000);
  budget.tryTake(400);
  budget.tryTake(400);
  let admitted = false;
  const waiting = budget.take(700).then(() => (admitted = true));
  budget.release(400);
  await Promise.resolve();
  assert.equal(admitted, false, '400 + 700 is over the bound');
  budget.release(400);
  await waiting;
  assert.equal(budget.bytes, 700);
});
