// Which database errors are a 503 (retry later) rather than a 500.
import assert from 'node:assert/strict';
import test from 'node:test';
import { databaseUnavailable } from './database-unavailable.ts';

test('pool exhaustion is busy; a refusing or stopping database is unavailable; anything else is not a 503', () => {
  assert.equal(databaseUnavailable(new Error('timeout exceeded when trying to connect'))?.error, 'busy');
  for (const code of ['ECONNREFUSED', '53300', '57P03', '57P01']) assert.equal(databaseUnavailable(Object.assign(new Error('x'), { code }))?.error, 'database_unavailable', code);
  // A statement's own faults (syntax, a constraint, a cancelled statement) are not the database's state.
  for (const code of ['42601', '23505', '57014', undefined]) assert.equal(databaseUnavailable(Object.assign(new Error('x'), { code })), undefined, String(code));
});
