// The pipeline's maintenance timers: a database check every 2 s for readiness, statistics for
// tables analyzed empty once they hold rows (adapters/table-statistics.ts), the hourly pruning of
// event ids past the deduplication horizon and, on plain PostgreSQL, the summary refresh and
// retention that TimescaleDB's own policies do there (the rollups' retention runs on both).
import type { Flavor } from '../../db/migrate.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Readiness } from './readiness.ts';

/** What the timers need from the store; the PostgreSQL adapter implements it. */
export interface StoreMaintenance {
  /** Round-trips a query; false (not a throw) when the database is unreachable. */
  check(): Promise<boolean>;
  refreshSummary(): Promise<void>;
  /** Plain PostgreSQL retention: events older than `days`, and the rollup rows wholly before the cut. Returns events deleted. */
  deleteOlderThan(days: number): Promise<number>;
  /** TimescaleDB retention of the rollups (its policy drops the events' chunks): visits and counters wholly before the cut. */
  deleteRollupsOlderThan(days: number): Promise<void>;
  /** Forgets event ids stored more than `days` ago: the end of the deduplication horizon. */
  pruneEventIds(days: number): Promise<number>;
  /** Analyzes the tables with at least `minRows` rows that were empty or never analyzed (adapters/table-statistics.ts); returns their names. */
  analyzeFilledTables(minRows: number): Promise<string[]>;
}

export interface MaintenanceSettings {
  /** 0 turns refreshing off. */
  pipelineSummaryRefreshMs: number;
  /** 0 keeps everything. */
  pipelineRetentionDays: number;
  /** Days an event id is remembered after its event was first stored. */
  pipelineDedupDays: number;
}

export interface Maintenance {
  start(flavor: Flavor): void;
  /**
   * A batch was written: `inserted` new events (the summary needs a refresh) and `deadLettered`
   * rows in analytics_events_rejected. Either arms the statistics checks: a table filled by dead
   * letters alone (a producer sending only malformed events) needs statistics as much as one
   * filled by events.
   */
  stored(batch: { inserted: number; deadLettered: readonly unknown[] }): void;
  stop(): void;
}

const DATABASE_CHECK_MS = 2000;
// How soon a fresh table's statistics follow its first rows, and from how many rows (a few
// batches: the planner's defaults only go wrong once a table has thousands).
const STATISTICS_CHECK_MS = 2000;
const STATISTICS_MIN_ROWS = 500;
// PostgreSQL's live-row counts follow a backend's commits by up to 10 s (reported at most once a
// second, and within 10 s of its last transaction when it goes idle), so the checks go on that
// long after the last rows were stored: the last batch before a pause is counted too.
const STATISTICS_LAG_MS = 11_000;
const RETENTION_MS = 3_600_000;

export function createMaintenance(store: StoreMaintenance, settings: MaintenanceSettings, readiness: Readiness, logger: Logger): Maintenance {
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  let summaryStale = true;
  // Time of the last stored rows, events or dead letters; the start counts as one (tables filled
  // before a restart).
  let storedAt = Date.now();

  function every(ms: number, what: string, fn: () => Promise<void>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || stopped) return;
      busy = true;
      fn()
        .catch((err: unknown) => logger.warn({ err }, `${what} failed`))
        .finally(() => (busy = false));
    }, ms);
    timers.push(timer);
  }

  return {
    start(flavor) {
      every(DATABASE_CHECK_MS, 'database check', async () => readiness.database(await store.check()));
      every(RETENTION_MS, 'event id pruning', async () => void (await store.pruneEventIds(settings.pipelineDedupDays)));
      every(STATISTICS_CHECK_MS, 'statistics of filled tables', async () => {
        if (Date.now() - storedAt > STATISTICS_LAG_MS) return;
        const tables = await store.analyzeFilledTables(STATISTICS_MIN_ROWS);
        if (tables.length > 0) logger.info({ tables }, 'analyzed tables that were empty when last analyzed');
      });
      if (flavor !== 'plain') {
        if (settings.pipelineRetentionDays > 0) every(RETENTION_MS, 'rollup retention', () => store.deleteRollupsOlderThan(settings.pipelineRetentionDays));
        return;
      }
      // A refresh recomputes the whole view, so it runs only when this instance stored rows since the last one.
      if (settings.pipelineSummaryRefreshMs > 0) {
        every(settings.pipelineSummaryRefreshMs, 'summary refresh', async () => {
          if (!summaryStale) return;
          summaryStale = false;
          await store.refreshSummary().catch((error: unknown) => {
            summaryStale = true;
            throw error;
          });
        });
      }
      if (settings.pipelineRetentionDays > 0) {
        every(RETENTION_MS, 'retention', async () => void (await store.deleteOlderThan(settings.pipelineRetentionDays)));
      }
    },
    stored({ inserted, deadLettered }) {
      if (inserted > 0) summaryStale = true;
      if (inserted > 0 || deadLettered.length > 0) storedAt = Date.now();
    },
    stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
    },
  };
}
