// The SQL of a funnel (docs/metrics.md § Funnels), on the counted events of report-sql.ts over
// [from, to + window), so bots and filters mean what they mean in every report: one row per unit
// with its events in (timestamp, event_id) order as two arrays, epoch µs and a bit per matched
// step, and the breakdown value of its first start's visit. funnel-walk.ts makes the one pass over
// each unit that answers the funnel.
import { DIMENSION_SPECS } from './breakdown-dimensions.ts';
import type { FunnelQuery, FunnelStep } from './funnel-query.ts';
import { boundMicros, microsSql } from './micros.ts';
import { countedEventsWhere } from './report-sql.ts';
import type { SqlParams } from './sql-params.ts';

// Units are compared bytewise: a collation's rules cost the sort dearly and mean nothing for ids.
const UNIT_COLUMN = { visit: 'e.visit_id', visitor: 'e.visitor_id COLLATE "C"', user: 'e.user_id COLLATE "C"' } as const;

/** The conditions of one step's definition on `analytics_events e`. */
function stepMatch(step: FunnelStep, p: SqlParams): string {
  let sql = `e.event_type = ${p.add(step.event_type)}`;
  if (step.page !== undefined) sql += ` AND coalesce(e.page_path, '/') = ${p.add(step.page)}`;
  if (step.button_id !== undefined) sql += ` AND e.button_id = ${p.add(step.button_id)}`;
  for (const [key, value] of Object.entries(step.metadata ?? {})) sql += ` AND e.metadata ->> ${p.add(key)} = ${p.add(value)}`;
  return `(${sql})`;
}

/** The end of the events a funnel reads: the range end plus the window, exact to the microsecond. */
export function funnelReadEnd(q: FunnelQuery): string {
  const { range } = q.report;
  return microsSql(boundMicros(range.to, range.toSql) + q.windowMs * 1000);
}

export interface FunnelUnitRow {
  /** Epoch microseconds (exact in a float8 for any timestamp of this era). */
  us: number[];
  /** Bit k − 1 set: the event matches step k (step 1 only within the range). */
  masks: number[];
  value: string | null;
}

/** One row per unit with a step-1 event in the range: its events of [from, to + window) that match some step (ordered) or all of them (strict). */
export function funnelSql(q: FunnelQuery, p: SqlParams): string {
  const { range } = q.report;
  const where = countedEventsWhere(q.report, p, { fromSql: range.fromSql, toSql: funnelReadEnd(q) });
  const unit = UNIT_COLUMN[q.unit];
  const matches = q.steps.map((s) => stepMatch(s, p));
  const inRange = `e."timestamp" >= ${p.add(range.fromSql)}::timestamptz AND e."timestamp" < ${p.add(range.toSql)}::timestamptz`;
  const mask = [`CASE WHEN ${matches[0]} AND ${inRange} THEN 1 ELSE 0 END`, ...matches.slice(1).map((m, i) => `CASE WHEN ${m} THEN ${2 ** (i + 1)} ELSE 0 END`)].join(' + ');
  // Ordered mode needs only events that match some step; strict mode needs every event of the unit
  // (any other event between two steps breaks the chain).
  const onlySteps = q.order === 'ordered' ? ` AND (${matches.join(' OR ')})` : '';
  const dimension = q.breakdown === undefined ? 'NULL::text' : `(SELECT ${DIMENSION_SPECS[q.breakdown].column} FROM visits v WHERE v.project_id = ${p.add(q.report.projectId)} AND v.visit_id = u.first_visit)`;
  // The aggregates read the sorted subquery in its order (PostgreSQL does not flatten a subquery
  // with ORDER BY, and array_agg keeps its input order): one sort instead of one per unit.
  return `SELECT u.us, u.masks, ${dimension} AS value
    FROM (SELECT array_agg(s.us) AS us, array_agg(s.mask) AS masks, (array_agg(s.visit_id) FILTER (WHERE s.mask & 1 = 1))[1] AS first_visit
            FROM (SELECT ${unit} AS unit, (extract(epoch FROM e."timestamp") * 1000000)::float8 AS us, (${mask}) AS mask, e.visit_id
                    FROM analytics_events e
                   WHERE ${where} AND ${unit} IS NOT NULL${onlySteps}
                   ORDER BY 1, e."timestamp", e.event_id) s
           GROUP BY s.unit
          HAVING bool_or(s.mask & 1 = 1)) u`;
}
