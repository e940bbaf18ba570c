// Every panel of every dashboard, as Grafana would run it on plain PostgreSQL
// (datasource timescaledb: false), against a seeded test database.
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { pgRunner } from '../../db/sql-runner.ts';
import { PANEL_CASES } from './panel-cases.ts';
import { assertEveryQueryHasACase, caseName, runCase } from './run-panels.ts';
import { loadSeed, makeSeed } from './seed.ts';

const seed = makeSeed();
let db: TestDatabase;

before(async () => {
  db = await createTestDatabase();
  await loadSeed(pgRunner(db.pool), seed);
});
after(async () => {
  await db?.drop();
});

test('every panel query of every dashboard has a case', () => {
  assertEveryQueryHasACase();
});

for (const c of PANEL_CASES) {
  test(`PostgreSQL: ${caseName(c)}`, async () => {
    await runCase(pgRunner(db.pool), seed, c, false);
  });
}
