import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { migrate } from '../../db/migrate.ts';
import { pgRunner } from '../../db/sql-runner.ts';
import { createTestDatabase } from '../support/database.ts';
import { databaseUrl, ensurePostgres } from '../support/services.ts';

test('PostgreSQL is reachable as the analytics role on the analytics database', async () => {
  await ensurePostgres();
  const client = new pg.Client({ connectionString: databaseUrl({ database: 'analytics' }) });
  await client.connect();
  try {
    const { rows } = await client.query<{ user: string; db: string; version: number }>(
      "SELECT current_user AS user, current_database() AS db, current_setting('server_version_num')::int AS version",
    );
    assert.deepEqual({ user: rows[0]!.user, db: rows[0]!.db }, { user: 'analytics', db: 'analytics' });
    assert.ok(rows[0]!.version >= 150000, `server ${rows[0]!.version} is older than 15`);
  } finally {
    await client.end();
  }
});

test('migrations apply on an empty database, and a second run is a no-op', async () => {
  const db = await createTestDatabase('analytics_test_migrate', { migrate: false });
  try {
    const first = await migrate(pgRunner(db.pool));
    assert.equal(first.flavor, 'plain');
    assert.ok(first.applied.length >= 3, `applied ${first.applied.length}`);
    const tables = await db.pool.query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r','m','p')",
    );
    const names = tables.rows.map((r) => r.name);
    for (const expected of ['analytics_events', 'analytics_summary', 'analytics_events_rejected', 'schema_migrations']) {
      assert.ok(names.includes(expected), `${expected} missing from ${names.join(', ')}`);
    }
    const second = await migrate(pgRunner(db.pool));
    assert.deepEqual(second.applied, []);
    const recorded = await db.pool.query('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(recorded.rows.map((r) => r.version), first.applied.map((m) => m.version));
  } finally {
    await db.drop();
  }
});
