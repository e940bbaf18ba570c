// The two sets every report counts, as SQL, written once (docs/metrics.md § Reports over a
// range): counted events and counted visits of a ReportQuery. Route queries select from these
// fragments and add only their grouping; none restates a filter, the bot rule or a range bound.
// Every fragment starts with the project (tenant isolation: the project is the first condition
// of every query, and it is the leading column of every index used).
import { VISIT_MAX_MS } from '#contract';
import { botFilter } from '../../../db/definitions-sql.ts';
import { NONE, type EventFilter, type ReportQuery, type VisitFilter } from './report-query.ts';
import type { SqlParams } from './sql-params.ts';

/** The events column of each event filter. `page` compares page_path as the counters key it (none → '/'). */
const EVENT_COLUMN: Record<EventFilter, (alias: string) => string> = {
  event_type: (a) => `${a}event_type`,
  page: (a) => `coalesce(${a}page_path, '/')`,
  session_id: (a) => `${a}session_id`,
  user_id: (a) => `${a}user_id`,
};

/** The visits column of each visit filter. */
export const VISIT_COLUMN: Record<VisitFilter, string> = {
  referrer: 'referrer_domain',
  utm_source: 'utm_source',
  utm_medium: 'utm_medium',
  utm_campaign: 'utm_campaign',
  utm_term: 'utm_term',
  utm_content: 'utm_content',
  browser: 'browser',
  os: 'os',
  device: 'device_type',
};

const bots = (q: ReportQuery) => (q.includeBots ? 'true' : 'false');

/** The event filters of q on events aliased `e` ('' when none). */
export function eventFilterSql(q: ReportQuery, p: SqlParams, alias = 'e.'): string {
  return Object.entries(q.eventFilters)
    .map(([name, value]) => ` AND ${EVENT_COLUMN[name as EventFilter](alias)} = ${p.add(value)}`)
    .join('');
}

/** The visit filters of q on visits aliased `v` ('' when none). */
export function visitFilterSql(q: ReportQuery, p: SqlParams, alias = 'v.'): string {
  return Object.entries(q.visitFilters)
    .map(([name, value]) => {
      const column = `${alias}${VISIT_COLUMN[name as VisitFilter]}`;
      return value === NONE ? ` AND ${column} IS NULL` : ` AND ${column} = ${p.add(value)}`;
    })
    .join('');
}

export const hasEventFilters = (q: ReportQuery) => Object.keys(q.eventFilters).length > 0;
export const hasVisitFilters = (q: ReportQuery) => Object.keys(q.visitFilters).length > 0;

/**
 * WHERE conditions of the counted events, on `analytics_events e` (alias fixed: `e`). With visit
 * filters the event's visit must match them (a semi-join on visits by the visit's primary key).
 * `range` overrides q.range (a previous period, a bucket window).
 */
export function countedEventsWhere(q: ReportQuery, p: SqlParams, range: { fromSql: string; toSql: string } = q.range): string {
  const project = p.add(q.projectId);
  let sql = `e.project_id = ${project} AND e."timestamp" >= ${p.add(range.fromSql)}::timestamptz AND e."timestamp" < ${p.add(range.toSql)}::timestamptz AND ${botFilter(bots(q), 'e.')}`;
  sql += eventFilterSql(q, p);
  if (hasVisitFilters(q)) {
    sql += ` AND EXISTS (SELECT 1 FROM visits v WHERE v.project_id = ${project} AND v.visit_id = e.visit_id${visitFilterSql(q, p)})`;
  }
  return sql;
}

/**
 * WHERE conditions of the counted visits, on `visits v` (alias fixed: `v`): started in the range,
 * visit filters, bot rule, and with event filters at least one matching event of the visit. Such
 * an event lies in [visit_start, visit_start + 24 h), so the semi-join reads events of
 * [from, to + 24 h) only (the time index's range), never the whole history.
 */
export function countedVisitsWhere(q: ReportQuery, p: SqlParams, range: { fromSql: string; toSql: string } = q.range): string {
  const project = p.add(q.projectId);
  const from = p.add(range.fromSql);
  const to = p.add(range.toSql);
  let sql = `v.project_id = ${project} AND v.visit_start >= ${from}::timestamptz AND v.visit_start < ${to}::timestamptz AND ${botFilter(bots(q), 'v.')}`;
  sql += visitFilterSql(q, p);
  if (hasEventFilters(q)) {
    sql += ` AND v.visit_id IN (SELECT e.visit_id FROM analytics_events e
      WHERE e.project_id = ${project} AND e."timestamp" >= ${from}::timestamptz AND e."timestamp" < ${to}::timestamptz + interval '${VISIT_MAX_MS} milliseconds'
        AND e.visit_id IS NOT NULL${eventFilterSql(q, p)})`;
  }
  return sql;
}

/** A timestamptz expression as ISO 8601 UTC text with microseconds (a JS Date would drop them). */
export const isoUtc = (expr: string) => `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
