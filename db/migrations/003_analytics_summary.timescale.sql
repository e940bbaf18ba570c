-- Events per minute, type and page. TimescaleDB: a continuous aggregate with real-time
-- aggregation (recent, not yet materialized minutes are computed on read) and a refresh policy.
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
  start_offset => INTERVAL '2 hours', end_offset => INTERVAL '1 minute',
  schedule_interval => INTERVAL '30 seconds', if_not_exists => TRUE);
