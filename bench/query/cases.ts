// The query benchmark's cases: one route call each (path and query string), its target, the
// raw-events baseline (raw-sql.ts) and how both answers reduce to one plain shape for the
// exactness check (same-answer.ts). Shapes follow the routes' response schemas (api/src/routes).
import {
  RAW_EVENT_DIMENSIONS,
  RAW_VISIT_ATTRIBUTES,
  rawDailySeries,
  rawEventBreakdown,
  rawEventsPage,
  rawStats,
  rawVisitBreakdown,
  type RawEventDimension,
  type RawQuery,
  type RawRange,
  type RawVisitDimension,
} from './raw-sql.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- answers are JSON, reduced field by field */
type Json = any;

export interface QueryCase {
  name: string;
  /** Route under /api/v1/projects/{project}. */
  path: string;
  query: Record<string, string>;
  /** p95 target in milliseconds. */
  targetMs: number;
  raw: RawQuery;
  fromApi(body: Json): unknown;
  fromRaw(rows: Json[]): unknown;
}

export interface CaseRange extends RawRange {
  /** The same range as the API reads it: local dates in `tz`. */
  fromDate: string;
  toDate: string;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const BREAKDOWN_ROWS = 10;
const EVENTS_PAGE = 100;

const statsShape = (s: Json) => ({
  visitors: num(s.visitors),
  visits: num(s.visits),
  pageviews: num(s.pageviews),
  events: num(s.events),
  events_by_type: Object.fromEntries(Object.entries(s.events_by_type as Record<string, unknown>).map(([k, v]) => [k, Number(v)])),
  bounce_rate: num(s.bounce_rate),
  avg_visit_duration_ms: num(s.avg_visit_duration_ms),
  views_per_visit: num(s.views_per_visit),
});

// Days with anything counted, by local date (a bucket label starts with it); zero days left out
// on both sides, as the raw query has no row for them.
const dayShape = (points: Json[], day: (p: Json) => string) =>
  Object.fromEntries(
    points
      .filter((p) => Number(p.events ?? 0) > 0 || Number(p.visits ?? 0) > 0)
      .map((p) => [
        day(p),
        { events: num(p.events) ?? 0, pageviews: num(p.pageviews) ?? 0, visits: num(p.visits) ?? 0, visitors: num(p.visitors) ?? 0, bounce_rate: num(p.bounce_rate), avg_visit_duration_ms: num(p.avg_visit_duration_ms) },
      ]),
  );

export function queryCases(r: CaseRange): QueryCase[] {
  const range = { from: r.fromDate, to: r.toDate, tz: r.tz };
  return [
    {
      name: 'events page (limit 100, newest)',
      path: '/events',
      query: { ...range, limit: String(EVENTS_PAGE) },
      targetMs: 50,
      raw: rawEventsPage(r, EVENTS_PAGE),
      fromApi: (b) => (b.data as Json[]).map((e) => e.event_id),
      fromRaw: (rows) => rows.map((e) => e.event_id),
    },
    {
      name: 'stats (30 days)',
      path: '/stats',
      query: range,
      targetMs: 1000,
      raw: rawStats(r),
      fromApi: (b) => statsShape(b.data),
      fromRaw: ([row]) => {
        const byType = row.events_by_type as Record<string, number>;
        return statsShape({ ...row, pageviews: byType['page_view'] ?? 0, events: Object.values(byType).reduce((a, n) => a + Number(n), 0) });
      },
    },
    {
      name: 'timeseries interval=day (30 days)',
      path: '/timeseries',
      query: { ...range, interval: 'day' },
      targetMs: 300,
      raw: rawDailySeries(r),
      fromApi: (b) => dayShape(b.data, (p) => String(p.bucket).slice(0, 10)),
      fromRaw: (rows) => dayShape(rows, (p) => p.day),
    },
    // Every dimension of GET /breakdown (bench/HISTORY.md § 12, § 15, § 17).
    ...(Object.keys(RAW_EVENT_DIMENSIONS) as RawEventDimension[]).map((dimension) => ({
      name: `breakdown by ${dimension} (top 10)`,
      path: '/breakdown',
      query: { ...range, dimension, limit: String(BREAKDOWN_ROWS) },
      targetMs: 1000,
      raw: rawEventBreakdown(r, dimension, BREAKDOWN_ROWS),
      fromApi: (b: Json) => (b.data as Json[]).map(eventRow),
      fromRaw: (rows: Json[]) => rows.map(eventRow),
    })),
    ...(Object.keys(RAW_VISIT_ATTRIBUTES) as RawVisitDimension[]).map((dimension) => ({
      name: `breakdown by ${dimension} (top 10)`,
      path: '/breakdown',
      query: { ...range, dimension, limit: String(BREAKDOWN_ROWS) },
      targetMs: 1000,
      raw: rawVisitBreakdown(r, dimension, BREAKDOWN_ROWS),
      fromApi: (b: Json) => (b.data as Json[]).map(visitRow),
      fromRaw: (rows: Json[]) => rows.map(visitRow),
    })),
  ];
}

const eventRow = (x: Json) => ({ value: x.value, events: num(x.events), pageviews: num(x.pageviews), visitors: num(x.visitors), visits: num(x.visits) });

const visitRow = (x: Json) => ({
  value: x.value,
  visitors: num(x.visitors),
  visits: num(x.visits),
  pageviews: num(x.pageviews),
  bounce_rate: num(x.bounce_rate),
  avg_visit_duration_ms: num(x.avg_visit_duration_ms),
  views_per_visit: num(x.views_per_visit),
});
