// A fresh, migrated database per test file: parallel test files never see each other's rows.
// Refuses any database whose name lacks "test", so a test can never touch real data.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../db/migrate.ts';
import { pgRunner } from '../../db/sql-runner.ts';
import { databaseUrl, ensurePostgres, PG_ADMIN_URL } from './services.ts';

export interface TestDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

export function assertTestDatabase(url: string): void {
  const name = new URL(url).pathname.slice(1);
  if (!name.includes('test')) throw new Error(`refusing to use database "${name}": test databases must have "test" in their name`);
}

export async function createTestDatabase(prefix = 'analytics_test', options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  await ensurePostgres();
  assertTestDatabase(PG_ADMIN_URL);
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  assertTestDatabase(`postgres://x/${name}`);
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl({ database: name });
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  if (options.migrate !== false) await migrate(pgRunner(pool));
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        // pool.end() resolves once its clients are told to end, before their backends are gone; a
        // backend FORCE terminates meanwhile sends its client an error (57P01) that nothing listens
        // for any more, and the test fails after it ended. So wait for them to leave first.
        for (let waited = 0; waited < 2000; waited += 50) {
          const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          if (rows[0]!.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        // FORCE cannot end an autovacuum worker (another role's backend, 42501) busy on a database
        // a test just wrote a lot into: it finishes in moments, so try again.
        for (let attempt = 1; ; attempt++) {
          try {
            await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
            break;
          } catch (error) {
            if ((error as { code?: string }).code !== '42501' || attempt === 20) throw error;
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}

/** Runs `work` on one connection inside BEGIN … COMMIT, rolling back and rethrowing when it fails. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
