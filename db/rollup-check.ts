// Recomputes the loader's rollups (visits, visitor_first_seen, event_counts_15m, and 018's
// event_type_counts_15m, visit_counts_15m and visits' previous-visit columns, 022's links per
// visit dimension and 023's event_value_visits_15m) from
// analytics_events in plain SQL — written apart from the loader's JavaScript on purpose — and
// returns every difference, plus any visit that breaks the visit rules. Empty means exact. Used by
// the tests and by the chaos run after each fault. Runs on PostgreSQL and on PGlite (SqlRunner).
//
// Only rows the visit-assigning loader stored take part (visit_id set); rows stored before
// migration 012 have none. After a retention cut, a visit or bucket the cut fell inside keeps its
// whole count while some of its events are gone, so run the check on data the cut has not reached;
// a first-seen row whose first event retention deleted is accepted (see RETENTION in the pipeline).
import { VISIT_GAP_MS, VISIT_MAX_MS } from '#contract/definitions.ts';
import type { SqlRunner } from './sql-runner.ts';
import { LINKED_DIMENSIONS, VISIT_VALUE_LINKS } from './visit-value-links.ts';

export type Rollup = 'visits' | 'visit_rules' | 'visitor_first_seen' | 'event_counts_15m' | 'event_type_counts_15m' | 'visit_counts_15m' | 'previous_visits' | 'value_links' | 'event_value_visits_15m';

/** One disagreement: `stored` or `recomputed` is null when the row exists on one side only. */
export interface RollupDifference {
  rollup: Rollup;
  /** The row's key within the project: visit id, visitor id, or "bucket type path bot". */
  key: string;
  stored: unknown;
  recomputed: unknown;
}

/** Most differences reported per rollup: enough to diagnose, bounded when everything is off. */
const LIMIT = 1000;

const EVENTS = `ev AS (SELECT * FROM analytics_events WHERE project_id = $1 AND visit_id IS NOT NULL)`;

// Entry: the first page view by (timestamp, event_id), else the first event; exit the mirror.
const VISITS = `WITH ${EVENTS},
  agg AS (
    SELECT visit_id, min(visitor_id) AS visitor_id, min("timestamp") AS visit_start, max("timestamp") AS visit_end,
      count(*)::int AS events,
      count(*) FILTER (WHERE event_type = 'page_view')::int AS pageviews,
      count(*) FILTER (WHERE event_type NOT IN ('page_view', 'page_unload'))::int AS interactions,
      coalesce(sum(engaged_ms) FILTER (WHERE event_type = 'page_unload'), 0)::bigint AS engaged_ms,
      bool_or(is_bot) AS is_bot
    FROM ev GROUP BY visit_id),
  entry AS (
    SELECT DISTINCT ON (visit_id) visit_id, event_id AS entry_event_id, "timestamp" AS entry_at, coalesce(page_path, '/') AS entry_path,
      user_id, referrer_domain, utm_source, utm_medium, utm_campaign, utm_term, utm_content, device_type, browser, os
    FROM ev ORDER BY visit_id, event_type = 'page_view' DESC, "timestamp", event_id),
  exit AS (
    SELECT DISTINCT ON (visit_id) visit_id, event_id AS exit_event_id, "timestamp" AS exit_at, coalesce(page_path, '/') AS exit_path
    FROM ev ORDER BY visit_id, event_type = 'page_view' DESC, "timestamp" DESC, event_id DESC),
  recomputed AS (
    SELECT visit_id, jsonb_build_object(
      'visitor_id', visitor_id, 'user_id', user_id, 'visit_start', visit_start, 'visit_end', visit_end,
      'events', events, 'pageviews', pageviews, 'interactions', interactions, 'engaged_ms', engaged_ms,
      'entry_event_id', entry_event_id, 'entry_at', entry_at, 'entry_path', entry_path,
      'exit_event_id', exit_event_id, 'exit_at', exit_at, 'exit_path', exit_path,
      'referrer_domain', referrer_domain, 'utm_source', utm_source, 'utm_medium', utm_medium, 'utm_campaign', utm_campaign,
      'utm_term', utm_term, 'utm_content', utm_content, 'device_type', device_type, 'browser', browser, 'os', os, 'is_bot', is_bot) AS row
    FROM agg JOIN entry USING (visit_id) JOIN exit USING (visit_id)),
  stored AS (
    SELECT visit_id, to_jsonb(v) - 'project_id' - 'visit_id' - 'duration_ms' - 'bounced' - 'previous_visit_start' - 'previous_human_visit_start'
      - ARRAY[${LINKED_DIMENSIONS.map((d) => `'${VISIT_VALUE_LINKS[d].link}'`).join(', ')}] AS row FROM visits v WHERE project_id = $1)
  SELECT coalesce(r.visit_id, s.visit_id)::text AS key, s.row AS stored, r.row AS recomputed
  FROM recomputed r FULL JOIN stored s USING (visit_id) WHERE r.row IS DISTINCT FROM s.row
  ORDER BY 1 LIMIT ${LIMIT}`;

