import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDataError, processSafely, splitBatch } from './load-batch.ts';

test('isDataError separates bad data from database trouble by SQLSTATE class', () => {
  const cases: [unknown, boolean][] = [
    [{ code: '22P02' }, true], // invalid text representation
    [{ code: '22001' }, true], // string too long
    [{ code: '23514' }, true], // check violation
    [{ code: '08006' }, false], // connection failure
    [{ code: '53100' }, false], // disk full
    [{ code: '42P01' }, false], // table missing
    [new Error('ECONNREFUSED'), false],
    [{}, false],
  ];
  for (const [error, expected] of cases) assert.equal(isDataError(error), expected, JSON.stringify(error));
});

test('splitBatch keeps each row with its source record and rejects the rest', () => {
  const records = [
    { key: Buffer.from('k'), value: Buffer.from('{"event_type":"a"}'), offset: '5', timestamp: '1767225600000' },
    { key: null, value: Buffer.from('oops'), offset: '6', timestamp: '1767225600000' },
  ];
  const split = splitBatch('topic', 2, records);
  assert.equal(split.rows.length, 1);
  assert.deepEqual([split.sources[0]!.offset, split.sources[0]!.partition], ['5', 2]);
  assert.deepEqual(split.rejected.map((r) => [r.offset, r.reason, r.value?.toString(), r.projectId]), [['6', 'invalid_json', 'oops', null]]);
});

test('a step that throws dead-letters its record (processing_failed) instead of stopping the partition', () => {
  // A value whose length throws: stands for any defect that makes a step throw on one record.
  const throwing = {
    get length(): number {
      throw new Error('boom');
    },
  };
  const out = processSafely(throwing as unknown as Buffer, { topic: 't', partition: 0, offset: '7', timestamp: '1764496800000', key: null });
  assert.equal(out.outcome.ok, false);
  if (!out.outcome.ok) {
    assert.equal(out.outcome.reason, 'processing_failed');
    assert.match(out.outcome.detail, /threw: boom/);
  }
});
