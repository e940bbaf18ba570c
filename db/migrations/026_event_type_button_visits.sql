-- The event type and button id breakdowns of the query API without reading the range's events
-- (docs/metrics.md § Which rows serve a report): event_value_visits_15m (023) gets the rows of
-- the dimensions 'event_type' and 'button_id' too, with the same links, kept by the loader from
-- now on (pipeline/src/adapters/event-value-rows.ts) and checked by db/rollup-check.ts. Bot
-- events are not rolled up; button_id rows only for events that carry one. Filled here from the
-- stored events; the DELETE first makes a second run recompute rather than add.
DELETE FROM event_value_visits_15m WHERE dimension IN ('event_type', 'button_id');

INSERT INTO event_value_visits_15m (project_id, dimension, value, visit_id, bucket, visitor_id, events, pageviews, previous_visit_bucket, previous_visitor_bucket)
SELECT project_id, dimension, value, visit_id, bucket, visitor_id, events, pageviews,
       lag(bucket) OVER (PARTITION BY project_id, dimension, value, visit_id ORDER BY bucket),
       lag(bucket) OVER (PARTITION BY project_id, dimension, value, visitor_id ORDER BY bucket, visit_id)
  FROM (
    SELECT e.project_id, d.dimension, d.value, e.visit_id, date_bin(interval '15 minutes', e."timestamp", timestamptz '1970-01-01 00:00:00+00') AS bucket,
           min(e.visitor_id) AS visitor_id, count(*) AS events, count(*) FILTER (WHERE e.event_type = 'page_view') AS pageviews
      FROM analytics_events e
     CROSS JOIN LATERAL (VALUES ('event_type', e.event_type), ('button_id', e.button_id)) AS d(dimension, value)
     WHERE NOT e.is_bot AND e.visit_id IS NOT NULL AND d.value IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5
  ) g;

ANALYZE event_value_visits_15m;
