import assert from 'node:assert/strict';
import test from 'node:test';
import { firstDifference } from './same-answer.ts';

test('firstDifference: counts must be equal, means within 1e-9 relative', () => {
  assert.equal(firstDifference({ visits: 3, rate: 0.1 + 0.2 }, { visits: 3, rate: 0.3 }), undefined);
  assert.equal(firstDifference({ visits: 3 }, { visits: 4 }), '$.visits: 3 ≠ 4');
  assert.equal(firstDifference({ rate: 0.3 }, { rate: 0.3001 }), '$.rate: 0.3 ≠ 0.3001');
});

test('firstDifference: names the first differing path of arrays, nulls and missing keys', () => {
  assert.equal(firstDifference([{ v: 'a' }, { v: 'b' }], [{ v: 'a' }, { v: 'c' }]), '$[1].v: "b" ≠ "c"');
  assert.equal(firstDifference([1], [1, 2]), '$: 1 items ≠ 2 items');
  assert.equal(firstDifference({ rate: null }, { rate: 0.5 }), '$.rate: null ≠ 0.5');
  assert.equal(firstDifference({ a: 1 }, { a: 1, b: 2 }), '$.b: undefined ≠ 2');
});
