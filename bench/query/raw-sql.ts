// The query benchmark's baselines: each report's answer computed from raw analytics_events alone,
// by straightforward SQL (no visits table, no counters, no index chosen for it), so the route's
// speed-up over "just query the events" is measured in the same run. Visits are recomputed from
// their events: a visit that started in [from, to) has all its events in [from, to + 24 h), and
// one that started before `from` has its first event in [from - 24 h, from), so reading
// [from - 24 h, to + 24 h) gives every counted visit whole and its true start.
// Definitions: docs/metrics.md § Reports over a range. Pure builders; the project comes first.
import { BOUNCE_ENGAGED_MS, NON_INTERACTION_TYPES, PAGE_UNLOAD, PAGE_VIEW, VISIT_MAX_MS } from '#contract';

export interface RawRange {
  project: string;
  /** ISO instants, [from, to). */
  from: string;
  to: string;
  /** IANA zone of local-day buckets. */
  tz: string;
}

export interface RawQuery {
  text: string;
  values: unknown[];
}

const NON_INTERACTION = NON_INTERACTION_TYPES.map((t) => `'${t}'`).join(', ');
const COUNTED_EVENTS = `project_id = $1 AND "timestamp" >= $2::timestamptz AND "timestamp" < $3::timestamptz AND NOT is_bot`;

// $1 project, $2 from, $3 to. Columns of a visits row, the bounce rule, and `value`: one visit
// attribute (`attribute`, an aggregate over the visit's events), e.g. the entry's referrer.
const countedVisits = (attribute = 'NULL::text') => `vis AS (
    SELECT visit_id, min(visitor_id) AS visitor_id, min("timestamp") AS visit_start, max("timestamp") AS visit_end,
      count(*) FILTER (WHERE event_type = '${PAGE_VIEW}') AS pageviews,
      count(*) FILTER (WHERE event_type NOT IN (${NON_INTERACTION})) AS interactions,
      coalesce(sum(engaged_ms) FILTER (WHERE event_type = '${PAGE_UNLOAD}'), 0) AS engaged_ms,
      bool_or(is_bot) AS is_bot,
      ${attribute} AS value
    FROM analytics_events
    WHERE project_id = $1 AND visit_id IS NOT NULL
      AND "timestamp" >= $2::timestamptz - interval '${VISIT_MAX_MS} milliseconds' AND "timestamp" < $3::timestamptz + interval '${VISIT_MAX_MS} milliseconds'
    GROUP BY visit_id),
  counted AS (
    SELECT *, (extract(epoch FROM visit_end - visit_start) * 1000)::bigint AS duration_ms,
      (pageviews = 1 AND interactions = 0 AND engaged_ms < ${BOUNCE_ENGAGED_MS}) AS bounced
    FROM vis WHERE visit_start >= $2::timestamptz AND visit_start < $3::timestamptz AND NOT is_bot)`;
const COUNTED_VISITS = countedVisits();

// The visit dimensions: the entry event's column (the first page view by time, else the first
// event), the exit page the mirror.
const entry = (column: string) => `(array_agg(${column} ORDER BY event_type = '${PAGE_VIEW}' DESC, "timestamp", event_id))[1]`;
export const RAW_VISIT_ATTRIBUTES = {
  entry_page: entry(`coalesce(page_path, '/')`),
  exit_page: `(array_agg(coalesce(page_path, '/') ORDER BY event_type = '${PAGE_VIEW}' DESC, "timestamp" DESC, event_id DESC))[1]`,
  referrer: entry('referrer_domain'),
  utm_source: entry('utm_source'),
  utm_medium: entry('utm_medium'),
  utm_campaign: entry('utm_campaign'),
  browser: entry('browser'),
  os: entry('os'),
  device: entry('device_type'),
} as const;
export type RawVisitDimension = keyof typeof RAW_VISIT_ATTRIBUTES;

// The event dimensions: the grouped column, the metric rows are ordered by, and the events taken.
export const RAW_EVENT_DIMENSIONS = {
  page: { column: `coalesce(page_path, '/')`, orderBy: 'pageviews', only: '' },
  event_type: { column: 'event_type', orderBy: 'events', only: '' },
  button_id: { column: 'button_id', orderBy: 'events', only: ' AND button_id IS NOT NULL' },
} as const;
export type RawEventDimension = keyof typeof RAW_EVENT_DIMENSIONS;

