// Statistics for tables that were empty when last analyzed. The load transaction's lookups
// (previous rows of a visitor, of a visit, later rows of a value) are index probes only when the
// planner knows the tables' columns; a fresh database's tables were analyzed empty by their
// migrations (or never), so every index of a table ties, and PostgreSQL picked the one on
// (project_id, dimension, bucket) for them, filtering thousands of rows per probe
// (bench/HISTORY.md § 28: 1.3–5.8 s instead of about 0.1 s per 1,500 events). Autovacuum analyzes
// a table only on its next round (autovacuum_naptime, 1 min by default), and a fresh database
// loads tens of thousands of events before that, so the loader analyzes such tables itself as
// soon as they hold rows; from then on autovacuum keeps the statistics.
import type pg from 'pg';

// The current schema's tables with rows whose planner row count (pg_class.reltuples: -1 never
// analyzed, 0 analyzed empty) says they have none.
const EMPTY_WHEN_ANALYZED = `SELECT format('%I.%I', s.schemaname, s.relname) AS name
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
   WHERE s.schemaname = current_schema() AND c.reltuples <= 0 AND s.n_live_tup >= $1
   ORDER BY s.relname`;

/**
 * Analyzes each table of the current schema that has at least `minRows` live rows but was never
 * analyzed or analyzed empty; returns their names (schema-qualified), empty when there were none.
 * Live-row counts lag commits by up to a second (PostgreSQL's cumulative statistics), so a table
 * is analyzed on a later call after it reaches `minRows`.
 */
export async function analyzeFilledTables(db: Pick<pg.Pool, 'query'>, minRows: number): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(EMPTY_WHEN_ANALYZED, [minRows]);
  for (const { name } of rows) await db.query(`ANALYZE ${name}`);
  return rows.map((r) => r.name);
}
