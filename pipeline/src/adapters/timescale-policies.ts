// TimescaleDB retention and compression, re-applied at boot from configuration so operators change
// them with an env var instead of a migration. Takes a SqlRunner, so tests run it on PGlite.
import type { SqlRunner } from '../../../db/sql-runner.ts';

export interface StoragePolicies {
  /** Drop raw chunks older than this; 0 removes the policy (keep everything). */
  retentionDays: number;
  /** Compress chunks older than this into the columnstore; 0 removes the policy. */
  compressAfterDays: number;
}

export async function applyTimescalePolicies(db: SqlRunner, policies: StoragePolicies): Promise<void> {
  await db.query("SELECT remove_retention_policy('analytics_events', if_exists => true)");
  if (policies.retentionDays > 0) {
    await db.query("SELECT add_retention_policy('analytics_events', drop_after => make_interval(days => $1))", [policies.retentionDays]);
  }
  await db.query("SELECT remove_compression_policy('analytics_events', if_exists => true)");
  if (policies.compressAfterDays > 0) {
    await db.query("SELECT add_compression_policy('analytics_events', compress_after => make_interval(days => $1))", [policies.compressAfterDays]);
  }
}
