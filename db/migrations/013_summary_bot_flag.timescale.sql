-- analytics_summary gains is_bot (migration 012's flag), grouped, so every panel that counts from
-- the summary can leave bots out by default and say how many it left out (docs/metrics.md,
-- "Bots"). Chosen over reading event_counts_15m: the summary's minutes serve the per-minute
-- panels and any dashboard range to the minute, which 15-minute counters cannot; measured in
-- grafana/README.md ("Summary or counters"). A continuous aggregate's query cannot be altered:
-- it is dropped and created again with the same real-time aggregation, refresh policy and index
-- as 010, and rebuilt from the raw events after the commit. As with 010, per-minute rows of
-- minutes whose raw events retention already dropped (older than 90 days) are not rebuilt.
DROP MATERIALIZED VIEW IF EXISTS analytics_summary;
CREATE MATERIALIZED VIEW analytics_summary
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT project_id,
       time_bucket(INTERVAL '1 minute', "timestamp") AS bucket,
       event_type,
       page_url,
       is_bot,
       count(*)::bigint AS event_count
  FROM analytics_events
 GROUP BY 1, 2, 3, 4, 5
WITH NO DATA;
SELECT add_continuous_aggregate_policy('analytics_summary',
  start_offset => INTERVAL '7 days', end_offset => INTERVAL '1 minute',
  schedule_interval => INTERVAL '30 seconds', if_not_exists => TRUE);
-- Panels read one project's minutes of a range.
CREATE INDEX IF NOT EXISTS analytics_summary_project_bucket_idx ON analytics_summary (project_id, bucket);

-- migrate: after-commit
CALL refresh_continuous_aggregate('analytics_summary', NULL, NULL);
