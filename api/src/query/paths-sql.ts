// The SQL of GET /paths (docs/metrics.md § Paths): each counted visit's page views as a sequence
// of pages (consecutive repeats collapsed), cut to `steps` pages from the first `start_page` and
// after the first `end_page`, counted per distinct sequence.
import { VISIT_MAX_MS, PAGE_VIEW } from '#contract';
import { countedVisitsWhere } from './report-sql.ts';
import type { ReportQuery } from './report-query.ts';
import type { SqlParams } from './sql-params.ts';

export interface PathsQuery {
  report: ReportQuery;
  steps: number;
  startPage?: string;
  endPage?: string;
  limit: number;
}

/** Rows (path text[], visits bigint), most visits first, then by path (bytewise, page by page). */
export function pathsSql(q: PathsQuery, p: SqlParams): string {
  const project = p.add(q.report.projectId);
  const from = p.add(q.report.range.fromSql);
  const to = p.add(q.report.range.toSql);
  const start = q.startPage !== undefined ? `array_position(pages, ${p.add(q.startPage)})` : '1';
  const end = q.endPage !== undefined ? p.add(q.endPage) : undefined;
  // A visit's events lie within 24 hours of its start, so its page views are read from [from, to + 24 h).
  return `WITH counted AS (SELECT v.visit_id FROM visits v WHERE ${countedVisitsWhere(q.report, p)}),
    views AS (
      SELECT e.visit_id, coalesce(e.page_path, '/') AS page, e."timestamp" AS ts, e.event_id,
             lag(coalesce(e.page_path, '/')) OVER (PARTITION BY e.visit_id ORDER BY e."timestamp", e.event_id) AS prev
        FROM analytics_events e JOIN counted c ON c.visit_id = e.visit_id
       WHERE e.project_id = ${project} AND e."timestamp" >= ${from}::timestamptz AND e."timestamp" < ${to}::timestamptz + interval '${VISIT_MAX_MS} milliseconds'
         AND e.event_type = '${PAGE_VIEW}'),
    sequences AS (SELECT array_agg(page ORDER BY ts, event_id) AS pages FROM views WHERE prev IS DISTINCT FROM page GROUP BY visit_id),
    cut AS (SELECT pages[s : s + ${p.add(q.steps)} - 1] AS path FROM (SELECT pages, ${start} AS s FROM sequences) x WHERE s IS NOT NULL),
    ended AS (${end === undefined ? 'SELECT path FROM cut' : `SELECT path[1 : array_position(path, ${end})] AS path FROM cut WHERE array_position(path, ${end}) IS NOT NULL`})
    SELECT path, count(*) AS visits FROM ended GROUP BY path ORDER BY visits DESC, path COLLATE "C" LIMIT ${p.add(q.limit)}`;
}