// What must hold of every visit whatever the arrival order: one visitor, no gap of 30 minutes or
// more between consecutive events, under 24 hours long.
const VISIT_RULES = `WITH ${EVENTS},
  gaps AS (SELECT visit_id, visitor_id, "timestamp", "timestamp" - lag("timestamp") OVER (PARTITION BY visit_id ORDER BY "timestamp") AS gap FROM ev)
  SELECT visit_id::text AS key, NULL::jsonb AS stored,
    jsonb_build_object('visitors', count(DISTINCT visitor_id), 'longest_gap', max(gap)::text, 'span', (max("timestamp") - min("timestamp"))::text) AS recomputed
  FROM gaps GROUP BY visit_id
  HAVING count(DISTINCT visitor_id) > 1 OR max(gap) >= $2::bigint * interval '1 millisecond' OR max("timestamp") - min("timestamp") >= $3::bigint * interval '1 millisecond'
  ORDER BY 1 LIMIT ${LIMIT}`;

// A stored first-seen row older than the recomputed one is right when retention deleted its event.
const FIRST_SEEN = `WITH ${EVENTS},
  recomputed AS (
    SELECT DISTINCT ON (visitor_id) visitor_id, "timestamp" AS first_seen, event_id AS first_event_id, visit_id AS first_visit_id
    FROM ev WHERE visitor_id IS NOT NULL ORDER BY visitor_id, "timestamp", event_id),
  stored AS (SELECT visitor_id, first_seen, first_event_id, first_visit_id FROM visitor_first_seen WHERE project_id = $1)
  SELECT coalesce(r.visitor_id, s.visitor_id) AS key,
    CASE WHEN s.visitor_id IS NULL THEN NULL ELSE jsonb_build_object('first_seen', s.first_seen, 'first_event_id', s.first_event_id, 'first_visit_id', s.first_visit_id) END AS stored,
    CASE WHEN r.visitor_id IS NULL THEN NULL ELSE jsonb_build_object('first_seen', r.first_seen, 'first_event_id', r.first_event_id, 'first_visit_id', r.first_visit_id) END AS recomputed
  FROM recomputed r FULL JOIN stored s USING (visitor_id)
  WHERE (r.first_seen, r.first_event_id, r.first_visit_id) IS DISTINCT FROM (s.first_seen, s.first_event_id, s.first_visit_id)
    AND NOT (s.visitor_id IS NOT NULL AND (r.visitor_id IS NULL OR s.first_seen < r.first_seen)
      AND NOT EXISTS (SELECT 1 FROM analytics_events e WHERE e.project_id = $1 AND e.event_id = s.first_event_id))
  ORDER BY 1 LIMIT ${LIMIT}`;

