-- Events per minute, type and page. TimescaleDB: a continuous aggregate with real-time
-- aggregation (minutes after the last materialized one are computed on read) and a refresh policy.
-- Late events (a replay after an outage, clamped client times) land in already materialized
-- minutes; the policy re-materializes any invalidated minute of the last 7 days every 30 s, and
-- a refresh only touches invalidated ranges, so the wide window costs nothing when idle.
CREATE MATERIALIZED VIEW IF NOT EXISTS analytics_summary
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 minute', "timestamp") AS bucket,
       event_type,
       page_url,
       count(*)::bigint AS event_count
  FROM analytics_events
 GROUP BY 1, 2, 3
WITH NO DATA;
SELECT add_continuous_aggregate_policy('analytics_summary',
  start_offset => INTERVAL '7 days', end_offset => INTERVAL '1 minute',
  schedule_interval => INTERVAL '30 seconds', if_not_exists => TRUE);
