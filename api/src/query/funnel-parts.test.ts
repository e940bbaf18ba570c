// A funnel takes parts only from free connections, one left for its meta query.
import assert from 'node:assert/strict';
import test from 'node:test';
import { partsNow } from './funnel-parts.ts';

const pool = (max: number, total: number, idle: number, waiting = 0) => ({ options: { max }, totalCount: total, idleCount: idle, waitingCount: waiting });

test('an idle pool gives a funnel the parts it wants, one connection left for its meta query', () => {
  assert.equal(partsNow(pool(8, 0, 0), 2), 2);
  assert.equal(partsNow(pool(8, 3, 3), 4), 4);
  assert.equal(partsNow(pool(4, 4, 4), 8), 3);
});

test('a busy pool gives one statement: no request waits for connections because of parts', () => {
  assert.equal(partsNow(pool(8, 8, 0), 2), 1);
  assert.equal(partsNow(pool(8, 8, 2, 5), 2), 1);
  assert.equal(partsNow(pool(8, 7, 0), 2), 1);
  assert.equal(partsNow(pool(8, 6, 0), 3), 1);
  assert.equal(partsNow(pool(8, 5, 0), 3), 2);
});
