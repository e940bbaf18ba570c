// GET /realtime: what is happening now, from the raw events of the last half hour (a small
// window of the (project_id, timestamp) index; the 15-minute counters are too coarse). The
// counted-events rule of report-sql.ts applies: filters, bots excluded unless include_bots.
import { CURRENT_VISITORS_WINDOW_MS } from '#contract';
import { currentVisitorsSince } from '../../../db/definitions-sql.ts';
import type { ReportQuery } from './report-query.ts';
import { countedEventsWhere } from './report-sql.ts';
import type { SqlParams } from './sql-params.ts';
import type { TimeRange } from './time-range.ts';

const MINUTE_MS = 60_000;
/** Rows of events_per_minute: the current minute and the 29 whole minutes before it. */
export const REALTIME_MINUTES = 30;
/** Rows of top_pages at most. */
export const TOP_PAGES = 10;

export interface RealtimeWindow {
  now: Date;
  /** Current visitors: events at or after this instant (now − 5 minutes). */
  currentSince: Date;
  /** The first minute of events_per_minute; the last one is the minute now lies in. */
  minutes: Date[];
  /** [first minute, now], both included: the range every part of the answer reads. */
  range: TimeRange;
}

/** The windows of a realtime answer at `now`. Pure. */
export function realtimeWindow(now: Date): RealtimeWindow {
  const current = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  const minutes = Array.from({ length: REALTIME_MINUTES }, (_, i) => new Date(current - (REALTIME_MINUTES - 1 - i) * MINUTE_MS));
  const from = minutes[0]!;
  // The range is half-open (< to); one microsecond after now includes an event stored at now.
  const toSql = `${now.toISOString().slice(0, -1)}001Z`;
  return { now, currentSince: new Date(now.getTime() - CURRENT_VISITORS_WINDOW_MS), minutes, range: { from, to: now, fromSql: from.toISOString(), toSql } };
}

export interface RealtimeSqlRow {
  current_visitors: string;
  /** [{ minute: epoch ms, events }] for the minutes with events only. */
  per_minute: { minute: number; events: number }[];
  top_pages: { page: string; visitors: number }[];
}

/**
 * One row: current visitors (distinct visitors of the counted events since now − 5 min), the
 * counted events per UTC minute of the window (minutes without events absent), and the pages of
 * the last 5 minutes by distinct visitors with any counted event there (the page path, none as /),
 * most first, then by path (bytewise), at most TOP_PAGES.
 */
export function realtimeSql(q: ReportQuery, window: RealtimeWindow, p: SqlParams): string {
  const since = currentVisitorsSince(`${p.add(window.now.toISOString())}::timestamptz`);
  return `WITH w AS MATERIALIZED (
  SELECT e."timestamp" AS at, e.visitor_id, coalesce(e.page_path, '/') AS page
    FROM analytics_events e
   WHERE ${countedEventsWhere(q, p, window.range)}
), recent AS (
  SELECT * FROM w WHERE w.at >= ${since}
)
SELECT (SELECT count(DISTINCT visitor_id) FROM recent)::bigint AS current_visitors,
       (SELECT coalesce(json_agg(json_build_object('minute', extract(epoch FROM m.minute) * 1000, 'events', m.events)), '[]'::json)
          FROM (SELECT date_bin(interval '1 minute', w.at, timestamptz '1970-01-01 00:00:00+00') AS minute, count(*) AS events FROM w GROUP BY 1) m) AS per_minute,
       (SELECT coalesce(json_agg(json_build_object('page', t.page, 'visitors', t.visitors) ORDER BY t.visitors DESC, t.page COLLATE "C"), '[]'::json)
          FROM (SELECT page, count(DISTINCT visitor_id) AS visitors FROM recent GROUP BY page
                 ORDER BY visitors DESC, page COLLATE "C" LIMIT ${p.add(TOP_PAGES)}) t) AS top_pages`;
}

/** events_per_minute: every minute of the window, oldest first, zero when it has no event. Pure. */
export function eventsPerMinute(window: RealtimeWindow, counted: readonly { minute: number; events: number }[]): { minute: string; events: number }[] {
  const byMinute = new Map(counted.map((c) => [Number(c.minute), Number(c.events)]));
  return window.minutes.map((m) => ({ minute: m.toISOString(), events: byMinute.get(m.getTime()) ?? 0 }));
}
