import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import type { StreamSummary } from '../events/ingest-stream.ts';
import { answerOf, IdleTimeout } from './ingest-status.ts';

const summary = (accepted: number, rejected: number, last: number): StreamSummary => ({ accepted, rejected, errors: [], last_acked_line: last });

test('complete: OK, unless every message was refused (INVALID_ARGUMENT); an empty stream is OK', () => {
  assert.equal(answerOf({ status: 'complete', summary: summary(3, 1, 4) }, 5000).code, status.OK);
  assert.equal(answerOf({ status: 'complete', summary: summary(0, 0, 0) }, 5000).code, status.OK);
  assert.equal(answerOf({ status: 'complete', summary: summary(0, 2, 2) }, 5000).code, status.INVALID_ARGUMENT);
});

test('an outage: UNAVAILABLE with the retry pushback and where to resume', () => {
  const answer = answerOf({ status: 'unavailable', reason: 'timeout', summary: summary(500, 0, 500) }, 5000);
  assert.equal(answer.code, status.UNAVAILABLE);
  assert.equal(answer.retryPushbackMs, 5000);
  assert.match(answer.details, /Kafka.*resume with message 501/);
  assert.match(answerOf({ status: 'unavailable', reason: 'visitor_salt_unavailable', summary: summary(0, 0, 0) }, 5000).details, /visitor identity/);
});

test('limits and failures: RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED (idle), CANCELLED; none of them retryable', () => {
  const tooMany = answerOf({ status: 'too_many_events', limit: 10, summary: summary(10, 0, 10) }, 5000);
  assert.equal(tooMany.code, status.RESOURCE_EXHAUSTED);
  assert.match(tooMany.details, /at most 10 messages; resume with message 11/);
  const idle = answerOf({ status: 'source_failed', error: new IdleTimeout(300), summary: summary(3, 0, 3) }, 5000);
  assert.equal(idle.code, status.DEADLINE_EXCEEDED);
  assert.match(idle.details, /no message for 300 ms/);
  assert.equal(answerOf({ status: 'source_failed', error: new Error('Premature close'), summary: summary(0, 0, 0) }, 5000).code, status.CANCELLED);
  for (const a of [tooMany, idle]) assert.equal(a.retryPushbackMs, undefined);
});
