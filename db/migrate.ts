// Applies the numbered plain-SQL files in db/migrations once each, in order, recording them in
// schema_migrations. A file `NNN_name.timescale.sql` or `NNN_name.plain.sql` is picked by whether
// the server offers the timescaledb extension, so one history serves TimescaleDB and plain
// PostgreSQL with the same table and view names.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { SqlRunner } from './sql-runner.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const FILE = /^(\d{3,})_([a-z0-9_]+?)(?:\.(timescale|plain))?\.sql$/;
const NO_TRANSACTION = /^--\s*migrate:\s*no-transaction/m;
// What follows this line runs after the migration's transaction commits, as one statement: for
// procedures that refuse a transaction block (TimescaleDB's refresh_continuous_aggregate).
const AFTER_COMMIT = /^--\s*migrate:\s*after-commit\s*$/m;
const LOCK_ID = 7_262_024; // any constant: serialises concurrent runners (start script, services)

export type Flavor = 'timescale' | 'plain';

export interface Migration {
  version: number;
  name: string;
  file: string;
}

export async function detectFlavor(db: SqlRunner): Promise<Flavor> {
  const rows = await db.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
  return rows.length > 0 ? 'timescale' : 'plain';
}

/** The migrations for a flavor, in order; a variant file wins over neither-flavor files of its number. */
export async function listMigrations(flavor: Flavor, dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const byVersion = new Map<number, Migration>();
  // Two migrations of one number would apply only one of them (schema_migrations is keyed by
  // number), so the names behind a number must agree: NNN_x.sql, NNN_x.plain.sql, NNN_x.timescale.sql.
  const nameOf = new Map<number, string>();
  for (const file of (await readdir(dir)).sort()) {
    const m = FILE.exec(file);
    if (!m) continue;
    const [, num, name, variant] = m;
    const version = Number(num);
    const seen = nameOf.get(version);
    if (seen !== undefined && seen !== name) throw new Error(`migrations ${seen} and ${name} share the number ${num}: renumber one`);
    nameOf.set(version, name!);
    if (variant && variant !== flavor) continue;
    if (byVersion.has(version) && !variant) continue;
    byVersion.set(version, { version, name: name!, file: path.join(dir, file) });
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

export interface MigrateResult {
  flavor: Flavor;
  applied: Migration[];
}

export async function migrate(db: SqlRunner, options: { dir?: string; flavor?: Flavor } = {}): Promise<MigrateResult> {
  const flavor = options.flavor ?? (await detectFlavor(db));
  await db.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
  try {
    await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      flavor text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set((await db.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    const applied: Migration[] = [];
    for (const migration of await listMigrations(flavor, options.dir)) {
      if (done.has(migration.version)) continue;
      const [sql = '', afterCommit] = (await readFile(migration.file, 'utf8')).split(AFTER_COMMIT);
      const record = `INSERT INTO schema_migrations (version, name, flavor) VALUES (${migration.version}, '${migration.name}', '${flavor}');`;
      if (NO_TRANSACTION.test(sql)) {
        await db.exec(sql);
        await db.exec(record);
      } else {
        await db.exec(`BEGIN;\n${sql}\n;${record}\nCOMMIT;`).catch(async (error: unknown) => {
          await db.exec('ROLLBACK').catch(() => undefined);
          throw new Error(`migration ${path.basename(migration.file)} failed: ${(error as Error).message}`, { cause: error });
        });
      }
      // Recorded already: a failure here leaves a consistent schema and is reported, not retried.
      if (afterCommit?.trim()) {
        await db.exec(afterCommit).catch((error: unknown) => {
          throw new Error(`migration ${path.basename(migration.file)}: after-commit step failed: ${(error as Error).message}`, { cause: error });
        });
      }
      applied.push(migration);
    }
    return { flavor, applied };
  } finally {
    await db.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]);
  }
}
