// The SQL of GET /breakdown (docs/metrics.md § Breakdowns): one page of rows grouped by a
// dimension, over the counted visits (visit dimensions) or the counted events (event dimensions)
// of report-sql.ts, ordered by the dimension's main metric descending, then the value ascending
// (bytewise, COLLATE "C", so the order does not depend on the server's locale), nulls last.
// Paging is keyset on (metric, value), which is unique per row.
//
// Without filters and bots (docs/metrics.md § Which rows serve a report), distinct visitors of a
// visit dimension are counted over the visits' per-value links (migration 022) instead of a hash
// of visitor ids, and an event breakdown (page, event_type, button_id) over whole 15-minute
// buckets reads event_value_visits_15m (023, 026) instead of the range's events; otherwise the
// raw rows are grouped.
import { COUNTER_BUCKET_MS } from '#contract';
import { bounceRate, isPageView } from '../../../db/definitions-sql.ts';
import { VISIT_VALUE_LINKS, type LinkedDimension } from '../../../db/visit-value-links.ts';
import { DIMENSION_SPECS, isVisitDimension, type Dimension } from './breakdown-dimensions.ts';
import type { BreakdownPosition } from './breakdown-cursor.ts';
import { boundMicros } from './micros.ts';
import type { ReportQuery } from './report-query.ts';
import { countedEventsWhere, countedVisitsWhere, hasEventFilters, hasVisitFilters } from './report-sql.ts';
import type { SqlParams } from './sql-params.ts';

export interface BreakdownPage {
  limit: number;
  /** The last row of the previous page; absent for the first page. */
  after?: BreakdownPosition;
}

/**
 * A row as PostgreSQL returns it: counts are bigint text, ratios float8 (null when undefined).
 * Every row carries `total`; a page with no row is one row whose `visitors` is null.
 */
export interface BreakdownSqlRow {
  value: string | null;
  total: string;
  visitors: string | null;
  visits: string;
  pageviews: string;
  events?: string;
  bounce_rate?: number | null;
  avg_visit_duration_ms?: number | null;
  views_per_visit?: number | null;
}

/**
 * One page of q's breakdown by `dimension`: up to limit + 1 rows (one more tells the caller a
 * next page exists) in order, each with `total`, the number of rows of the whole breakdown.
 */
export function breakdownSql(q: ReportQuery, dimension: Dimension, page: BreakdownPage, p: SqlParams): string {
  const spec = DIMENSION_SPECS[dimension];
  const grouped =
    spec.kind === 'visit'
      ? `SELECT ${spec.column} AS value,
                ${isVisitDimension(dimension) && valueLinksCanAnswer(q) ? linkedVisitors(dimension, q, p) : 'count(DISTINCT v.visitor_id)'}::bigint AS visitors,
                count(*)::bigint AS visits,
                sum(v.pageviews)::bigint AS pageviews,
                ${bounceRate('v.')} AS bounce_rate,
                avg(v.duration_ms)::float8 AS avg_visit_duration_ms,
                sum(v.pageviews)::float8 / count(*) AS views_per_visit
           FROM visits v
          WHERE ${countedVisitsWhere(q, p)}
          GROUP BY 1`
      : eventRollupCanAnswer(q)
        ? rolledUpEventRows(dimension, q, p)
        : `SELECT ${spec.column} AS value,
                count(*)::bigint AS events,
                count(*) FILTER (WHERE ${isPageView('e.')})::bigint AS pageviews,
                count(DISTINCT e.visitor_id)::bigint AS visitors,
                count(DISTINCT e.visit_id)::bigint AS visits
           FROM analytics_events e
          WHERE ${countedEventsWhere(q, p)}${spec.only}
          GROUP BY 1`;
  const metric = (alias: string) => `${alias}.${spec.orderBy}`;
  const order = (alias: string) => `${metric(alias)} DESC, ${alias}.value COLLATE "C" ASC NULLS LAST`;
  // The count joins the page so that a page past the last row still answers its total (one row
  // with null columns, which the caller drops).
  return `WITH g AS (${grouped})
SELECT t.total, r.*
  FROM (SELECT count(*)::bigint AS total FROM g) t
  LEFT JOIN LATERAL (
    SELECT g.* FROM g
     WHERE ${page.after === undefined ? 'true' : afterSql(metric('g'), page.after, p)}
     ORDER BY ${order('g')}
     LIMIT ${p.add(page.limit + 1)}
  ) r ON true
 ORDER BY ${order('r')}`;
}

/**
 * True when the value links of migration 022 count q's distinct visitors per value exactly: they
 * link non-bot visits to non-bot visits of the whole history, so bots must be left out and no
 * filter may narrow the visits (a filtered set's previous visit could be one it leaves out).
 */
const valueLinksCanAnswer = (q: ReportQuery): boolean => !q.includeBots && !hasVisitFilters(q) && !hasEventFilters(q);

/**
 * Distinct visitors of a value without a hash (docs/metrics.md § Which rows serve a report): each
 * visitor counts in its first counted visit with the value, the one whose previous non-bot visit
 * with the same value started before the range or does not exist.
 */
function linkedVisitors(dimension: LinkedDimension, q: ReportQuery, p: SqlParams): string {
  const link = `v.${VISIT_VALUE_LINKS[dimension].link}`;
  return `count(*) FILTER (WHERE ${link} IS NULL OR ${link} < ${p.add(q.range.fromSql)}::timestamptz)`;
}

/**
 * True when event_value_visits_15m (migrations 023, 026) answers q's event breakdown exactly:
 * bots left out (it holds none), no filter, and a range of whole 15-minute buckets (any range of
 * local dates is one: every UTC offset in use is a multiple of 15 minutes).
 */
function eventRollupCanAnswer(q: ReportQuery): boolean {
  const bucketUs = COUNTER_BUCKET_MS * 1000;
  const aligned = (date: Date, sql: string) => boundMicros(date, sql) % bucketUs === 0;
  return valueLinksCanAnswer(q) && aligned(q.range.from, q.range.fromSql) && aligned(q.range.to, q.range.toSql);
}

/**
 * An event breakdown's rows from event_value_visits_15m: sums of events and page views, and a
 * visit (visitor) counted in its first row of the range with the value, the one whose previous
 * row of the same visit (visitor) and value lies before the range or does not exist.
 */
function rolledUpEventRows(dimension: Dimension, q: ReportQuery, p: SqlParams): string {
  const from = `${p.add(q.range.fromSql)}::timestamptz`;
  return `SELECT r.value,
                sum(r.events)::bigint AS events,
                sum(r.pageviews)::bigint AS pageviews,
                count(*) FILTER (WHERE r.previous_visitor_bucket IS NULL OR r.previous_visitor_bucket < ${from})::bigint AS visitors,
                count(*) FILTER (WHERE r.previous_visit_bucket IS NULL OR r.previous_visit_bucket < ${from})::bigint AS visits
           FROM event_value_visits_15m r
          WHERE r.project_id = ${p.add(q.projectId)} AND r.dimension = ${p.add(dimension)} AND r.bucket >= ${from} AND r.bucket < ${p.add(q.range.toSql)}::timestamptz
          GROUP BY 1`;
}

/** Rows after `after` in (metric DESC, value ASC NULLS LAST) order; the null value is last of its metric. */
function afterSql(metric: string, after: BreakdownPosition, p: SqlParams): string {
  const m = p.add(after.metric);
  if (after.value === null) return `${metric} < ${m}`;
  return `(${metric} < ${m} OR (${metric} = ${m} AND (g.value COLLATE "C" > ${p.add(after.value)} OR g.value IS NULL)))`;
}
