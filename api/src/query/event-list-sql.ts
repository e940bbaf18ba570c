// Pages of counted events in time order (GET /events and the journeys): the counted events of a
// ReportQuery (report-sql.ts) plus a route's own condition, after a cursor's position, ordered by
// (timestamp, event_id) so rows with the same microsecond still have one order. The keyset
// condition is a row comparison on the columns of the index (project_id, "timestamp", event_id),
// so PostgreSQL seeks to the cursor and reads one page (a backward scan for newest first).
import type { Position } from './cursor.ts';
import type { ReportQuery } from './report-query.ts';
import { countedEventsWhere, isoUtc } from './report-sql.ts';
import type { SqlParams } from './sql-params.ts';

/** The select list of an EventItem (list-items.ts) on `analytics_events e`. */
const EVENT_ITEM_COLUMNS = `e.event_id::text AS event_id, e.event_type, ${isoUtc('e."timestamp"')} AS "timestamp", ${isoUtc('e.received_at')} AS received_at,
  e.session_id, e.user_id, e.visitor_id, e.visit_id::text AS visit_id, e.page_url, e.page_path, e.page_title, e.button_id,
  e.referrer, e.referrer_domain, e.utm_source, e.utm_medium, e.utm_campaign, e.utm_term, e.utm_content,
  e.browser, e.os, e.device_type, e.screen_width, e.is_bot, e.engaged_ms, e.metadata`;

type TimeOrder = 'newest_first' | 'oldest_first';

export interface EventPage {
  order: TimeOrder;
  /** The last row of the previous page; the page starts strictly after it. */
  after?: Position;
  /** Rows to read: the page's size plus one, to tell whether another page follows. */
  rows: number;
  /** Extra conditions on `e` (starting with AND), e.g. the session of a journey. */
  where?: string;
}

/** One page of q's counted events, as EventItem rows. */
export function eventPageSql(q: ReportQuery, p: SqlParams, page: EventPage): string {
  const desc = page.order === 'newest_first';
  let where = countedEventsWhere(q, p) + (page.where ?? '');
  if (page.after !== undefined) {
    where += ` AND (e."timestamp", e.event_id) ${desc ? '<' : '>'} (${p.add(page.after.at)}::timestamptz, ${p.add(page.after.id)}::uuid)`;
  }
  const direction = desc ? 'DESC' : 'ASC';
  return `SELECT ${EVENT_ITEM_COLUMNS}
  FROM analytics_events e
 WHERE ${where}
 ORDER BY e."timestamp" ${direction}, e.event_id ${direction}
 LIMIT ${p.add(page.rows)}`;
}

/** Whether `projectId` holds any event (any time, bots included) of this session or user: a journey's existence. */
export function journeyExistsSql(projectId: string, p: SqlParams, by: 'session_id' | 'user_id', value: string): string {
  return `SELECT EXISTS (SELECT 1 FROM analytics_events e WHERE e.project_id = ${p.add(projectId)} AND e.${by} = ${p.add(value)}) AS found`;
}

/** The extra condition of one visit's events: its id, within its bounds (so the time index reads the visit's span only). */
export function visitEventsWhere(p: SqlParams, visit: { visit_id: string; visit_start: string; visit_end: string }): string {
  return ` AND e.visit_id = ${p.add(visit.visit_id)}::uuid AND e."timestamp" >= ${p.add(visit.visit_start)}::timestamptz AND e."timestamp" <= ${p.add(visit.visit_end)}::timestamptz`;
}

/** The extra condition of one session's or user's events (served by the indexes on (project_id, session_id|user_id, "timestamp")). */
export function journeyWhere(p: SqlParams, by: 'session_id' | 'user_id', value: string): string {
  return ` AND e.${by} = ${p.add(value)}`;
}
