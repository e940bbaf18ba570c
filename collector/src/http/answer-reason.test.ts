import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerReason } from './answer-reason.ts';
import { errorBody } from './responses.ts';

test('answerReason: the error code and message of an error body, as text or bytes', () => {
  const body = JSON.stringify(errorBody('kafka_unavailable', 'event storage is temporarily unavailable; retry later'));
  const want = { error: 'kafka_unavailable', message: 'event storage is temporarily unavailable; retry later' };
  assert.deepEqual(answerReason(body), want);
  assert.deepEqual(answerReason(Buffer.from(body)), want);
});

test('answerReason: nothing for what is not such a body, and it never throws', () => {
  for (const payload of [undefined, null, '', 'not json', '[1,2]', 'null', '"text"', '{"error":5,"message":["x"]}', 42, { error: 'object, not serialized' }]) {
    assert.deepEqual(answerReason(payload), {}, String(payload));
  }
  assert.deepEqual(answerReason('{"error":"overloaded"}'), { error: 'overloaded' });
});