// 15-minute UTC buckets; the counters are summed over shards (one per Kafka partition).
const COUNTS = `WITH ${EVENTS},
  recomputed AS (
    SELECT date_bin(interval '15 minutes', "timestamp", timestamptz '2000-01-01 00:00:00+00') AS bucket, event_type, coalesce(page_path, '/') AS page_path, is_bot, count(*)::bigint AS events
    FROM ev GROUP BY 1, 2, 3, 4),
  stored AS (
    SELECT bucket, event_type::text, page_path::text, is_bot, sum(events)::bigint AS events FROM event_counts_15m WHERE project_id = $1 GROUP BY 1, 2, 3, 4)
  SELECT concat_ws(' ', to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"'), event_type, page_path, is_bot) AS key, s.events AS stored, r.events AS recomputed
  FROM recomputed r FULL JOIN stored s USING (bucket, event_type, page_path, is_bot)
  WHERE r.events IS DISTINCT FROM s.events
  ORDER BY 1 LIMIT ${LIMIT}`;

// The narrow counters: events per bucket and type, summed over shards (rows summing to 0: none).
const TYPE_COUNTS = `WITH ${EVENTS},
  recomputed AS (
    SELECT date_bin(interval '15 minutes', "timestamp", timestamptz '2000-01-01 00:00:00+00') AS bucket, event_type, is_bot, count(*)::bigint AS events
    FROM ev GROUP BY 1, 2, 3),
  stored AS (
    SELECT bucket, event_type::text, is_bot, sum(events)::bigint AS events FROM event_type_counts_15m WHERE project_id = $1 GROUP BY 1, 2, 3 HAVING sum(events) <> 0)
  SELECT concat_ws(' ', to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"'), event_type, is_bot) AS key, s.events AS stored, r.events AS recomputed
  FROM recomputed r FULL JOIN stored s USING (bucket, event_type, is_bot)
  WHERE r.events IS DISTINCT FROM s.events
  ORDER BY 1 LIMIT ${LIMIT}`;

// Visit measures per bucket of visit_start, from the stored visits (themselves checked above).
const VISIT_COUNTS = `WITH recomputed AS (
    SELECT date_bin(interval '15 minutes', visit_start, timestamptz '2000-01-01 00:00:00+00') AS bucket, is_bot,
      jsonb_build_object('visits', count(*), 'viewed_visits', count(*) FILTER (WHERE pageviews > 0), 'bounces', count(*) FILTER (WHERE bounced),
        'duration_ms', sum(duration_ms), 'pageviews', sum(pageviews)) AS row
    FROM visits WHERE project_id = $1 GROUP BY 1, 2),
  stored AS (
    SELECT bucket, is_bot,
      jsonb_build_object('visits', sum(visits), 'viewed_visits', sum(viewed_visits), 'bounces', sum(bounces), 'duration_ms', sum(duration_ms), 'pageviews', sum(pageviews)) AS row
    FROM visit_counts_15m WHERE project_id = $1 GROUP BY 1, 2
    HAVING (sum(visits), sum(viewed_visits), sum(bounces), sum(duration_ms), sum(pageviews)) <> (0, 0, 0, 0, 0))
  SELECT concat_ws(' ', to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"'), is_bot) AS key, s.row AS stored, r.row AS recomputed
  FROM recomputed r FULL JOIN stored s USING (bucket, is_bot)
  WHERE r.row IS DISTINCT FROM s.row
  ORDER BY 1 LIMIT ${LIMIT}`;

// Each visit's previous visit of the same visitor by (visit_start, visit_id), and the previous
// non-bot one for non-bot visits, by window functions over the stored visits. A stored value
// that points before the visitor's first retained visit where none is recomputed is right: its
// visit was deleted by retention (the link keeps meaning "the previous visit ever").
const PREVIOUS_VISITS = `WITH recomputed AS (
    SELECT visit_id, lag(visit_start) OVER w AS previous_visit_start,
      CASE WHEN is_bot THEN NULL ELSE max(visit_start) FILTER (WHERE NOT is_bot) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) END AS previous_human_visit_start,
      previous_visit_start AS stored_previous, previous_human_visit_start AS stored_human, min(visit_start) OVER (PARTITION BY visitor_id) AS first_retained
    FROM visits WHERE project_id = $1
    WINDOW w AS (PARTITION BY visitor_id ORDER BY visit_start, visit_id))
  SELECT visit_id::text AS key,
    jsonb_build_object('previous_visit_start', stored_previous, 'previous_human_visit_start', stored_human) AS stored,
    jsonb_build_object('previous_visit_start', previous_visit_start, 'previous_human_visit_start', previous_human_visit_start) AS recomputed
  FROM recomputed
  WHERE NOT ((stored_previous IS NOT DISTINCT FROM previous_visit_start OR (previous_visit_start IS NULL AND stored_previous < first_retained))
         AND (stored_human IS NOT DISTINCT FROM previous_human_visit_start OR (previous_human_visit_start IS NULL AND stored_human < first_retained)))
  ORDER BY 1 LIMIT ${LIMIT}`;

