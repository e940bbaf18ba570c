// The database's column limits are the contract's: an event the collector accepts must fit its
// row, and a column wider than the contract would hide a contract change not carried to the
// schema. Read from information_schema of a freshly migrated database, not from the SQL files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CollectedEvent } from '#contract';
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('analytics_test_limits');
});
after(async () => {
  await db.drop();
});

test('every length-limited column of analytics_events has the contract field limit of the same name', async () => {
  const { rows } = await db.pool.query<{ column_name: string; data_type: string; character_maximum_length: number | null }>(
    `SELECT column_name, data_type, character_maximum_length FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'analytics_events'`,
  );
  const columns = new Map(rows.map((r) => [r.column_name, r]));
  const limited = Object.entries(CollectedEvent.properties as Record<string, { maxLength?: number }>).filter(([, s]) => s.maxLength !== undefined);
  assert.ok(limited.length >= 7, 'the contract limits the string fields');

  const fromContract = Object.fromEntries(limited.map(([name, s]) => [name, s.maxLength]));
  const fromDatabase = Object.fromEntries(
    limited.map(([name]) => {
      const column = columns.get(name);
      return [name, column?.data_type === 'character varying' ? column.character_maximum_length : `${column?.data_type ?? 'missing'}`];
    }),
  );
  assert.deepEqual(fromDatabase, fromContract);

  // No column is limited without the contract saying so.
  const limitedColumns = rows.filter((r) => r.character_maximum_length !== null).map((r) => r.column_name).sort();
  assert.deepEqual(limitedColumns, Object.keys(fromContract).sort());
});
