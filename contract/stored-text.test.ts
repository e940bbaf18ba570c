// The one walk for unstorable text: what it finds, where it says it is, and in which order, with
// and without the limits its callers give it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storedTextMessage, storedTextProblems, type StoredTextRules } from './stored-text.ts';

const ALL: StoredTextRules = { maxProblems: 100 };

test('NUL and lone surrogates in values and keys, and prototype keys, at any depth, in document order', () => {
  const value = JSON.parse('{"a":"x\\u0000","b":[1,{"c\\ud800":2}],"__proto__":{"x":"\\udc00"},"d/e~f":["\\ud83d"],"ok":"😀"}') as unknown;
  assert.deepEqual(storedTextProblems(value, ALL), [
    { fault: 'nul', at: '/a' },
    { fault: 'lone_surrogate', at: '/b/1', key: 'c\ud800' },
    { fault: 'forbidden_key', at: '', key: '__proto__' },
    { fault: 'lone_surrogate', at: '/d~1e~0f/0' },
  ]);
  assert.deepEqual(storedTextProblems(value, { maxProblems: 1 }), [{ fault: 'nul', at: '/a' }]);
  assert.equal(storedTextProblems({ a: ['😀', { b: 'text', n: 1, z: null }] }, ALL), undefined);
  assert.deepEqual(storedTextProblems('a\u0000', ALL), [{ fault: 'nul', at: '' }]);
  assert.equal(storedTextProblems(42, ALL), undefined);
});

test('depth and keys per object, counted from the root depth given; over a limit is not walked', () => {
  const rules: StoredTextRules = { maxProblems: 100, rootDepth: 0, maxDepth: 2, maxKeys: 2 };
  // m is depth 1, a depth 2, b depth 3: b is refused and what it holds is not looked at.
  const tooDeep = { m: { a: { b: ['x\u0000'] } } };
  assert.deepEqual(storedTextProblems(tooDeep, rules), [{ fault: 'too_deep', at: '/m/a/b' }]);
  // The root's own keys are not counted at depth 0; an object below it is.
  assert.equal(storedTextProblems({ a: 1, b: 2, c: 3 }, rules), undefined);
  assert.deepEqual(storedTextProblems({ m: { a: 1, b: 2, c: '\u0000' } }, rules), [{ fault: 'too_many_keys', at: '/m' }]);
  // A metadata object is depth 1 itself: its keys count and its children are depth 2.
  const metadata: StoredTextRules = { maxProblems: 1, rootDepth: 1, maxDepth: 2, maxKeys: 2 };
  assert.deepEqual(storedTextProblems({ a: 1, b: 2, c: 3 }, metadata), [{ fault: 'too_many_keys', at: '' }]);
  assert.deepEqual(storedTextProblems({ a: [[1]] }, metadata), [{ fault: 'too_deep', at: '/a/0' }]);
  assert.equal(storedTextMessage({ fault: 'too_deep', at: '' }, rules), 'must not nest deeper than 2 levels');
  assert.equal(storedTextMessage({ fault: 'too_many_keys', at: '' }, rules), 'must have at most 2 keys');
});

test('text: false leaves strings and keys to the caller, and still refuses prototype keys', () => {
  const rules: StoredTextRules = { maxProblems: 5, text: false };
  assert.equal(storedTextProblems({ 'a\u0000': ['\ud800'] }, rules), undefined);
  assert.deepEqual(storedTextProblems(JSON.parse('{"a":{"constructor":1}}'), rules), [{ fault: 'forbidden_key', at: '/a', key: 'constructor' }]);
});

test('hostile depth is walked without overflowing the stack, and the next walk starts clean', () => {
  let deep: unknown = 'x\u0000';
  for (let i = 0; i < 200_000; i++) deep = [deep];
  const found = storedTextProblems({ a: deep }, { maxProblems: 1 });
  assert.equal(found?.[0]?.fault, 'nul');
  assert.equal(found[0].at, `/a${'/0'.repeat(200_000)}`);
  assert.deepEqual(storedTextProblems({ b: ['\ud800'] }, ALL), [{ fault: 'lone_surrogate', at: '/b/0' }]);
  // Stopping at the first problem leaves no frame behind for the next value.
  assert.deepEqual(storedTextProblems({ c: { d: ['\u0000', 'x'] } }, { maxProblems: 1 }), [{ fault: 'nul', at: '/c/d/0' }]);
  assert.equal(storedTextProblems({ e: 'fine' }, ALL), undefined);
});

test('a walk started inside a walk (a getter) uses frames of its own', () => {
  const inner = { get x() {
    assert.deepEqual(storedTextProblems({ y: ['\u0000'] }, ALL), [{ fault: 'nul', at: '/y/0' }]);
    return 'a\ud800';
  } };
  assert.deepEqual(storedTextProblems({ o: inner }, ALL), [{ fault: 'lone_surrogate', at: '/o/x' }]);
});

test('each fault is worded once, for every caller', () => {
  assert.equal(storedTextMessage({ fault: 'nul', at: '/a' }, ALL), 'contains a NUL character (U+0000), which no stored value can hold');
  assert.equal(storedTextMessage({ fault: 'lone_surrogate', at: '', key: '\ud800' }, ALL), 'a key contains a lone UTF-16 surrogate, which is not Unicode text and cannot be stored');
  assert.equal(storedTextMessage({ fault: 'forbidden_key', at: '', key: 'prototype' }, ALL), 'key "prototype" is not allowed (it could reach an object prototype; no stored value can hold it)');
});
