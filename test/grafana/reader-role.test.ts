// The dashboards' database role can read every table and view, and can change nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { DEFAULT_PROJECT_ID } from '#contract';
import { DASHBOARDS, DASHBOARDS_DIR } from '../../grafana/dashboards.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { PG_ADMIN_URL } from '../support/services.ts';

let db: TestDatabase;
let reader: pg.Client;
// A throwaway login in the same group as `grafana`, so the test never touches grafana's password.
const login = `reader_test_${randomBytes(4).toString('hex')}`;
const password = randomBytes(12).toString('hex');

before(async () => {
  db = await createTestDatabase();
  await db.pool.query(`CREATE ROLE ${login} LOGIN PASSWORD '${password}' IN ROLE analytics_reader`);
  // A table a later migration might add: default privileges must cover it.
  await db.pool.query('CREATE TABLE later_table (x int); INSERT INTO later_table VALUES (1)');
  const url = new URL(db.url);
  url.username = login;
  url.password = password;
  reader = new pg.Client({ connectionString: url.toString() });
  await reader.connect();
});

after(async () => {
  await reader?.end();
  await db?.drop();
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP ROLE IF EXISTS ${login}`).finally(() => admin.end());
});

test('grafana is a login role in analytics_reader, with no other powers', async () => {
  const { rows } = await db.pool.query(`
    SELECT r.rolcanlogin, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
           pg_has_role('grafana', 'analytics_reader', 'MEMBER') AS member,
           (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'analytics_reader') AS group_login
      FROM pg_roles r WHERE r.rolname = 'grafana'`);
  assert.deepEqual(rows, [{ rolcanlogin: true, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false, member: true, group_login: false }]);
});

test('the reader sees events, the summary and refusal reasons, and later tables', async () => {
  for (const sql of [
    'SELECT count(*) FROM analytics_events',
    'SELECT count(*) FROM analytics_summary',
    'SELECT reason, rejected_at, project_id FROM analytics_events_rejected',
    'SELECT x FROM later_table',
  ]) {
    await reader.query(sql);
  }
  assert.equal((await reader.query('SELECT x FROM later_table')).rows[0].x, 1);
});

test('the reader cannot read raw refused payloads', async () => {
  await assert.rejects(reader.query('SELECT raw_value FROM analytics_events_rejected'), { code: '42501' });
});

for (const sql of [
  `INSERT INTO analytics_events (event_id, "timestamp", event_type, page_url, received_at) VALUES (gen_random_uuid(), now(), 'page_view', '/', now())`,
  `UPDATE analytics_events SET page_url = '/x'`,
  'DELETE FROM analytics_events',
  'TRUNCATE analytics_events',
  `INSERT INTO analytics_events_rejected (reason, kafka_topic, kafka_partition, kafka_offset) VALUES ('x', 't', 0, 1)`,
  'INSERT INTO later_table VALUES (2)',
  'REFRESH MATERIALIZED VIEW analytics_summary',
  'CREATE TABLE reader_made (x int)',
]) {
  test(`the reader is refused: ${sql.slice(0, 48)}`, async () => {
    await assert.rejects(reader.query(sql), { code: '42501' }); // insufficient_privilege
  });
}

for (const { file } of DASHBOARDS) {
  test(`${file}: the $project query lists the projects for the reader, and the default selection is one`, async () => {
    const board = JSON.parse(await readFile(path.join(DASHBOARDS_DIR, file), 'utf8')) as { templating: { list: { name: string; type: string; query: string; current: { value: string } }[] } };
    const variable = board.templating.list.find((v) => v.name === 'project');
    assert.ok(variable && variable.type === 'query', 'a query variable named project');
    const { rows } = await reader.query<{ __value: string; __text: string }>(variable.query);
    assert.deepEqual(Object.keys(rows[0] ?? {}), ['__value', '__text'], 'Grafana reads __value and __text');
    assert.ok(rows.some((r) => r.__value === DEFAULT_PROJECT_ID), 'the default project is listed');
    assert.ok(rows.some((r) => r.__value === variable.current.value), 'the default selection exists');
  });
}
