// A commit refused by a rebalance must reach kafkajs' runner as the protocol error it re-joins on,
// not as the non-retriable wrapper that stopped the pipeline's consumer for good after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { commitFailure } from '../../pipeline/src/adapters/commit-error.ts';

// kafkajs' own error classes (its package index does not export them), so the shapes are real.
type ErrorClass = new (e: unknown, options?: { cause?: unknown }) => Error;
const errors = createRequire(import.meta.url)('kafkajs/src/errors.js') as { KafkaJSNonRetriableError: ErrorClass; KafkaJSProtocolError: ErrorClass };
const { KafkaJSNonRetriableError, KafkaJSProtocolError } = errors;

test('commit failures are unwrapped to the protocol error', () => {
  const unknownMember = new KafkaJSProtocolError({ type: 'UNKNOWN_MEMBER_ID', code: 25, retriable: false, message: 'The coordinator is not aware of this member' });
  // How kafkajs' retrier wraps an error it will not retry (src/retry/index.js).
  const wrapped = new KafkaJSNonRetriableError(unknownMember, { cause: unknownMember });
  const cases: [string, unknown, unknown][] = [
    ['wrapped UNKNOWN_MEMBER_ID', wrapped, unknownMember],
    ['bare protocol error', unknownMember, unknownMember],
    ['unrelated error kept', new Error('socket hang up'), undefined],
  ];
  for (const [name, input, expected] of cases) assert.equal(commitFailure(input), expected ?? input, name);
  assert.equal((commitFailure(wrapped) as { type: string }).type, 'UNKNOWN_MEMBER_ID');
});