// Each non-bot visit's previous non-bot visit of the same visitor with the same value, per visit
// dimension (migration 022), as the running max of the earlier starts, written apart from the
// loader's lag(); NULL on bot visits. Retention as above.
const VALUE_LINKS = `WITH recomputed AS (
    SELECT visit_id, min(visit_start) OVER (PARTITION BY visitor_id) AS first_retained,
      jsonb_build_object(${LINKED_DIMENSIONS.map((d) => `'${d}', ${VISIT_VALUE_LINKS[d].link}`).join(', ')}) AS stored,
      jsonb_build_object(${LINKED_DIMENSIONS.map(
        (d) =>
          `'${d}', CASE WHEN is_bot THEN NULL ELSE max(visit_start) FILTER (WHERE NOT is_bot) OVER (PARTITION BY visitor_id, ${VISIT_VALUE_LINKS[d].value} ORDER BY visit_start, visit_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) END`,
      ).join(', ')}) AS recomputed
    FROM visits WHERE project_id = $1)
  SELECT visit_id::text AS key, stored, recomputed FROM recomputed r
  WHERE EXISTS (SELECT 1 FROM jsonb_each(r.recomputed) c JOIN jsonb_each(r.stored) s USING (key)
                 WHERE c.value IS DISTINCT FROM s.value AND NOT (c.value = 'null'::jsonb AND (s.value #>> '{}')::timestamptz < r.first_retained))
  ORDER BY 1 LIMIT ${LIMIT}`;

// The event breakdowns' rows of migrations 023 and 026 from the non-bot events, their links as the
// running max of the earlier buckets of the same visit (visitor) and value, written apart from the
// loader's lag(). Retention as above: a stored link before the visitor's first retained row of
// that value, where none is recomputed, is right.
const EVENT_VALUE_VISITS = `WITH ev AS (
    SELECT e.visit_id, e.visitor_id, e.event_type, date_bin(interval '15 minutes', e."timestamp", timestamptz '1970-01-01 00:00:00+00') AS bucket, d.dimension, d.value
      FROM analytics_events e
     CROSS JOIN LATERAL (VALUES ('page', coalesce(e.page_path, '/')), ('event_type', e.event_type), ('button_id', e.button_id)) AS d(dimension, value)
     WHERE e.project_id = $1 AND e.visit_id IS NOT NULL AND NOT e.is_bot AND d.value IS NOT NULL),
  grouped AS (
    SELECT dimension, value, visit_id, bucket, min(visitor_id) AS visitor_id, count(*) AS events, count(*) FILTER (WHERE event_type = 'page_view') AS pageviews FROM ev GROUP BY 1, 2, 3, 4),
  recomputed AS (
    SELECT dimension, value, visit_id, bucket, jsonb_build_object('visitor_id', visitor_id, 'events', events, 'pageviews', pageviews,
      'previous_visit_bucket', max(bucket) OVER (PARTITION BY dimension, value, visit_id ORDER BY bucket ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
      'previous_visitor_bucket', max(bucket) OVER (PARTITION BY dimension, value, visitor_id ORDER BY bucket, visit_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) AS row
    FROM grouped),
  stored AS (
    SELECT dimension, value, visit_id, bucket, min(bucket) OVER (PARTITION BY dimension, value, visitor_id) AS first_retained,
      jsonb_build_object('visitor_id', visitor_id, 'events', events, 'pageviews', pageviews,
        'previous_visit_bucket', previous_visit_bucket, 'previous_visitor_bucket', previous_visitor_bucket) AS row
    FROM event_value_visits_15m WHERE project_id = $1)
  SELECT concat_ws(' ', coalesce(r.dimension, s.dimension), coalesce(r.value, s.value), coalesce(r.visit_id, s.visit_id),
                   to_char(coalesce(r.bucket, s.bucket) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"')) AS key, s.row AS stored, r.row AS recomputed
  FROM recomputed r FULL JOIN stored s USING (dimension, value, visit_id, bucket)
  WHERE r.row IS DISTINCT FROM s.row
    AND NOT (r.row IS NOT NULL AND s.row IS NOT NULL
             AND r.row - 'previous_visit_bucket' - 'previous_visitor_bucket' = s.row - 'previous_visit_bucket' - 'previous_visitor_bucket'
             AND (r.row->'previous_visit_bucket' = s.row->'previous_visit_bucket'
                  OR (r.row->'previous_visit_bucket' = 'null'::jsonb AND (s.row->>'previous_visit_bucket')::timestamptz < s.first_retained))
             AND (r.row->'previous_visitor_bucket' = s.row->'previous_visitor_bucket'
                  OR (r.row->'previous_visitor_bucket' = 'null'::jsonb AND (s.row->>'previous_visitor_bucket')::timestamptz < s.first_retained)))
  ORDER BY 1 LIMIT ${LIMIT}`;

