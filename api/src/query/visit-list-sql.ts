// Visits as the journey routes answer them (GET /visits, /visits/{id}, a user's timeline): the
// stored `visits` rows, whose duration_ms and bounced are the table's generated columns (the one
// definition). Lists are counted visits (report-sql.ts) newest first by (visit_start, visit_id),
// keyset-paged on the index (project_id, visit_start).
import type { Position } from './cursor.ts';
import type { ReportQuery } from './report-query.ts';
import { countedVisitsWhere, isoUtc } from './report-sql.ts';
import type { SqlParams } from './sql-params.ts';

// bigint columns as float8: exact below 2^53 (a visit lasts at most 24 h), and a JSON number
// rather than the string pg makes of an int8.
const VISIT_ITEM_COLUMNS = `v.visit_id::text AS visit_id, v.visitor_id, v.user_id, ${isoUtc('v.visit_start')} AS visit_start, ${isoUtc('v.visit_end')} AS visit_end,
  v.duration_ms::float8 AS duration_ms, v.events, v.pageviews, v.interactions, v.engaged_ms::float8 AS engaged_ms, v.bounced,
  v.entry_path, ${isoUtc('v.entry_at')} AS entry_at, v.exit_path, ${isoUtc('v.exit_at')} AS exit_at,
  v.referrer_domain, v.utm_source, v.utm_medium, v.utm_campaign, v.utm_term, v.utm_content, v.device_type, v.browser, v.os, v.is_bot`;

/** One page of q's counted visits, newest first; `rows` is the page's size plus one. */
export function visitPageSql(q: ReportQuery, p: SqlParams, page: { after?: Position; rows: number }): string {
  let where = countedVisitsWhere(q, p);
  if (page.after !== undefined) where += ` AND (v.visit_start, v.visit_id) < (${p.add(page.after.at)}::timestamptz, ${p.add(page.after.id)}::uuid)`;
  return `SELECT ${VISIT_ITEM_COLUMNS}
  FROM visits v
 WHERE ${where}
 ORDER BY v.visit_start DESC, v.visit_id DESC
 LIMIT ${p.add(page.rows)}`;
}

/** The visits of `projectId` with these ids (any range, bots included), oldest first. */
export function visitsByIdSql(projectId: string, p: SqlParams, visitIds: readonly string[]): string {
  return `SELECT ${VISIT_ITEM_COLUMNS}
  FROM visits v
 WHERE v.project_id = ${p.add(projectId)} AND v.visit_id = ANY(${p.add(visitIds)}::uuid[])
 ORDER BY v.visit_start, v.visit_id`;
}
