// The SQL of a retention table (docs/metrics.md § Retention). The periods' first instants come
// from retention-query.ts as one array; rows are placed in them with width_bucket, so a week is
// the local week of `tz` from `week_start` and PostgreSQL never truncates a date itself.
import { botFilter } from '../../../db/definitions-sql.ts';
import type { RetentionQuery } from './retention-query.ts';
import type { SqlParams } from './sql-params.ts';

// Ids compared bytewise: a collation's rules cost the grouping and mean nothing for ids.
const UNIT_COLUMN = { visitor: 'e.visitor_id COLLATE "C"', user: 'e.user_id COLLATE "C"' } as const;
// The bare column in IS NOT NULL, so the planner proves that the partial user index (024) applies.
const UNIT_PRESENT = { visitor: 'e.visitor_id IS NOT NULL', user: 'e.user_id IS NOT NULL' } as const;

/**
 * Rows (cohort, k, units): `k` null gives the cohort's size; otherwise, with criteria `on`, the units
 * with a return event in period k (1..periods) after their cohort's; with `on_or_after`, the units
 * whose LAST return lies in period k, or later (k > periods), which the caller sums from the end.
 * `cohort` is the 0-based index of the cohort's period in q.bounds.
 */
export function retentionSql(q: RetentionQuery, p: SqlParams): string {
  const project = p.add(q.report.projectId);
  const bounds = p.add(q.bounds.map((ms) => new Date(ms).toISOString()));
  const unit = UNIT_COLUMN[q.unit];
  const bots = botFilter(q.report.includeBots ? 'true' : 'false', 'e.');
  const start = q.startEvent !== undefined ? ` AND e.event_type = ${p.add(q.startEvent)}` : '';
  const ret = q.returnEvent !== undefined ? ` AND e.event_type = ${p.add(q.returnEvent)}` : '';
  const from = p.add(q.report.range.fromSql);
  const to = p.add(q.report.range.toSql);
  // The unit's first start event EVER (every stored event before `to`), kept when it is in the range.
  const firsts = `SELECT ${unit} AS unit, width_bucket(min(e."timestamp"), ${bounds}::timestamptz[]) - 1 AS cohort
      FROM analytics_events e
     WHERE e.project_id = ${project} AND e."timestamp" < ${to}::timestamptz AND ${bots} AND ${UNIT_PRESENT[q.unit]}${start}
     GROUP BY 1
    HAVING min(e."timestamp") >= ${from}::timestamptz`;
  const end = q.criteria === 'on' ? ` AND e."timestamp" < (${bounds}::timestamptz[])[${q.bounds.length}]` : '';
  // Each unit's periods with a return, one row per (unit, period) before the join: a handful per
  // unit instead of every return event, so the join and the grouping after it stay small.
  const returns = `SELECT c.unit, c.cohort, r.b - 1 - c.cohort AS k
      FROM (SELECT ${unit} AS unit, width_bucket(e."timestamp", ${bounds}::timestamptz[]) AS b
              FROM analytics_events e
             WHERE e.project_id = ${project} AND e."timestamp" >= (${bounds}::timestamptz[])[2] AND ${bots} AND ${UNIT_PRESENT[q.unit]}${ret}${end}
             GROUP BY 1, 2) r
      JOIN firsts c ON c.unit = r.unit`;
  const periodRows =
    q.criteria === 'on'
      ? `SELECT cohort, k, count(*) AS units FROM returns WHERE k BETWEEN 1 AND ${q.periods} GROUP BY cohort, k`
      : `SELECT cohort, k, count(*) AS units FROM (SELECT unit, cohort, max(k) AS k FROM returns GROUP BY unit, cohort) last WHERE k >= 1 GROUP BY cohort, k`;
  return `WITH firsts AS MATERIALIZED (${firsts}), returns AS (${returns})
    SELECT cohort, NULL::int AS k, count(*) AS units FROM firsts GROUP BY cohort
    UNION ALL ${periodRows}`;
}
