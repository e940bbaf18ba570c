// `tsx db/migrate-cli.ts`: applies pending migrations to DATABASE_URL.
import pg from 'pg';
import { migrate } from './migrate.ts';
import { pgRunner } from './sql-runner.ts';

const url = process.env.DATABASE_URL ?? 'postgres://analytics:analytics@127.0.0.1:5432/analytics';
const client = new pg.Client({ connectionString: url });
try {
  await client.connect();
  const { flavor, applied } = await migrate(pgRunner(client));
  const names = applied.map((m) => `${m.version}_${m.name}`).join(', ') || 'none pending';
  console.log(`[migrate]  ${flavor} PostgreSQL: applied ${names}`);
} catch (error) {
  console.error(`[migrate]  failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await client.end().catch(() => undefined);
}
