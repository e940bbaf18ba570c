// GET /stats as one query: the event counts by type and the visit measures of a range, and with
// compare=previous those of the previous period in the same round trip.
import { PAGE_VIEW } from '#contract';
import type { ReportQuery } from './report-query.ts';
import { countedEventRows, countedVisitsFrom, distinctVisitorsSql, VISIT_MEASURES } from './measures-sql.ts';
import { firstVisitsSql, rolledUpVisitMeasuresSql, visitRollupsCanAnswer } from './visit-rollups-sql.ts';
import type { SqlParams } from './sql-params.ts';

type Range = ReportQuery['range'];

export interface Stats {
  visitors: number;
  visits: number;
  pageviews: number;
  events: number;
  events_by_type: Record<string, number>;
  bounce_rate: number | null;
  avg_visit_duration_ms: number | null;
  views_per_visit: number | null;
}

/**
 * One row: events_by_type (json) and the visit measures of q over `range`; the visits from the
 * rollups when q has no filter (`rollups`), else from the visits themselves.
 */
function statsRow(q: ReportQuery, p: SqlParams, range: Range, rollups: boolean): string {
  const visits = rollups ? rolledUpVisitMeasuresSql(q, p, range) : `SELECT ${VISIT_MEASURES} ${countedVisitsFrom(q, p, range)}`;
  const visitors = rollups ? firstVisitsSql(q, p, range) : distinctVisitorsSql(q, p, range);
  return `SELECT (SELECT coalesce(json_object_agg(t.event_type, t.events), '{}'::json)
                    FROM (SELECT c.event_type, sum(c.events)::bigint AS events FROM (${countedEventRows(q, p, range, true)}) c GROUP BY c.event_type) t) AS events_by_type,
                 m.*, (${visitors}) AS visitors
            FROM (${visits}) m`;
}

/**
 * The stats of q's range, and of `previous` when given: columns `current` and `previous` (json).
 * `rollups: false` forces the raw path (the tests compare both).
 */
export function statsSql(q: ReportQuery, p: SqlParams, previous?: Range, rollups = visitRollupsCanAnswer(q)): string {
  const current = `SELECT row_to_json(s) AS current FROM (${statsRow(q, p, q.range, rollups)}) s`;
  if (previous === undefined) return current;
  return `SELECT c.current, row_to_json(s) AS previous FROM (${current}) c, (${statsRow(q, p, previous, rollups)}) s`;
}

interface StatsJson {
  events_by_type: Record<string, number>;
  visits: number;
  visitors: number;
  bounce_rate: number | null;
  avg_visit_duration_ms: number | null;
  views_per_visit: number | null;
}

/** The answer's stats from one json column of statsSql. */
export function toStats(row: StatsJson): Stats {
  const byType = row.events_by_type;
  return {
    visitors: Number(row.visitors),
    visits: Number(row.visits),
    pageviews: Number(byType[PAGE_VIEW] ?? 0),
    events: Object.values(byType).reduce((sum, n) => sum + Number(n), 0),
    events_by_type: Object.fromEntries(Object.entries(byType).map(([type, n]) => [type, Number(n)])),
    bounce_rate: row.bounce_rate,
    avg_visit_duration_ms: row.avg_visit_duration_ms,
    views_per_visit: row.views_per_visit,
  };
}
