-- The page breakdown of the query API without reading the range's events (docs/metrics.md § Which
-- rows serve a report): per project, dimension, value, visit and
-- 15-minute UTC bucket, the visit's non-bot events with that value in the bucket, and two links
-- that make distinct counts filtered counts, as 018's previous-visit links do: the previous
-- bucket of the same visit with the same value (a visit counts for a value once in a range, in
-- its first bucket there) and the previous bucket of the same visitor with the same value, order
-- (bucket, visit_id) (a visitor counts once, likewise). Bot events are not rolled up: reports
-- that include bots read the events. Only the dimension 'page' is kept: event_type and button_id
-- rows as well would cost the loader about three times as much (bench/HISTORY.md § 17); the
-- column leaves room for them. Kept by the loader in the events' transaction
-- (pipeline/src/adapters/event-value-visits-sql.ts), checked by db/rollup-check.ts, filled here.
CREATE TABLE IF NOT EXISTS event_value_visits_15m (
  project_id              uuid        NOT NULL,
  dimension               text        NOT NULL CHECK (dimension IN ('page', 'event_type', 'button_id')),
  -- page: coalesce(page_path, '/') as the counters key it; button_id: only events that carry one.
  value                   text        NOT NULL,
  visit_id                uuid        NOT NULL,
  bucket                  timestamptz NOT NULL,
  visitor_id              text        NOT NULL,
  events                  bigint      NOT NULL,
  pageviews               bigint      NOT NULL,
  previous_visit_bucket   timestamptz,
  previous_visitor_bucket timestamptz,
  PRIMARY KEY (project_id, dimension, value, visit_id, bucket)
);

-- A report reads one dimension's buckets of a range (index-only); the loader recomputes links per
-- visitor and value.
CREATE INDEX IF NOT EXISTS event_value_visits_15m_range_idx
  ON event_value_visits_15m (project_id, dimension, bucket) INCLUDE (value, events, pageviews, previous_visit_bucket, previous_visitor_bucket);
CREATE INDEX IF NOT EXISTS event_value_visits_15m_visitor_idx
  ON event_value_visits_15m (project_id, dimension, value, visitor_id, bucket);

-- Every event has its visit and visitor since 014. The table is new, so one INSERT fills it.
INSERT INTO event_value_visits_15m (project_id, dimension, value, visit_id, bucket, visitor_id, events, pageviews, previous_visit_bucket, previous_visitor_bucket)
SELECT project_id, dimension, value, visit_id, bucket, visitor_id, events, pageviews,
       lag(bucket) OVER (PARTITION BY project_id, dimension, value, visit_id ORDER BY bucket),
       lag(bucket) OVER (PARTITION BY project_id, dimension, value, visitor_id ORDER BY bucket, visit_id)
  FROM (
    SELECT e.project_id, d.dimension, d.value, e.visit_id, date_bin(interval '15 minutes', e."timestamp", timestamptz '1970-01-01 00:00:00+00') AS bucket,
           min(e.visitor_id) AS visitor_id, count(*) AS events, count(*) FILTER (WHERE e.event_type = 'page_view') AS pageviews
      FROM analytics_events e
     CROSS JOIN LATERAL (VALUES ('page', coalesce(e.page_path, '/'))) AS d(dimension, value)
     WHERE NOT e.is_bot AND e.visit_id IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5
  ) g
ON CONFLICT DO NOTHING;

ANALYZE event_value_visits_15m;

-- The query API's read-only group reads it (004's default privileges do too; said explicitly).
GRANT SELECT ON event_value_visits_15m TO analytics_reader;

-- The time series' distinct visitors per day or hour without reading every visit of the range
-- (api/src/query/visit-rollups-sql.ts repeatVisitsSql): a non-bot visit whose previous non-bot
-- visit started more than 25 hours earlier, or that has none, is its visitor's first of any
-- bucket of at most 25 hours it lies in, so only the others (about a quarter of the visits) need
-- a look at their link. The predicate is immutable (a difference of two timestamptz).
CREATE INDEX IF NOT EXISTS visits_near_repeat_idx
  ON visits (project_id, visit_start) INCLUDE (previous_human_visit_start)
  WHERE NOT is_bot AND visit_start - previous_human_visit_start <= interval '25 hours';
