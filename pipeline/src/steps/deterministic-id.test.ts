import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUuid } from '#contract';
import { idFromForeignId, idFromPosition, uuidV5 } from './deterministic-id.ts';

test('uuidV5 matches the RFC 9562 reference vector', () => {
  // RFC 9562 appendix A.4: name "www.example.com" in the DNS namespace.
  assert.equal(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
});

test('ids derived from a Kafka position are stable, distinct and valid v5 UUIDs', () => {
  const cases = [
    { topic: 'analytics-events', partition: 0, offset: '0' },
    { topic: 'analytics-events', partition: 0, offset: '1' },
    { topic: 'analytics-events', partition: 1, offset: '0' },
    { topic: 'other', partition: 0, offset: '0' },
  ];
  const ids = cases.map(idFromPosition);
  assert.equal(new Set(ids).size, cases.length);
  for (const [i, c] of cases.entries()) {
    assert.equal(idFromPosition({ ...c }), ids[i], 'replay gives the same id');
    assert.ok(isUuid(ids[i]!));
    assert.equal(ids[i]![14], '5');
  }
  assert.equal(idFromForeignId('abc'), idFromForeignId('abc'));
  assert.notEqual(idFromForeignId('abc'), idFromForeignId('abd'));
});
