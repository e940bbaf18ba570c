import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import type { StreamSummary } from '../events/ingest-stream.ts';
import { answerOf, IdleTimeout, protoText, summaryMessage, summaryTrailer } from './ingest-status.ts';

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

test('protoText writes lone surrogates as their escapes and keeps pairs and other text', () => {
  assert.equal(protoText('/metadata/\ud800'), '/metadata/\\ud800');
  assert.equal(protoText('\udc00a\ud83d'), '\\udc00a\\ud83d');
  assert.equal(protoText('/a/\ud83d\ude00/kéy/\u0000'), '/a/\ud83d\ude00/kéy/\u0000');
  const summary: StreamSummary = { accepted: 1, rejected: 1, errors: [{ line: 2, field: '/metadata/\udfff', message: 'm \ud800' }], last_acked_line: 2 };
  assert.deepEqual(summaryMessage(summary).errors, [{ line: 2, field: '/metadata/\\udfff', message: 'm \\ud800' }]);
});

test('summaryTrailer is printable ASCII, and JSON.parse gives back the summary exactly', () => {
  const fields = ['/metadata/kéy', '/metadata/\ud800', '/a/\ud83d\ude00', '/x\u0000\u007f\u0085\u2028', '/~0~1"\\'];
  const summary: StreamSummary = { accepted: 0, rejected: fields.length, errors: fields.map((field, i) => ({ line: i + 1, field, message: `bad ${field}` })), last_acked_line: 0 };
  const trailer = summaryTrailer(summary);
  assert.match(trailer, /^[\x20-\x7e]*$/);
  assert.deepEqual(JSON.parse(trailer), summary);
});
