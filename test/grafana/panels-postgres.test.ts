// Every panel of every dashboard, as Grafana would run it on plain PostgreSQL
// (datasource timescaledb: false), against a test database seeded with two projects, once with
// $project set to each: every panel shows only the chosen project's rows.
import { after, before, test } from 'node:test';
import { createTestDatabase, inTransaction, type TestDatabase } from '../support/database.ts';
import { pgRunner } from '../../db/sql-runner.ts';
import { pgLoadTx } from '../../pipeline/src/adapters/postgres-sink.ts';
import { storeEvents } from '../../pipeline/src/adapters/store-events.ts';
import { PANEL_CASES } from './panel-cases.ts';
import { assertEveryQueryHasACase, caseName, runCase } from './run-panels.ts';
import { loadSeed, makeSeeds } from './seed.ts';

const seeds = makeSeeds();
let db: TestDatabase;

before(async () => {
  db = await createTestDatabase();
  // Each batch in its own transaction on one connection, as the pipeline's sink writes it.
  await loadSeed(pgRunner(db.pool), seeds, async (rows) => {
    await inTransaction(db.pool, (client) => storeEvents(pgLoadTx(client), rows, 0, true));
  });
});
after(async () => {
  await db?.drop();
});

test('every panel query of every dashboard has a case', () => {
  assertEveryQueryHasACase();
});

for (const seed of seeds) {
  for (const c of PANEL_CASES) {
    test(`PostgreSQL: ${caseName(c, seed)}`, async () => {
      await runCase(pgRunner(db.pool), seed, c, false);
    });
  }
}
