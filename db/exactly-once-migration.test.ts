// Migration 008 on a database that already holds events: the design's metadata names replace the
// tracker's old ones in stored rows, recent event ids seed the deduplication table, and the clamped
// time columns exist. Real PostgreSQL, migrated to 007 first, then to the end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate, MIGRATIONS_DIR } from './migrate.ts';
import { pgRunner } from './sql-runner.ts';
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';

let db: TestDatabase;
let upTo007: string;

before(async () => {
  db = await createTestDatabase('analytics_test_m008', { migrate: false });
  upTo007 = await mkdtemp(path.join(tmpdir(), 'migrations-007-'));
  for (const file of await readdir(MIGRATIONS_DIR)) if (/^00[1-7]_/.test(file)) await cp(path.join(MIGRATIONS_DIR, file), path.join(upTo007, file));
});
after(async () => {
  await db.drop();
  await rm(upTo007, { recursive: true, force: true });
});

test('008 renames stored metadata to the design names, seeds recent event ids and adds the clamped-time columns', async () => {
  await migrate(pgRunner(db.pool), { dir: upTo007 });
  const insert = (id: string, type: string, metadata: object, createdDaysAgo = 0) =>
    db.pool.query(
      `INSERT INTO analytics_events (event_id, "timestamp", event_type, page_url, metadata, received_at, created_at)
       VALUES ($1, now(), $2, 'http://a.example/', $3, now(), now() - make_interval(days => $4))`,
      [id, type, JSON.stringify(metadata), createdDaysAgo],
    );
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  await insert(id(1), 'page_unload', { time_on_page_ms: 1234 });
  await insert(id(2), 'button_click', { section: 'hero' });
  await insert(id(3), 'button_click', { section: 'old', page_section: 'new' });
  await insert(id(4), 'custom', { section: 'kept: not the tracker\'s event' });
  await insert(id(5), 'page_view', { referrer: '' }, 9);

  const { applied } = await migrate(pgRunner(db.pool));
  assert.equal(applied[0]?.name, 'exactly_once', 'the next migration after 007 is 008 (later ones follow it)');
  const metadata = async (n: number) => (await db.pool.query('SELECT metadata FROM analytics_events WHERE event_id = $1', [id(n)])).rows[0].metadata;
  assert.deepEqual(await metadata(1), { time_on_page: 1234 });
  assert.deepEqual(await metadata(2), { page_section: 'hero' });
  assert.deepEqual(await metadata(3), { section: 'old', page_section: 'new' }, 'nothing overwritten');
  assert.deepEqual(await metadata(4), { section: "kept: not the tracker's event" });
  // Ids of events stored within the horizon are remembered; older ones are past it.
  const ids = (await db.pool.query<{ event_id: string }>('SELECT event_id FROM analytics_event_ids ORDER BY 1')).rows.map((r) => r.event_id);
  assert.deepEqual(ids, [id(1), id(2), id(3), id(4)]);
  const columns = (await db.pool.query<{ column_name: string; data_type: string }>(
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'analytics_events' AND column_name IN ('client_timestamp', 'timestamp_adjustment') ORDER BY 1",
  )).rows;
  assert.deepEqual(columns, [
    { column_name: 'client_timestamp', data_type: 'timestamp with time zone' },
    { column_name: 'timestamp_adjustment', data_type: 'character varying' },
  ]);
  // Dashboards may read the clamped times, not the deduplication table.
  const grants = await db.pool.query("SELECT has_table_privilege('analytics_reader', 'analytics_event_ids', 'SELECT') AS ids, has_column_privilege('analytics_reader', 'analytics_events', 'client_timestamp', 'SELECT') AS client");
  assert.deepEqual(grants.rows[0], { ids: false, client: true });
});
