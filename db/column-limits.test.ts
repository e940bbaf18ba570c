// The database's column limits are the contract's: an event the collector accepts must fit its
// row, and a column wider than the contract would hide a contract change not carried to the
// schema. Read from information_schema of a freshly migrated database, not from the SQL files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TSchema } from '@sinclair/typebox';
import { CollectedEvent } from '#contract';
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('analytics_test_limits');
});
after(async () => {
  await db.drop();
});

const fields = CollectedEvent.properties as Record<string, TSchema>;

/** The longest value a field of a fixed set of words can take, e.g. timestamp_adjustment. */
function longestLiteral(schema: TSchema | undefined): number | undefined {
  const options = (schema?.anyOf ?? []) as TSchema[];
  if (options.length === 0 || !options.every((o) => typeof o.const === 'string')) return undefined;
  return Math.max(...options.map((o) => (o.const as string).length));
}

test('analytics_events: every length-limited field has a column of exactly that length, and no column is limited otherwise', async () => {
  const { rows } = await db.pool.query<{ column_name: string; data_type: string; character_maximum_length: number | null }>(
    `SELECT column_name, data_type, character_maximum_length FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'analytics_events'`,
  );
  const columns = new Map(rows.map((r) => [r.column_name, r]));
  const limited = Object.entries(fields).filter(([, s]) => typeof s.maxLength === 'number');
  assert.ok(limited.length >= 7, 'the contract limits the string fields');

  const fromContract = Object.fromEntries(limited.map(([name, s]) => [name, s.maxLength as number]));
  const fromDatabase = Object.fromEntries(
    limited.map(([name]) => {
      const column = columns.get(name);
      return [name, column?.data_type === 'character varying' ? column.character_maximum_length : (column?.data_type ?? 'missing')];
    }),
  );
  assert.deepEqual(fromDatabase, fromContract);

  // A column limited where the contract sets no length must hold a closed set of words that fit.
  for (const r of rows) {
    if (r.character_maximum_length === null || r.column_name in fromContract) continue;
    const longest = longestLiteral(fields[r.column_name]);
    assert.ok(longest !== undefined, `${r.column_name} is varchar(${r.character_maximum_length}) but the contract sets no limit on it`);
    assert.ok(longest <= r.character_maximum_length, `${r.column_name}: the contract's longest value (${longest}) does not fit varchar(${r.character_maximum_length})`);
  }
});
