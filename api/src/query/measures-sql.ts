// The measures /stats and /timeseries share (docs/metrics.md § Reports over a range), as SQL over
// the counted events and the counted visits of report-sql.ts. Pure strings; the project comes
// first in every fragment they embed.
import { botFilter, bounceRate } from '../../../db/definitions-sql.ts';
import { countersCanAnswer, eventCountsRelation } from './event-counts-sql.ts';
import type { ReportQuery } from './report-query.ts';
import { countedEventsWhere, countedVisitsWhere } from './report-sql.ts';
import type { SqlParams } from './sql-params.ts';

type Range = ReportQuery['range'];

/**
 * The counted events of q in `range` as rows (at timestamptz, event_type, events bigint): from
 * the 15-minute counters plus the raw edges when `counters` and the counters can answer q's
 * filters (then `at` of a whole counter bucket is its start), else one row per event.
 */
export function countedEventRows(q: ReportQuery, p: SqlParams, range: Range, counters: boolean): string {
  if (counters && countersCanAnswer(q))
    return `SELECT r.at, r.event_type, r.events FROM (${eventCountsRelation(q, p, range)}) r WHERE ${botFilter(q.includeBots ? 'true' : 'false', 'r.')}`;
  return `SELECT e."timestamp" AS at, e.event_type, 1::bigint AS events FROM analytics_events e WHERE ${countedEventsWhere(q, p, range)}`;
}

/**
 * Measures of counted visits (`visits v`), as a select list for an aggregate: visits (bigint),
 * bounce_rate, avg_visit_duration_ms and views_per_visit (float8, NULL without visits). Means are
 * sum / count in float8, the exact rounding of the definitions' arithmetic. Visitors are counted
 * apart (distinctVisitorsSql): a DISTINCT subquery hashes where count(DISTINCT) sorts, which
 * halved the time on 2.2M visits (2.5 → 1.2–1.4 s, bench/HISTORY.md § 12).
 */
export const VISIT_MEASURES = `count(*)::bigint AS visits, ${bounceRate('v.')} AS bounce_rate,
  sum(v.duration_ms)::float8 / nullif(count(*), 0) AS avg_visit_duration_ms, sum(v.pageviews)::float8 / nullif(count(*), 0) AS views_per_visit`;

/**
 * Distinct visitors of q's counted visits in `range`, per `group` (an expression over `v`, e.g.
 * a bucket index) when given: rows (g, visitors bigint), or one row (visitors) without a group.
 */
export function distinctVisitorsSql(q: ReportQuery, p: SqlParams, range: Range, group?: string): string {
  return group === undefined
    ? `SELECT count(*)::bigint AS visitors FROM (SELECT DISTINCT v.visitor_id ${countedVisitsFrom(q, p, range)}) d`
    : `SELECT d.g, count(*)::bigint AS visitors FROM (SELECT DISTINCT ${group} AS g, v.visitor_id ${countedVisitsFrom(q, p, range)}) d GROUP BY d.g`;
}

/** FROM and WHERE of q's counted visits in `range`. */
export const countedVisitsFrom = (q: ReportQuery, p: SqlParams, range: Range): string => `FROM visits v WHERE ${countedVisitsWhere(q, p, range)}`;

/** A bigint or float8 column as node-pg returns it (text for bigint), as a number or null. */
export const numberOrNull = (value: string | number | null | undefined): number | null => (value === null || value === undefined ? null : Number(value));
