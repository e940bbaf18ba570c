// Every panel of every dashboard, as Grafana would run it on plain PostgreSQL
// (datasource timescaledb: false), against a test database seeded with two projects, once with
// $project set to each: every panel shows only the chosen project's rows.
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { pgRunner } from '../../db/sql-runner.ts';
import { PANEL_CASES } from './panel-cases.ts';
import { assertEveryQueryHasACase, caseName, runCase } from './run-panels.ts';
import { loadSeed, makeSeeds } from './seed.ts';

const seeds = makeSeeds();
let db: TestDatabase;

before(async () => {
  db = await createTestDatabase();
  await loadSeed(pgRunner(db.pool), seeds);
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
