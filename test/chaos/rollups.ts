// The rollups (visits, visitor_first_seen, event_counts_15m and the report rollups of 018)
// against their recomputation from analytics_events (db/rollup-check.ts). The loader maintains them in the transaction that
// inserts the events, so every committed state must agree, also mid-load: each check statement
// reads the events and a rollup in one snapshot. The chaos run checks after every fault's
// recovery and once more in the verdict.
import type pg from 'pg';
import { allRollupDifferences } from '../../db/rollup-check.ts';
import { pgRunner } from '../../db/sql-runner.ts';
import { waitFor } from '../support/service-kit.ts';

export interface RollupCheck {
  /** Rollup rows differing from the recomputation, and visits breaking the visit rules. */
  differences: number;
  /** A few of them, for the report. */
  sample: string[];
  /** Visits stored: shows the check had rows to compare. */
  visits: number;
}

/** One check; a query that fails (the server just restarted) is retried for up to 30 s. */
export async function checkRollups(pool: pg.Pool): Promise<RollupCheck> {
  const diffs = await waitFor('rollup check', () => allRollupDifferences(pgRunner(pool)), { until: () => true, timeoutMs: 30_000, intervalMs: 500 });
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM visits');
  return { visits: rows[0]!.n, differences: diffs.length, sample: diffs.slice(0, 3).map((d) => `${d.projectId} ${d.rollup} ${d.key}: stored ${JSON.stringify(d.stored)}, recomputed ${JSON.stringify(d.recomputed)}`) };
}