const VISIT_MEASURES = `count(*)::bigint AS visits, count(DISTINCT visitor_id)::bigint AS visitors,
  count(*) FILTER (WHERE bounced)::float8 / nullif(count(*) FILTER (WHERE pageviews > 0), 0) AS bounce_rate,
  sum(duration_ms)::float8 / nullif(count(*), 0) AS avg_visit_duration_ms,
  sum(pageviews)::float8 / nullif(count(*), 0) AS views_per_visit`;

const base = (r: RawRange) => [r.project, r.from, r.to];

/** GET /stats: one row (events_by_type json, visits, visitors, bounce_rate, avg_visit_duration_ms, views_per_visit). */
export const rawStats = (r: RawRange): RawQuery => ({
  text: `WITH ${COUNTED_VISITS}
    SELECT (SELECT coalesce(json_object_agg(event_type, n), '{}'::json) FROM (SELECT event_type, count(*) AS n FROM analytics_events WHERE ${COUNTED_EVENTS} GROUP BY 1) t) AS events_by_type,
      ${VISIT_MEASURES} FROM counted`,
  values: base(r),
});

/** GET /timeseries?interval=day: rows (day text YYYY-MM-DD local, events, pageviews, visit measures) of the days with any. */
export const rawDailySeries = (r: RawRange): RawQuery => ({
  text: `WITH ${COUNTED_VISITS},
    ev AS (SELECT ("timestamp" AT TIME ZONE $4)::date AS day, count(*)::bigint AS events, count(*) FILTER (WHERE event_type = '${PAGE_VIEW}')::bigint AS pageviews
           FROM analytics_events WHERE ${COUNTED_EVENTS} GROUP BY 1),
    vi AS (SELECT (visit_start AT TIME ZONE $4)::date AS day, ${VISIT_MEASURES} FROM counted GROUP BY 1)
    SELECT to_char(coalesce(ev.day, vi.day), 'YYYY-MM-DD') AS day, ev.events, ev.pageviews, vi.visits, vi.visitors, vi.bounce_rate, vi.avg_visit_duration_ms
    FROM ev FULL JOIN vi USING (day) ORDER BY 1`,
  values: [...base(r), r.tz],
});

/** GET /breakdown of an event dimension: the first `limit` values by its metric, then value (bytewise, none last). */
export const rawEventBreakdown = (r: RawRange, dimension: RawEventDimension, limit: number): RawQuery => {
  const d = RAW_EVENT_DIMENSIONS[dimension];
  return {
    text: `SELECT ${d.column} AS value, count(*)::bigint AS events, count(*) FILTER (WHERE event_type = '${PAGE_VIEW}')::bigint AS pageviews,
        count(DISTINCT visitor_id)::bigint AS visitors, count(DISTINCT visit_id)::bigint AS visits
      FROM analytics_events WHERE ${COUNTED_EVENTS}${d.only} GROUP BY 1 ORDER BY ${d.orderBy} DESC, ${d.column} COLLATE "C" NULLS LAST LIMIT $4`,
    values: [...base(r), limit],
  };
};

/** GET /breakdown of a visit dimension: the first `limit` values of the counted visits by visitors, then value (bytewise, none last). */
export const rawVisitBreakdown = (r: RawRange, dimension: RawVisitDimension, limit: number): RawQuery => ({
  text: `WITH ${countedVisits(RAW_VISIT_ATTRIBUTES[dimension])}
    SELECT value, ${VISIT_MEASURES}, sum(pageviews)::bigint AS pageviews
    FROM counted GROUP BY 1 ORDER BY visitors DESC, value COLLATE "C" NULLS LAST LIMIT $4`,
  values: [...base(r), limit],
});

/** GET /events (newest first): the first page of `limit` counted events' ids. */
export const rawEventsPage = (r: RawRange, limit: number): RawQuery => ({
  text: `SELECT event_id::text FROM analytics_events WHERE ${COUNTED_EVENTS} ORDER BY "timestamp" DESC, event_id DESC LIMIT $4`,
  values: [...base(r), limit],
});