interface Row {
  key: string;
  stored: unknown;
  recomputed: unknown;
}

const tag = (rollup: Rollup, rows: Row[]): RollupDifference[] =>
  rows.map((r) => ({ rollup, key: r.key, stored: typeof r.stored === 'string' ? Number(r.stored) : r.stored, recomputed: typeof r.recomputed === 'string' ? Number(r.recomputed) : r.recomputed }));

/**
 * Every difference between one project's stored rollups and their recomputation from its events
 * (at most 1000 per rollup), and every visit breaking the visit rules. Empty: the rollups are exact.
 */
export async function rollupDifferences(projectId: string, db: SqlRunner): Promise<RollupDifference[]> {
  return [
    ...tag('visits', await db.query<Row>(VISITS, [projectId])),
    ...tag('visit_rules', await db.query<Row>(VISIT_RULES, [projectId, VISIT_GAP_MS, VISIT_MAX_MS])),
    ...tag('visitor_first_seen', await db.query<Row>(FIRST_SEEN, [projectId])),
    ...tag('event_counts_15m', await db.query<Row>(COUNTS, [projectId])),
    ...tag('event_type_counts_15m', await db.query<Row>(TYPE_COUNTS, [projectId])),
    ...tag('visit_counts_15m', await db.query<Row>(VISIT_COUNTS, [projectId])),
    ...tag('previous_visits', await db.query<Row>(PREVIOUS_VISITS, [projectId])),
    ...tag('value_links', await db.query<Row>(VALUE_LINKS, [projectId])),
    ...tag('event_value_visits_15m', await db.query<Row>(EVENT_VALUE_VISITS, [projectId])),
  ];
}

/** The projects that have events or rollup rows: what a whole-database check must cover. */
export async function projectsWithRollups(db: SqlRunner): Promise<string[]> {
  const rows = await db.query<{ project_id: string }>(
    `SELECT project_id::text FROM analytics_events WHERE visit_id IS NOT NULL
     UNION SELECT project_id::text FROM visits UNION SELECT project_id::text FROM visitor_first_seen UNION SELECT project_id::text FROM event_counts_15m
     UNION SELECT project_id::text FROM event_type_counts_15m UNION SELECT project_id::text FROM visit_counts_15m UNION SELECT project_id::text FROM event_value_visits_15m
     ORDER BY 1`,
  );
  return rows.map((r) => r.project_id);
}

/** rollupDifferences of every project with events or rollup rows, each difference with its project. */
export async function allRollupDifferences(db: SqlRunner): Promise<(RollupDifference & { projectId: string })[]> {
  const all: (RollupDifference & { projectId: string })[] = [];
  for (const projectId of await projectsWithRollups(db)) for (const d of await rollupDifferences(projectId, db)) all.push({ projectId, ...d });
  return all;
}
