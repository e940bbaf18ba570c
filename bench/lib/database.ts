// Scratch databases for the benchmarks: a fresh migrated database per measurement, never the
// product's `analytics` database (a name must contain "bench" or "test").
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type * as Migrate from '../../db/migrate.ts';
import type * as SqlRunner from '../../db/sql-runner.ts';
import { waitFor } from '../../test/support/service-kit.ts';
import { PG_ADMIN_URL } from '../../test/support/services.ts';
import { SERVICE_ROOT } from './processes.ts';

/** The migrations of the checkout whose services are measured, so schema and code always match. */
async function migrateWithServiceRoot(pool: pg.Pool): Promise<void> {
  const m = (await import(pathToFileURL(path.join(SERVICE_ROOT, 'db', 'migrate.ts')).href)) as typeof Migrate;
  const r = (await import(pathToFileURL(path.join(SERVICE_ROOT, 'db', 'sql-runner.ts')).href)) as typeof SqlRunner;
  await m.migrate(r.pgRunner(pool));
}

/** Connection used only to CREATE/DROP the scratch databases. */
export const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? PG_ADMIN_URL;

export function assertBenchDatabase(name: string): void {
  if (!/bench|test/.test(name) || name === 'analytics') throw new Error(`refusing to use database "${name}": benchmark databases must contain "bench" or "test"`);
}

export interface BenchDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** Runs `fn` on a short-lived connection to the bench server's admin database (CREATE/DROP DATABASE). */
export async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** CREATE DATABASE analytics_bench_<label>_<hex>, migrated with the project's migrations. */
export async function createBenchDatabase(label: string): Promise<BenchDatabase> {
  const name = `analytics_bench_${label}_${randomBytes(3).toString('hex')}`;
  assertBenchDatabase(name);
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  pool.on('error', () => undefined);
  await migrateWithServiceRoot(pool);
  return {
    name,
    url: url.toString(),
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      // FORCE cannot end another role's session (e.g. a superuser's monitoring query that
      // happens to be connected): retry for a while, then leave the database for later.
      const dropped = () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => true);
      await waitFor(`database ${name} dropped`, dropped, { timeoutMs: 10_000, intervalMs: 500 }).catch((error: Error) => {
        process.stderr.write(`[bench] could not drop database ${name}: ${error.message}\n`);
      });
    },
  };
}

export async function countEvents(pool: pg.Pool): Promise<number> {
  return Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM analytics_events')).rows[0]!.n);
}

export async function serverVersion(): Promise<string> {
  return admin(async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v);
}
