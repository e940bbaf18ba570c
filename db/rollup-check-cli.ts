// `npx tsx db/rollup-check-cli.ts [project-id]`: recomputes the rollups of DATABASE_URL (every
// project, or the one given) from analytics_events and prints each difference as a JSON line.
// Exit 0 when the rollups are exact, 1 when any differs, 2 when the check could not run.
import pg from 'pg';
import { allRollupDifferences, rollupDifferences } from './rollup-check.ts';
import { pgRunner } from './sql-runner.ts';

const url = process.env.DATABASE_URL ?? 'postgres://analytics:analytics@127.0.0.1:5432/analytics';
const project = process.argv[2];
const client = new pg.Client({ connectionString: url });
try {
  await client.connect();
  const db = pgRunner(client);
  const differences = project ? (await rollupDifferences(project, db)).map((d) => ({ projectId: project, ...d })) : await allRollupDifferences(db);
  for (const d of differences) process.stdout.write(`${JSON.stringify(d)}\n`);
  process.stdout.write(`[rollups]  ${differences.length === 0 ? 'exact: visits, visitor_first_seen and event_counts_15m equal their recomputation' : `${differences.length} differences`}\n`);
  process.exitCode = differences.length === 0 ? 0 : 1;
} catch (error) {
  process.stderr.write(`[rollups]  check failed: ${(error as Error).message}\n`);
  process.exitCode = 2;
} finally {
  await client.end().catch(() => undefined);
}
