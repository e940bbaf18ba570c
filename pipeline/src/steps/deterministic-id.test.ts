import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUuid } from '#contract';
import { idFromForeignId, idFromPosition } from './deterministic-id.ts';

test('derived ids are byte-identical to the ones already stored', () => {
  // Computed by the pipeline's earlier hand-written UUIDv5: rows stored before must deduplicate
  // against replays of the same records, so these values may never change.
  const cases: [string, string][] = [
    [idFromPosition({ topic: 'analytics-events', partition: 0, offset: '0' }), '582ace8d-1944-5f1a-af7c-04a4c02ef1e6'],
    [idFromPosition({ topic: 'analytics-events', partition: 2, offset: '9007199254740993' }), '89d19501-f6a8-5657-b277-b4019a394120'],
    [idFromPosition({ topic: 'analytics-events-dlq', partition: 1, offset: '42' }), '3a2eaac0-bc20-5152-8052-5393a7a9348f'],
    [idFromForeignId('order-17'), '43f97945-ee4c-5d1e-8342-98c8b352f562'],
    [idFromForeignId('été ünïcode 🎉'), '2195a7db-45e5-5896-a041-fcdc570978b8'],
    [idFromForeignId(''), '994195d1-39fa-5a44-884c-69d02d977fb9'],
  ];
  for (const [derived, known] of cases) assert.equal(derived, known);
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
