// Dead letters leave in produce requests the broker accepts: never two near-1 MiB records in one
// request (that request was refused and retried forever, stalling the partition).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DLQ_REQUEST_BYTES, requestGroups } from '../../pipeline/src/adapters/dead-letter-producer.ts';
import type { RejectedRecord } from '../../pipeline/src/batch-ports.ts';

const record = (bytes: number, offset: number): RejectedRecord => ({ reason: 'invalid_json', detail: 'x', projectId: null, topic: 't', partition: 0, offset: String(offset), key: null, value: Buffer.alloc(bytes) });
const sizes = (groups: RejectedRecord[][]) => groups.map((g) => g.map((r) => r.value!.length));

test('request groups by size', () => {
  const cases: [string, number[], number[][]][] = [
    ['none', [], []],
    ['small ones share a request', [10, 20, 30], [[10, 20, 30]]],
    ['two huge ones go apart', [900_000, 800_000], [[900_000], [800_000]]],
    ['a huge one between small ones', [10, 900_000, 10], [[10], [900_000], [10]]],
    ['split at the limit', [DLQ_REQUEST_BYTES / 2, DLQ_REQUEST_BYTES / 2, 1], [[DLQ_REQUEST_BYTES / 2], [DLQ_REQUEST_BYTES / 2, 1]]],
  ];
  for (const [name, input, expected] of cases) {
    const groups = requestGroups(input.map(record));
    assert.deepEqual(sizes(groups), expected, name);
    assert.deepEqual(groups.flat().map((r) => r.offset), input.map((_, i) => String(i)), `${name}: order kept`);
  }
});
